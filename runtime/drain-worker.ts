/**
 * The drain worker: connects to the adapter's socket, says HELLO, then ships every published slice
 * of the rings as BATCH frames, and END once the main thread has finished. It never writes to
 * stdout/stderr. If the adapter is gone it marks the control block dead and discards data, so the
 * program can never be blocked by a missing consumer.
 */
import { workerData } from 'node:worker_threads';
import * as net from 'node:net';
import { RingReader } from './drain';
import { C_DEAD, C_DONE, C_EXIT, C_R, C_RB, C_W, C_WAITING, C_CONNECTED, FRAME_END, FRAME_HELLO, type WorkerInit } from './wire';

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl);
const reader = new RingReader(ctrl, init.words, init.bytes);
let dead = false;
let sock: net.Socket | undefined;

function markDone(): void {
  Atomics.store(ctrl, C_DONE, 1);
  Atomics.notify(ctrl, C_DONE);
}

function die(): void {
  if (dead) return;
  dead = true;
  Atomics.store(ctrl, C_DEAD, 1);
  Atomics.notify(ctrl, C_R);
  Atomics.notify(ctrl, C_RB);
  Atomics.notify(ctrl, C_DONE);
  if (sock) sock.destroy();
  reader.releaseAll();
  void discardLoop();
}

type WaitAsync = (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

// Poll interval: short while data flows (the producer only wakes us every NOTIFY_EVERY blocks,
// when it must wait for space, and on its idle tick), backing off while the program is quiet.
let pollMs = 2;
async function idle(): Promise<void> {
  Atomics.store(ctrl, C_WAITING, 1);
  if (!reader.pending() && Atomics.load(ctrl, C_EXIT) === 0) {
    const res = waitAsync(ctrl, C_W, reader.r, pollMs);
    if (res.async) await res.value;
  }
  Atomics.store(ctrl, C_WAITING, 0);
  pollMs = reader.pending() ? 2 : Math.min(pollMs * 2, 50);
}

function discard(): void {
  const b = reader.take();
  if (b !== null) reader.release(b);
}

async function discardLoop(): Promise<void> {
  for (;;) {
    discard();
    if (Atomics.load(ctrl, C_EXIT) !== 0) { discard(); markDone(); return; }
    await idle();
  }
}

/**
 * First touches of fresh memory are page faults, which cost ~50 us each on some VMs: fault the rings
 * in from this thread so the program's thread does not pay for it during the first lap. A CAS of
 * 0 -> 0 never changes a value the producer may already have written.
 */
function prefault(): void {
  const views = [new Int32Array(init.words), new Int32Array(init.bytes, 0, init.bytes.byteLength >> 2)];
  let v = 0, i = 0;
  const step = (): void => {
    if (dead || Atomics.load(ctrl, C_EXIT) !== 0) return;
    const a = views[v];
    const end = Math.min(a.length, i + 1024 * 256);
    for (; i < end; i += 1024) Atomics.compareExchange(a, i, 0, 0);
    if (i >= a.length) { v++; i = 0; if (v >= views.length) return; }
    setImmediate(step);
  };
  step();
}

function frame(type: number, payload?: Buffer): Buffer {
  const n = payload ? payload.length : 0;
  const f = Buffer.allocUnsafe(5 + n);
  f.writeUInt32LE(1 + n, 0);
  f[4] = type;
  if (payload) payload.copy(f, 5);
  return f;
}

async function pump(s: net.Socket): Promise<void> {
  for (;;) {
    if (dead) return;
    const batch = reader.take();
    if (batch !== null) {
      // Zero-copy: the ring slices themselves go to the socket (one writev); the ring space is
      // released when the socket has written them (callbacks run in order).
      const parts = batch.parts;
      s.cork();
      for (let i = 0; i < parts.length - 1; i++) s.write(parts[i]);
      const more = s.write(parts[parts.length - 1], (err) => { if (!err && !dead) reader.release(batch); });
      s.uncork();
      if (!more) {
        await new Promise<void>((resolve) => {
          const done = (): void => { s.off('drain', done); s.off('close', done); resolve(); };
          s.on('drain', done); s.on('close', done);
        });
      }
      continue;
    }
    if (Atomics.load(ctrl, C_EXIT) !== 0) {
      if (reader.pending()) continue;
      s.write(frame(FRAME_END), () => { markDone(); s.end(); });
      return;
    }
    await idle();
  }
}

try {
  const s = net.createConnection(init.socketPath);
  sock = s;
  s.on('error', die);
  s.on('close', () => { if (Atomics.load(ctrl, C_DONE) === 0) die(); });
  s.once('connect', () => {
    s.setNoDelay?.(true);
    s.write(frame(FRAME_HELLO, Buffer.from(init.token + init.hello, 'utf8')));
    Atomics.store(ctrl, C_CONNECTED, 1);
    pump(s).catch(die);
    prefault();
  });
} catch {
  die();
}
