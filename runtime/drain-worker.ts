/**
 * The drain worker: connects to the adapter's socket, says HELLO, then ships every published slice
 * of the rings as BATCH frames, and END once the main thread has finished. It never writes to
 * stdout/stderr. If the adapter is gone it marks the control block dead and discards data, so the
 * program can never be blocked by a missing consumer.
 */
import { workerData } from 'node:worker_threads';
import * as net from 'node:net';
import { RingReader } from './drain';
import { writeSpec } from './live-spec';
import {
  encodeFrame, C_DEAD, C_DONE, C_EXIT, C_R, C_RB, C_W, C_WAITING, C_CONNECTED, C_OWNER, OWNER_SPOOL, OWNER_WORKER, C_LIVE_FRAME, C_LIVE_MODE, C_PAUSED, C_PAUSE_ID,
  FRAME_BREAKPOINTS, FRAME_END, FRAME_HELLO, FRAME_PAUSED, FRAME_RUN, LIVE_SPEC_DIRTY, type WorkerInit,
} from './wire';

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
  release(); // a program paused by a debugger that is gone runs on
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

// ---- live mode: the adapter pauses and releases the program's thread -----------------------

let reportedPause = 0;

function release(): void {
  Atomics.store(ctrl, C_LIVE_MODE, 0);
  Atomics.store(ctrl, C_PAUSED, 0);
  Atomics.notify(ctrl, C_PAUSED);
}

/** RUN: set where to pause next, and release the given pause if the thread is still in it. */
function run(mode: number, watched: number, pauseId: number): void {
  Atomics.store(ctrl, C_LIVE_FRAME, watched);
  Atomics.store(ctrl, C_LIVE_MODE, mode | (Atomics.load(ctrl, C_LIVE_MODE) & LIVE_SPEC_DIRTY));
  if (pauseId !== 0 && Atomics.load(ctrl, C_PAUSE_ID) === pauseId && Atomics.load(ctrl, C_PAUSED) === 1) {
    Atomics.store(ctrl, C_PAUSED, 0);
    Atomics.notify(ctrl, C_PAUSED);
  }
}

function onControl(type: number, payload: Buffer): void {
  if (type === FRAME_RUN && payload.length >= 12) run(payload.readInt32LE(0), payload.readInt32LE(4), payload.readInt32LE(8));
  else if (type === FRAME_BREAKPOINTS && init.spec && writeSpec(init.spec, payload.toString('utf8'))) Atomics.or(ctrl, C_LIVE_MODE, LIVE_SPEC_DIRTY);
}

/** Control frames from the adapter ([u32 len][u8 type][payload]), possibly split across chunks. */
function controlReader(): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 5) {
      const len = pending.readUInt32LE(0);
      if (pending.length < 4 + len) break;
      onControl(pending[4], pending.subarray(5, 4 + len));
      pending = pending.subarray(4 + len);
    }
  };
}

/** Once everything published before a pause is on the socket: tell the adapter the thread waits. */
function reportPause(s: net.Socket, pausedBeforeTake: boolean): void {
  if (!pausedBeforeTake) return;
  const id = Atomics.load(ctrl, C_PAUSE_ID);
  if (id === reportedPause) return;
  reportedPause = id;
  const p = Buffer.allocUnsafe(4);
  p.writeInt32LE(id, 0);
  s.write(encodeFrame(FRAME_PAUSED, p));
}


async function pump(s: net.Socket): Promise<void> {
  for (;;) {
    if (dead) return;
    // Read before take(): a pause is flagged after its events are published, so they are in this take.
    const paused = Atomics.load(ctrl, C_PAUSED) === 1;
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
    reportPause(s, paused);
    if (Atomics.load(ctrl, C_EXIT) !== 0) {
      if (reader.pending()) continue;
      s.write(encodeFrame(FRAME_END), () => { markDone(); s.end(); });
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
  s.once('connect', () => { void claim().then((mine) => { if (mine) connected(s); else { dead = true; s.destroy(); } }, die); });
} catch {
  die();
}

/**
 * The rings are ours unless the program ended before we connected and its thread spooled them
 * (recorder finish()); while it is spooling, wait: if that fails it hands them back.
 */
async function claim(): Promise<boolean> {
  for (;;) {
    const prev = Atomics.compareExchange(ctrl, C_OWNER, 0, OWNER_WORKER);
    if (prev !== OWNER_SPOOL) return true;
    if (Atomics.load(ctrl, C_EXIT) !== 0) return false;
    const res = waitAsync(ctrl, C_OWNER, OWNER_SPOOL, 50);
    if (res.async) await res.value;
  }
}

function connected(s: net.Socket): void {
  s.setNoDelay?.(true);
  s.write(encodeFrame(FRAME_HELLO, Buffer.from(init.token + init.hello, 'utf8')));
  if (init.spec) s.on('data', controlReader());
  Atomics.store(ctrl, C_CONNECTED, 1);
  pump(s).catch(die);
  prefault();
}
