/**
 * The runtime entry, preloaded with `node -r dist/runtime.js program`.
 * Inert unless ELIXIRSCOPE_SOCKET is set. Otherwise it removes its variables from process.env,
 * installs the hooks object (non-enumerable global), serves instrumented code for manifest files,
 * and starts the drain worker. It never writes output and never changes the program's behaviour.
 */
import { Worker, threadId } from 'node:worker_threads';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import { HOOKS_GLOBAL } from '../protocol/hooks';
import { parseOptions, redactRegex } from './options';
import { Snapshotter } from './snapshot';
import { createRecorder, dropScratchBytes, dropScratchWords, type Recorder } from './recorder';
import { installEsmHooks, installRequireHooks, loadManifest, type LoadedManifest } from './loader';
import { CTRL_WORDS, C_DEAD, RING_SLACK, type WorkerInit } from './wire';

const EXIT_IDLE_TIMEOUT_MS = 2000;

function start(socketPath: string): void {
  const env = process.env;
  const token = env.ELIXIRSCOPE_TOKEN ?? '';
  const manifestPath = env.ELIXIRSCOPE_MANIFEST;
  const optionsJson = env.ELIXIRSCOPE_OPTIONS;
  delete env.ELIXIRSCOPE_SOCKET;
  delete env.ELIXIRSCOPE_TOKEN;
  delete env.ELIXIRSCOPE_MANIFEST;
  delete env.ELIXIRSCOPE_OPTIONS;

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

  const rec: Recorder = createRecorder({
    ctrl, words: new Int32Array(wordsSab), bytes: new Uint8Array(bytesSab),
    wordCap: opts.ringWords, byteCap: opts.ringBytes, snap, overflow: opts.overflow,
    siteNames: manifest ? (p) => manifest!.siteNames(p) : undefined,
  });
  Object.defineProperty(globalThis, HOOKS_GLOBAL, { value: rec.hooks, enumerable: false, writable: false, configurable: true });

  const hello = JSON.stringify({
    pid: process.pid, threadId, nodeVersion: process.version, argv: process.argv.slice(),
    cwd: process.cwd(), startTime: Date.now(),
  });
  const init: WorkerInit = {
    socketPath, token, hello, ctrl: ctrlSab, words: wordsSab, bytes: bytesSab,
    wordCap: opts.ringWords, byteCap: opts.ringBytes,
  };
  const worker = new Worker(path.join(__dirname, 'runtime-worker.js'), { workerData: init, execArgv: [], stdout: true, stderr: true });
  worker.unref();
  const markDead = (): void => { Atomics.store(ctrl, C_DEAD, 1); };
  worker.on('error', markDead);
  worker.on('exit', markDead);

  setInterval(() => rec.tick(), 25).unref();
  // Flush in the LAST 'exit' listener we can be, so code the program runs in its own exit listeners
  // (registered while the main module loads) is still recorded. The early listener covers an exit
  // during the main module's first synchronous run.
  const onExit = (code: unknown): void => { rec.finish(typeof code === 'number' ? code : 0, EXIT_IDLE_TIMEOUT_MS); };
  let lateInstalled = false;
  process.on('exit', (code) => { if (!lateInstalled) onExit(code); });
  process.nextTick(() => { lateInstalled = true; process.on('exit', onExit); });

  // Signals whose default action kills the process without 'exit': flush, then die the same way.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(sig) !== 0) continue;
    const onSignal = (): void => {
      if (process.listenerCount(sig) > 1) return; // the program handles it
      rec.finish(128 + (osConstants.signals[sig] ?? 0), EXIT_IDLE_TIMEOUT_MS);
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    try { process.on(sig, onSignal); } catch { /* unsupported on this platform */ }
  }

  if (manifest && Object.keys(manifest.files).length > 0) {
    installRequireHooks(manifest);
    try { installEsmHooks(manifest); } catch { /* ESM recording unavailable */ }
    process.setSourceMapsEnabled(true);
  }
}

const socket = process.env.ELIXIRSCOPE_SOCKET;
if (typeof socket === 'string' && socket !== '') {
  try { start(socket); } catch { /* never break the program */ }
}
