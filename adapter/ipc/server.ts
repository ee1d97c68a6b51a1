/**
 * The adapter end of the runtime channel: a Unix socket in a private (0700) directory. A connection
 * must open with HELLO carrying the 32-byte random token (compared in constant time); anything else
 * is destroyed. BATCH frames are decoded straight into the connection's EventSink.
 */
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeSync, openSync, promises as fsp, readSync } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventSink, RuntimeHello } from '../store/sink';
import { BatchDecoder } from './decode';
import { PassThrough } from 'node:stream';
import { encodeFrame, FRAME_BATCH, FRAME_END, FRAME_HELLO, FRAME_PAUSED, SPOOL_PREFIX, TOKEN_HEX_CHARS } from '../../runtime/wire';

/** The adapter's side of live mode: how it talks back to the runtime of one accepted connection (one program thread). */
export interface RuntimeControl {
  /** The connection is accepted: `send` writes a control frame (FRAME_RUN, FRAME_BREAKPOINTS) to its worker. */
  attached(send: (type: number, payload: Buffer) => void): void;
  /** PAUSED: the program's thread waits after the events decoded so far; `pauseId` releases it. */
  paused(pauseId: number): void;
  /** The connection ended: the thread is gone (or never waits for us again). */
  ended(): void;
}

/** The control of a connection, by what its runtime said in HELLO (undefined: it never pauses). */
export type ControlFor = (hello: RuntimeHello) => RuntimeControl | undefined;

export interface IpcServer {
  socketPath: string;
  token: string;
  /** The ELIXIRSCOPE_* variables to give the child (add ELIXIRSCOPE_MANIFEST / _OPTIONS as needed). */
  env: Record<string, string>;
  close(): Promise<void>;
  /** Resolves once every accepted connection has ended and its sink's end() has settled, spooled runs (SPOOL_PREFIX) included. */
  whenIdle(): Promise<void>;
}

/**
 * A sink MAY also implement whenWritable(): return a promise while its own writes lag behind (the
 * server stops reading the socket until it settles, so the runtime's ring fills and the program
 * waits) or undefined when it can take more. Proposed addition to EventSink (adapter/store/sink.ts).
 */
export interface BackpressureSink extends EventSink {
  whenWritable?(): Promise<void> | undefined;
}

const MAX_HELLO = 1 << 20;
const MAX_FRAME = 1 << 30;
const HELLO_TIMEOUT_MS = 10000;

/**
 * `makeSink` may return a promise (a store still opening): the connection stops reading until it
 * settles and its frames wait in the socket (and the runtime's ring) meanwhile.
 */
export type MakeSink = (hello: RuntimeHello) => EventSink | Promise<EventSink>;

export async function startIpcServer(makeSink: MakeSink, controlFor?: ControlFor): Promise<IpcServer> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'elixirscope-'));
  await fsp.chmod(dir, 0o700);
  const socketPath = path.join(dir, 'rt.sock');
  const token = randomToken();
  const tokenBuf = Buffer.from(token, 'ascii');
  const active = new Set<Promise<void>>();
  const sockets = new Set<net.Socket>();
  let idleWaiters: Array<() => void> = [];
  let generation = 0;

  const checkIdle = (): void => {
    if (active.size !== 0) return;
    const g = generation;
    // A connection the program made before it exited may still wait in the listen backlog when
    // its exit is seen: it is accepted in the next poll phase, which the second setImmediate
    // follows (a 15 ms timer here was a tenth of a short recording's fixed cost, and kept the
    // process alive as long again after the last check).
    setImmediate(() => setImmediate(() => {
      if (active.size !== 0 || g !== generation) return;
      const w = idleWaiters; idleWaiters = [];
      for (const f of w) f();
    }));
  };

  const accept = (sock: net.Socket): Promise<void> => {
    generation++;
    sockets.add(sock);
    const done = serve(sock, tokenBuf, makeSink, controlFor).finally(() => {
      sockets.delete(sock);
      active.delete(done);
      checkIdle();
    });
    active.add(done);
    return done;
  };
  const server = net.createServer((sock) => { void accept(sock); });
  /**
   * A program that ended before its drain worker connected left its frames in a spool file
   * (runtime/wire.ts SPOOL_PREFIX): serve each as if it had come over the socket, then remove it.
   */
  const replaySpools = async (): Promise<void> => {
    const names = (await fsp.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(SPOOL_PREFIX));
    const served: Array<Promise<void>> = [];
    for (const name of names) {
      const file = path.join(dir, name);
      const bytes = await fsp.readFile(file).catch(() => undefined);
      await fsp.rm(file, { force: true });
      if (!bytes) continue;
      const stream = new PassThrough();
      served.push(accept(stream as unknown as net.Socket));
      stream.end(bytes);
    }
    // Local replays: no connection can race with them, so no settling delay.
    await Promise.allSettled(served);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => { server.off('error', reject); resolve(); });
  });
  await fsp.chmod(socketPath, 0o600).catch(() => undefined);

  return {
    socketPath,
    token,
    env: { ELIXIRSCOPE_SOCKET: socketPath, ELIXIRSCOPE_TOKEN: token },
    async whenIdle(): Promise<void> {
      const idle = (): Promise<void> => new Promise<void>((resolve) => { idleWaiters.push(resolve); checkIdle(); });
      await idle();
      await replaySpools();
    },
    async close(): Promise<void> {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await Promise.allSettled([...active]);
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * 32 random bytes as hex. From the kernel directly where there is /dev/urandom: the first
 * randomBytes() of a process seeds OpenSSL's generator, ~80 ms of a recording's fixed cost under load.
 */
function randomToken(): string {
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      const b = Buffer.alloc(32);
      for (let off = 0; off < 32;) {
        const n = readSync(fd, b, off, 32 - off, null);
        if (n <= 0) throw new Error('short read');
        off += n;
      }
      return b.toString('hex');
    } finally { closeSync(fd); }
  } catch {
    return randomBytes(32).toString('hex');
  }
}

/** Serve one connection until it ends; resolves after sink.end() (if a sink was made). */
function serve(sock: net.Socket, token: Buffer, makeSink: MakeSink, controlFor: ControlFor | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    let sink: EventSink | undefined;
    let control: RuntimeControl | undefined;
    let decoder: BatchDecoder | undefined;
    let ended = false;
    // HELLO accepted, sink still being made: the rest of the chunk is held, reading paused.
    let sinkPending: Promise<EventSink> | undefined;
    let held: Buffer | undefined;
    let endedEarly = false;
    // A frame split across socket chunks is assembled in one reused buffer (fresh large
    // allocations cost page faults per batch); frames inside a chunk are decoded in place.
    let acc = Buffer.allocUnsafe(1 << 16);
    let accLen = 0;

    const finish = (clean: boolean): void => {
      if (ended) return;
      // The socket ended while the sink is being made: everything it sent is held; finish after it.
      if (sinkPending) { endedEarly = true; return; }
      ended = true;
      clearTimeout(helloTimer);
      sock.destroy();
      control?.ended();
      endSink(clean);
    };
    const endSink = (clean: boolean): void => {
      if (!sink) { resolve(); return; }
      let p: Promise<void>;
      try { p = Promise.resolve(sink.end(clean)); } catch (e) { p = Promise.reject(e); }
      p.catch(() => undefined).then(() => resolve());
    };
    const install = (s: EventSink): void => {
      sinkPending = undefined;
      sink = s;
      s.hello(helloInfo!);
      decoder = new BatchDecoder(s);
      control = controlFor?.(helloInfo!);
      control?.attached((t, payload) => { if (!ended) sock.write(encodeFrame(t, payload)); });
    };
    let helloInfo: RuntimeHello | undefined;
    const helloTimer = setTimeout(() => { if (!sink) finish(false); }, HELLO_TIMEOUT_MS);

    const onFrame = (buf: Buffer, start: number, end: number): boolean => {
      const type = buf[start];
      if (!sink) {
        if (type !== FRAME_HELLO || end - start - 1 < TOKEN_HEX_CHARS) return false;
        const got = buf.subarray(start + 1, start + 1 + TOKEN_HEX_CHARS);
        if (!timingSafeEqual(got, token)) return false;
        helloInfo = JSON.parse(buf.toString('utf8', start + 1 + TOKEN_HEX_CHARS, end)) as RuntimeHello;
        clearTimeout(helloTimer);
        const s = makeSink(helloInfo);
        if (s instanceof Promise) sinkPending = s;
        else install(s);
        return true;
      }
      if (type === FRAME_BATCH) { decoder!.decode(buf, start + 1, end); return true; }
      if (type === FRAME_PAUSED && end - start >= 5) { control?.paused(buf.readInt32LE(start + 1)); return true; }
      if (type === FRAME_END) { finish(true); return true; }
      return false;
    };

    const maxLen = (): number => (sink ? MAX_FRAME : MAX_HELLO);
    const reserve = (n: number): void => {
      if (acc.length >= n) return;
      const bigger = Buffer.allocUnsafe(Math.max(n, acc.length * 2));
      acc.copy(bigger, 0, 0, accLen);
      acc = bigger;
    };

    /** Consume one socket chunk; false = protocol violation. */
    const consume = (chunk: Buffer): boolean => {
      let off = 0;
      const n = chunk.length;
      if (accLen > 0) {
        if (accLen < 4) {
          const t = Math.min(4 - accLen, n);
          chunk.copy(acc, accLen, 0, t); accLen += t; off = t;
          if (accLen < 4) return true;
        }
        const len = acc.readUInt32LE(0);
        if (len < 1 || len > maxLen()) return false;
        const total = 4 + len;
        reserve(total);
        const t = Math.min(total - accLen, n - off);
        chunk.copy(acc, accLen, off, off + t); accLen += t; off += t;
        if (accLen < total) return true;
        accLen = 0;
        if (!onFrame(acc, 4, total)) return false;
      }
      while (!ended && !sinkPending && n - off >= 4) {
        const len = chunk.readUInt32LE(off);
        if (len < 1 || len > maxLen()) return false;
        if (n - off - 4 < len) break;
        if (!onFrame(chunk, off + 4, off + 4 + len)) return false;
        off += 4 + len;
      }
      if (sinkPending) {
        if (off < n) held = chunk.subarray(off);
        return true;
      }
      if (!ended && off < n) {
        const rest = n - off;
        reserve(rest >= 4 ? Math.min(4 + chunk.readUInt32LE(off), maxLen() + 4) : 4);
        chunk.copy(acc, 0, off, n);
        accLen = rest;
      }
      return true;
    };

    const onData = (chunk: Buffer): void => {
      if (ended) return;
      let ok: boolean;
      try { ok = consume(chunk); } catch { ok = false; }
      if (!ok) { finish(false); return; }
      if (ended) return;
      if (sinkPending) {
        sock.pause();
        sinkPending.then((s) => {
          if (ended) return;
          install(s);
          const h = held;
          held = undefined;
          if (h) onData(h);
          if (endedEarly) finish(false); // a no-op when the held frames ended with END
          else if (!h) sock.resume();
        }, () => { sinkPending = undefined; finish(false); });
        return;
      }
      // sink.event is synchronous, so decoding already holds the socket (backpressure reaches the
      // runtime through the kernel buffer and the ring). After a chunk that decoded events, yield
      // to the event loop so one busy recording cannot starve the adapter.
      if (ended) return;
      // Optional sink backpressure (see BackpressureSink): stop reading while the sink's writes lag.
      const busy = sink && typeof (sink as BackpressureSink).whenWritable === 'function' ? (sink as BackpressureSink).whenWritable!() : undefined;
      if (busy) {
        sock.pause();
        busy.then(() => { if (!ended) sock.resume(); }, () => finish(false));
      } else if (accLen === 0) {
        sock.pause();
        setImmediate(() => { if (!ended) sock.resume(); });
      } else if (sock.isPaused()) sock.resume();
    };
    sock.on('data', onData);
    sock.on('end', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on('error', () => finish(false));
  });
}
