/**
 * The runtime entry, preloaded with `node -r dist/runtime.js program`.
 * Inert unless ELIXIRSCOPE_SOCKET is set. Otherwise it removes its variables from process.env,
 * installs the hooks object (non-enumerable global), serves instrumented code for manifest files,
 * and starts the drain worker. It never writes output and never changes the program's behaviour.
 */
import { Worker, getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { HOOKS_GLOBAL } from '../protocol/hooks';
import { parseOptions, redactRegex } from './options';
import { installCallBudget } from './call-budget';
import { passGate } from './gate';
import { Snapshotter, ownData } from './snapshot';
import { RingReader } from './drain';
import { createRecorder, dropScratchBytes, dropScratchWords, type Recorder } from './recorder';
import { installEsmHooks, installRequireHooks, loadManifest, REQUIRE_HOOK_NAME, type LoadedManifest } from './loader';
import { installFunctionToString, presetSourceText } from './fn-source';
import { installStackFormatting, nodeJsLoaderFrame } from './stack';
import { installLiveControl } from './live';
import { readSpecText, writeSpec } from './live-spec';
import { CTRL_WORDS, C_DEAD, FRAME_END, FRAME_HELLO, GATE_ENV, GATE_FD, RING_SLACK, SPOOL_PREFIX, encodeFrame, SPEC_BYTES, SPEC_HEADER_BYTES, THREAD_CONFIG_KEY, type ThreadConfig, type WorkerIdentity, type WorkerInit } from './wire';

const EXIT_IDLE_TIMEOUT_MS = 2000;
const perfNow = performance.now.bind(performance) as () => number;

function start(cfg: ThreadConfig, liveSpec: string | undefined): void {
  hideFromExecArgv();
  const { socketPath, token, manifestPath, optionsJson } = cfg;
  // Nested Workers get the same config, without this thread's identity.
  const base: ThreadConfig = { socketPath, token, manifestPath, optionsJson };
  setEnvironmentData(THREAD_CONFIG_KEY, base);
  // Our drain worker must not go through the program's (wrapped) constructor: it runs no runtime.
  const DrainWorker = Worker;
  let specArea: SharedArrayBuffer | undefined;
  wrapWorkerConstructor(base, () => (specArea ? currentSpec(specArea) : undefined));

  const opts = parseOptions(optionsJson);
  const snap = new Snapshotter({ maxDepth: opts.maxDepth, maxKeys: opts.maxKeys, maxString: opts.maxString, redact: redactRegex(opts.redact) });
  const ctrlSab = new SharedArrayBuffer(CTRL_WORDS * 4);
  const drop = opts.overflow !== 'block';
  const wordsSab = new SharedArrayBuffer((opts.ringWords + RING_SLACK + (drop ? dropScratchWords() : 0)) * 4);
  const bytesSab = new SharedArrayBuffer(opts.ringBytes + (drop ? dropScratchBytes(opts.ringBytes) : 0));
  const ctrl = new Int32Array(ctrlSab);

  let manifest: LoadedManifest | undefined;
  if (manifestPath) {
    try { manifest = loadManifest(manifestPath); } catch { manifest = undefined; }
  }

  const live = typeof liveSpec === 'string' && liveSpec !== '';
  // Set below, before any program code runs (the worker gets the same one).
  let hello = '';
  const spool = (): boolean => {
    const file = path.join(path.dirname(socketPath), `${SPOOL_PREFIX}${process.pid}-${threadId}`);
    let fd = -1;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
      const writeAll = (b: Uint8Array): void => { for (let off = 0; off < b.length;) off += fs.writeSync(fd, b, off, b.length - off); };
      writeAll(encodeFrame(FRAME_HELLO, Buffer.from(token + hello, 'utf8')));
      const batch = new RingReader(ctrl, wordsSab, bytesSab).take();
      if (batch !== null) for (const part of batch.parts) writeAll(part);
      writeAll(encodeFrame(FRAME_END));
      fs.closeSync(fd);
      return true;
    } catch {
      if (fd >= 0) try { fs.closeSync(fd); } catch { /* closed */ }
      try { fs.unlinkSync(file); } catch { /* not created */ }
      return false;
    }
  };
  // Time spent paused by the debugger is not the program's: the recorded clock leaves it out.
  const paused = { ms: 0 };
  const rec: Recorder = createRecorder({
    ctrl, words: new Int32Array(wordsSab), bytes: new Uint8Array(bytesSab),
    wordCap: opts.ringWords, byteCap: opts.ringBytes, snap, overflow: opts.overflow,
    siteNames: manifest ? (p) => manifest!.siteNames(p) : undefined,
    now: live ? () => perfNow() - paused.ms : undefined,
    // Live sessions keep the worker (it releases pauses); a plain recording spools a short run.
    spool: live ? undefined : spool,
  });
  if (manifest && Object.keys(manifest.files).length > 0) {
    // toString of instrumented functions shows the plain source text (fn-source.ts).
    const m = manifest;
    const loaded = installFunctionToString((file) => (Object.hasOwn(m.files, file) ? m.files[file] : undefined));
    // error.stack written as V8 writes it, positions mapped to the original files (stack.ts).
    const instrumented = new Set<string>();
    const jsFrame = nodeJsLoaderFrame();
    try {
      installStackFormatting((p) => instrumented.has(p), presetSourceText, jsFrame ? { file: __filename, name: REQUIRE_HOOK_NAME, text: jsFrame } : undefined, __filename);
    } catch { /* Node's formatting */ }
    const file = rec.hooks.file;
    rec.hooks.file = function (this: unknown, hash: string, p: string, siteCount: number): number {
      try { loaded(hash, p); instrumented.add(p); } catch { /* never break the program */ }
      return Reflect.apply(file, this, [hash, p, siteCount]) as number;
    };
  }
  if (opts.callBudget > 0) installCallBudget(rec, opts.callBudget);
  if (live) {
    specArea = new SharedArrayBuffer(SPEC_HEADER_BYTES + SPEC_BYTES);
    writeSpec(specArea, liveSpec);
    installLiveControl(rec, ctrl, specArea, (ms) => { paused.ms += ms; });
  }
  Object.defineProperty(globalThis, HOOKS_GLOBAL, { value: rec.hooks, enumerable: false, writable: false, configurable: true });

  hello = JSON.stringify({
    pid: process.pid, threadId, nodeVersion: process.version, argv: process.argv.slice(),
    cwd: process.cwd(), startTime: Date.now(), timeOrigin: performance.timeOrigin, worker: cfg.worker,
  });
  const init: WorkerInit = {
    socketPath, token, hello, ctrl: ctrlSab, words: wordsSab, bytes: bytesSab,
    wordCap: opts.ringWords, byteCap: opts.ringBytes, spec: specArea,
  };
  const worker = new DrainWorker(path.join(__dirname, 'runtime-worker.js'), { workerData: init, execArgv: [], stdout: true, stderr: true });
  worker.unref();
  const markDead = (): void => { Atomics.store(ctrl, C_DEAD, 1); };
  worker.on('error', markDead);
  worker.on('exit', markDead);

  setInterval(() => rec.tick(), 25).unref();
  // Flush after the program's own 'exit' listeners, without adding one (listener counts are
  // observable): wrap process.emit, which Node calls for 'exit' on process.exit(), at the natural
  // end and after an uncaught exception / unhandled rejection.
  const origEmit = process.emit;
  const emit = function (this: unknown, ev: string | symbol, code?: unknown, origin?: unknown): boolean {
    if (ev === 'worker' && code === worker) return false; // Node announces every Worker, ours included: the program must not see it
    // Which exceptions the program did not catch: Node emits these before any listener of the
    // program's runs (a rejection that no listener handles comes back as a monitor call: skipped).
    if ((ev === 'uncaughtExceptionMonitor' && origin === 'uncaughtException') || ev === 'unhandledRejection') {
      try { rec.uncaught(code, ev === 'unhandledRejection'); } catch { /* never break the program */ }
    }
    if (ev !== 'exit') return Reflect.apply(origEmit, this, arguments) as boolean;
    try {
      return Reflect.apply(origEmit, this, arguments) as boolean;
    } finally {
      rec.finish(typeof code === 'number' ? code : typeof process.exitCode === 'number' ? process.exitCode : 0, EXIT_IDLE_TIMEOUT_MS);
    }
  };
  Object.defineProperty(process, 'emit', { value: emit, writable: true, enumerable: false, configurable: true });

  // Signals whose default action kills the process without 'exit': flush, then die the same way.
  // Our listeners are hidden from listenerCount/listeners/rawListeners/eventNames (observable).
  // (Node also asks listenerCount when a listener is removed: if the program removes its own last
  // listener, the signal falls back to its default action, without our flush.)
  const ours = new Map<string | symbol, (...a: unknown[]) => void>();
  const origCount = process.listenerCount;
  const count = (ev: string | symbol): number => Reflect.apply(origCount, process, [ev]) as number;
  // Signals reach only the main thread: a worker thread's flush is its own 'exit'.
  for (const sig of isMainThread ? ['SIGINT', 'SIGTERM', 'SIGHUP'] as const : []) {
    if (count(sig) !== 0) continue;
    const onSignal = (): void => {
      if (count(sig) > 1) return; // the program handles it
      rec.finish(128 + (osConstants.signals[sig] ?? 0), EXIT_IDLE_TIMEOUT_MS);
      ours.delete(sig); // first: Node's removeListener consults (our) listenerCount to stop the signal handler
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    try { process.on(sig, onSignal); ours.set(sig, onSignal); } catch { /* unsupported on this platform */ }
  }
  if (ours.size > 0) hideListeners(ours);

  if (manifest && Object.keys(manifest.files).length > 0) {
    installRequireHooks(manifest);
    try { installEsmHooks(manifest); } catch { /* ESM recording unavailable */ }
    enableSourceMapsQuietly();
  }
}

/** Make our own listeners invisible to the program's introspection of process events. */
function hideListeners(ours: Map<string | symbol, (...a: unknown[]) => void>): void {
  type Fn = (...a: unknown[]) => unknown;
  const p = process as unknown as Record<string, Fn>;
  const mine = (ev: unknown, f: unknown): boolean => {
    const h = ours.get(ev as string);
    return h !== undefined && (f === h || (f as { listener?: unknown })?.listener === h);
  };
  const wrap = (name: string, make: (orig: Fn) => Fn): void => {
    const orig = p[name];
    if (typeof orig !== 'function') return;
    Object.defineProperty(process, name, { value: make(orig), writable: true, enumerable: false, configurable: true });
  };
  wrap('listenerCount', (orig) => function (this: unknown, ev: unknown, ...rest: unknown[]) {
    const n = Reflect.apply(orig, this, [ev, ...rest]) as number;
    return this === process && ours.has(ev as string) && !rest.length ? n - 1 : n;
  });
  wrap('listeners', (orig) => function (this: unknown, ev: unknown) {
    const l = Reflect.apply(orig, this, [ev]) as unknown[];
    return this === process ? l.filter((f) => !mine(ev, f)) : l;
  });
  wrap('rawListeners', (orig) => function (this: unknown, ev: unknown) {
    const l = Reflect.apply(orig, this, [ev]) as unknown[];
    return this === process ? l.filter((f) => !mine(ev, f)) : l;
  });
  wrap('eventNames', (orig) => function (this: unknown) {
    const names = Reflect.apply(orig, this, []) as Array<string | symbol>;
    const count = p.listenerCount;
    return this === process ? names.filter((n) => !ours.has(n as string) || (count.call(process, n) as number) > 0) : names;
  });
}

/**
 * Every program Worker runs this runtime too. A Worker inherits the `-r` of its creator's node
 * options (whatever process.execArgv says); one given its own `execArgv` gets ours in front (and its
 * process.execArgv shows only the program's, see hideFromExecArgv). Its name and script reach its
 * runtime through the environment data, set for the one construction. The constructor is replaced
 * by a Proxy of itself: same name, prototype, statics and `instanceof`, subclassable.
 */
function wrapWorkerConstructor(base: ThreadConfig, liveSpecNow: () => string | undefined): void {
  // The real module object (a namespace import would be a copy): its `Worker` is what the program gets.
  const mod = require('node:worker_threads') as { Worker: typeof Worker };
  const d = Object.getOwnPropertyDescriptor(mod, 'Worker');
  if (!d || !('value' in d) || !d.writable) return;
  const self = __filename;
  const wrapped = new Proxy(d.value as typeof Worker, {
    construct(target, args: unknown[], newTarget): object {
      let call = args;
      try {
        const options = args[1];
        const o = options !== null && typeof options === 'object' ? options : undefined;
        const execArgv = o && ownData(o, 'execArgv');
        if (Array.isArray(execArgv) && !execArgv.some((a, i) => typeof a === 'string' && a === self && (execArgv[i - 1] === '-r' || execArgv[i - 1] === '--require'))) {
          // A child of the options: the program's object is neither read by us beyond this nor changed.
          call = [args[0], Object.create(o as object, { execArgv: { value: ['-r', self, ...execArgv], enumerable: true, writable: true, configurable: true } }), ...args.slice(2)];
        }
        const name = o && ownData(o, 'name');
        const file = args[0];
        const identity: WorkerIdentity = {
          name: typeof name === 'string' && name !== '' ? name : undefined,
          filename: o && ownData(o, 'eval') === true ? '[eval]' : typeof file === 'string' ? file : file instanceof URL ? file.href : '[unknown]',
        };
        const liveSpec = liveSpecNow();
        setEnvironmentData(THREAD_CONFIG_KEY, { ...base, worker: identity, ...(liveSpec !== undefined ? { liveSpec } : {}) });
      } catch { /* record it without a name */ }
      try {
        return Reflect.construct(target, call, newTarget) as object;
      } finally {
        setEnvironmentData(THREAD_CONFIG_KEY, base);
      }
    },
  });
  Object.defineProperty(mod, 'Worker', { ...d, value: wrapped });
}

/** This thread's breakpoint spec (retried while the drain worker rewrites it; a Worker must not start without one). */
function currentSpec(area: SharedArrayBuffer): string {
  for (let i = 0; i < 10000; i++) {
    const text = readSpecText(area);
    if (text !== undefined) return text;
  }
  return '{"sites":{}}';
}

/** Remove our own `-r <runtime>` from process.execArgv (observable, and inherited by fork()). */
function hideFromExecArgv(): void {
  const a = process.execArgv;
  const self = __filename;
  const same = (p: string): boolean => { try { return path.resolve(p) === self; } catch { return false; } };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if ((x === '-r' || x === '--require') && i + 1 < a.length && same(a[i + 1])) { a.splice(i, 2); i--; }
    else if (x.startsWith('--require=') && same(x.slice('--require='.length))) { a.splice(i, 1); i--; }
  }
}

/**
 * Source maps must stay on so stacks show original positions, but process.sourceMapsEnabled and
 * setSourceMapsEnabled keep behaving as they would for the program.
 */
function enableSourceMapsQuietly(): void {
  const d = Object.getOwnPropertyDescriptor(process, 'sourceMapsEnabled');
  const origSet = process.setSourceMapsEnabled;
  let visible = Boolean(process.sourceMapsEnabled);
  origSet.call(process, true);
  if (!d || !d.configurable) return;
  Object.defineProperty(process, 'sourceMapsEnabled', { get() { return visible; }, enumerable: d.enumerable ?? true, configurable: true });
  process.setSourceMapsEnabled = function setSourceMapsEnabled(val: boolean): void {
    origSet.call(process, val); // same argument validation
    visible = val;
    if (!val) origSet.call(process, true);
  };
}

/**
 * Where this thread's runtime gets its config: the main thread from ELIXIRSCOPE_* (then removed
 * from process.env), a worker thread from the environment data its creator's runtime left.
 */
function threadConfig(): { cfg: ThreadConfig; liveSpec?: string } | undefined {
  if (!isMainThread) {
    const cfg = getEnvironmentData(THREAD_CONFIG_KEY) as ThreadConfig | undefined;
    // Only the program's Workers carry an identity (set by our Worker constructor): Node's own
    // threads that inherit the `-r` (the ESM loader hooks thread) are left alone.
    if (!cfg || typeof cfg !== 'object' || typeof cfg.socketPath !== 'string' || !cfg.worker) return undefined;
    return { cfg, liveSpec: typeof cfg.liveSpec === 'string' ? cfg.liveSpec : undefined };
  }
  const env = process.env;
  const socketPath = env.ELIXIRSCOPE_SOCKET;
  if (typeof socketPath !== 'string' || socketPath === '') return undefined;
  const gated = env[GATE_ENV] === String(GATE_FD);
  delete env[GATE_ENV];
  const gate = gated ? passGate(GATE_FD) : undefined;
  const cfg: ThreadConfig = { socketPath, token: env.ELIXIRSCOPE_TOKEN ?? '', manifestPath: gate ? gate.manifest : env.ELIXIRSCOPE_MANIFEST, optionsJson: env.ELIXIRSCOPE_OPTIONS };
  const liveSpec = gate ? gate.live : env.ELIXIRSCOPE_LIVE;
  delete env.ELIXIRSCOPE_LIVE;
  delete env.ELIXIRSCOPE_SOCKET;
  delete env.ELIXIRSCOPE_TOKEN;
  delete env.ELIXIRSCOPE_MANIFEST;
  delete env.ELIXIRSCOPE_OPTIONS;
  return { cfg, liveSpec };
}

const found = threadConfig();
if (found) {
  try { start(found.cfg, found.liveSpec); } catch { /* never break the program */ }
  // Loaded by -r, this module sat in require.cache where the program's own modules are (observable);
  // nothing requires it again.
  delete require.cache[__filename];
}
