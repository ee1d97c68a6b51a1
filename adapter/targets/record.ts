import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { Mode } from '../../protocol/events';
import { DEFAULT_CALL_BUDGET, type SnapshotLimits } from '../../protocol/requests';
import { buildWorkspace, findWorkspaceRoot, isSourceFile, type BuildError } from '../../instrumenter';
import { startIpcServer } from '../ipc/server';
import type { RecordingWriter } from '../store/writer';
import type { RecordingMeta } from '../store/meta';
import type { RuntimeHello } from '../store/sink';
import { threadDir } from '../store/threads';
import { checkRecordingFolder } from '../store/folder';
import { RecordingError } from '../store/errors';
import { bundlePath } from './paths';
import { LiveControl } from './live-control';
import type { BuildManifest } from '../../protocol/sites';
import { GATE_ENV, GATE_FD, type GateMessage, type LiveBreakpoints } from '../../runtime/wire';
import type { Writable } from 'node:stream';

export interface RecordOptions {
  program: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  mode?: Mode;
  /** Recording folder (default <root>/.elixirscope/recordings/<time>). */
  out?: string;
  stdio?: StdioOptions;
  runtimeExecutable?: string;
  include?: string[];
  exclude?: string[];
  redact?: string[];
  snapshot?: Partial<SnapshotLimits>;
  /** ElixirScopeLaunchArgs.callBudget. */
  callBudget?: number;
  log?: (message: string) => void;
  /**
   * Live mode (a debug session): the program really pauses at the breakpoints this returns (given
   * the build), and wherever `Recording.live` asks. Without it the program never waits for us.
   */
  live?: (manifest: BuildManifest) => LiveBreakpoints;
  /** A worker thread of the program started recording (its writer is open). */
  onThread?: (thread: ThreadRecording) => void;
}

/** A worker thread's stream: a recording of its own under the main one (adapter/store/threads.ts). */
export interface ThreadRecording {
  threadId: number;
  dir: string;
  writer: RecordingWriter;
  /** Live mode: the thread's own pause control (every thread pauses at the same breakpoints). */
  live?: LiveControl;
}

export class RecordError extends Error {
  constructor(message: string, readonly errors: BuildError[] = []) { super(message); }
}

export interface Recording {
  dir: string;
  root: string;
  writer: RecordingWriter;
  child: ChildProcess;
  /** Resolves when the program has exited and every event it sent is stored. */
  finished: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  buildErrors: BuildError[];
  manifest: BuildManifest;
  live?: LiveControl;
  /** The worker threads recorded so far; their writers stay open until closeThreads(). */
  threads: ThreadRecording[];
  /** Closes the worker threads' writers (after `finished`). */
  closeThreads(): Promise<void>;
  /**
   * Passes a signal (Ctrl+C) on to the program. The runtime's own listener flushes before the
   * program dies by it, but runs only when the event loop turns: a program busy in synchronous
   * code (an endless loop) would never die. One that has not begun to exit after a grace period
   * is killed, and `finished` reports the signal it was sent, as it would have died by it.
   */
  interrupt(signal: NodeJS.Signals): void;
}

/** The file node runs for `node <p>`: p itself, or p with an extension, or a folder's package main or index. */
function resolveProgram(p: string): string {
  if (existsSync(p) && statSync(p).isFile()) return p;
  try { return require.resolve(p); } catch { return p; }
}

/** A program's exit status as a shell reports it: its exit code, or 128 + the number of the signal that ended it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 0);
}

/** How long a program may take to begin exiting on an interrupting signal before it is killed. */
const INTERRUPT_GRACE_MS = 1000;

/** Instruments the program's workspace, runs it with the runtime preloaded, and stores its events. */
export async function startRecording(opts: RecordOptions): Promise<Recording> {
  const log = opts.log ?? (() => undefined);
  const program = resolveProgram(resolve(opts.cwd ?? process.cwd(), opts.program));
  if (!existsSync(program)) throw new RecordError(`program not found: ${program}`);
  if (!isSourceFile(program)) throw new RecordError(`cannot record ${program}: ElixirScope instruments .js, .mjs, .cjs, .jsx, .ts, .mts, .cts and .tsx files (run a script without one through a file that has one)`);
  const mode = opts.mode ?? 'full';
  const root = findWorkspaceRoot(program);
  // The fixed cost of a run is mostly startups: the socket is set up while the build is checked,
  // and the program starts before the store is open (LevelDB loads and opens while the child
  // boots; the connection waits for it, the runtime's ring buffers meanwhile).
  let connected = false;
  let writerReady: Promise<RecordingWriter> | undefined;
  const liveRef: { control?: LiveControl } = {};
  const threads: ThreadRecording[] = [];
  const threadWriters: Array<Promise<RecordingWriter>> = [];
  let meta: Omit<RecordingMeta, 'format'> | undefined;
  let manifest: BuildManifest | undefined;
  const isMain = (hello: RuntimeHello): boolean => hello.threadId === 0;
  const ipcP = startIpcServer((hello) => {
    if (isMain(hello)) {
      if (connected) throw new Error('a second main thread connected');
      connected = true;
      return writerReady!;
    }
    // A worker thread: its own recording under the main one, opened as it says hello.
    const tdir = threadDir(dir, hello.threadId);
    const made = (async () => {
      await mkdir(tdir, { recursive: true });
      const { RecordingWriter } = await import('../store/writer');
      const writer = await RecordingWriter.create(tdir, { ...meta!, startTime: hello.startTime }, manifest!);
      const main = liveRef.control;
      const t: ThreadRecording = { threadId: hello.threadId, dir: tdir, writer, ...(main ? { live: new LiveControl(main.spec, false) } : {}) };
      threads.push(t);
      opts.onThread?.(t);
      return writer;
    })();
    threadWriters.push(made);
    return made;
  }, (hello) => (isMain(hello) ? liveRef.control : threads.find((t) => t.threadId === hello.threadId)?.live));
  // The program's node boots while the build is checked: it waits at the start gate (wire.ts
  // GATE_ENV) until it is told which build to run, or not to run.
  const ipc = await ipcP;
  const args = opts.args ?? [];
  const cwd = resolve(opts.cwd ?? process.cwd());
  const startTime = Date.now();
  const callBudget = opts.callBudget ?? (mode === 'minimal' ? DEFAULT_CALL_BUDGET : 0);
  const child = spawn(opts.runtimeExecutable ?? process.execPath, ['-r', bundlePath('runtime'), program, ...args], {
    cwd,
    env: { ...process.env, ...opts.env, ...ipc.env, ...runtimeOptions(opts, callBudget), [GATE_ENV]: String(GATE_FD) },
    stdio: withGate(opts.stdio ?? 'inherit'),
    // process.argv0 (and process.title) as the program would have it, run by the same command as
    // ours: `node` typed in a shell, where spawning execPath would make it the full path.
    ...(opts.runtimeExecutable ? {} : { argv0: process.argv0 }),
  });
  const gate = startGate(child);
  // Listeners go on at once: a short program may be gone before the store is open.
  const spawned = new Promise<never>((_, reject) => child.once('error', (err) => reject(new RecordError(`cannot start ${opts.runtimeExecutable ?? process.execPath}: ${err.message}`))));
  spawned.catch(() => undefined); // reported through `finished`
  const exited = new Promise<{ code: number | null; exitSignal: NodeJS.Signals | null }>((resolveExit) => child.once('exit', (code, exitSignal) => resolveExit({ code, exitSignal })));
  const refuse = async (err: unknown): Promise<never> => { gate.close(); await ipc.close(); throw err; };

  if (child.pid === undefined) await spawned.catch(refuse); // could not start: its 'error' says why
  // Checking the build is mostly synchronous work: only after the spawn does the child boot meanwhile.
  const build = await buildWorkspace({ root, outDir: join(root, '.elixirscope', 'build'), mode, include: opts.include, exclude: opts.exclude, entry: program }).catch(refuse);
  for (const e of build.errors) log(`${e.file}:${e.line}:${e.column}: ${e.message}`);
  if (!build.manifest.files[program]) {
    const own = build.errors.filter((e) => e.file === program);
    await refuse(new RecordError(own.length ? `cannot instrument ${program}: ${own[0].message} (${own[0].file}:${own[0].line}:${own[0].column})` : `${program} is not part of the instrumented workspace ${root}`, build.errors));
  }
  log(`instrumented ${build.built + build.reused} files (${build.built} rebuilt) in ${Math.round(build.ms)} ms, mode ${mode}`);

  const dir = resolve(opts.out ?? join(root, '.elixirscope', 'recordings', new Date().toISOString().replace(/[:.]/g, '-')));
  try {
    mkdirSync(dir, { recursive: true }); // an unusable folder fails here, before the program runs
    checkRecordingFolder(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await refuse(new RecordError(err instanceof RecordingError ? err.message
      : code === 'EEXIST' || code === 'ENOTDIR' ? `cannot record into ${dir}: it is a file, not a folder` : `cannot record into ${dir}: ${(err as Error).message}`));
  }
  const live = opts.live && new LiveControl(opts.live(build.manifest));
  liveRef.control = live || undefined;
  meta = { program, args, cwd, root, mode, nodeVersion: process.version, startTime, ...(callBudget ? { callBudget } : {}) };
  manifest = build.manifest;
  writerReady = import('../store/writer').then(({ RecordingWriter }) => RecordingWriter.create(dir, meta!, build.manifest));
  const opened = writerReady;
  gate.open({ manifest: build.manifestPath, ...(live ? { live: live.initialSpec } : {}) });
  let killedFor: NodeJS.Signals | undefined;
  const finished = Promise.race([spawned, exited.then(async ({ code, exitSignal }) => {
    const signal = exitSignal === 'SIGKILL' && killedFor ? killedFor : exitSignal;
    const writer = await opened;
    await ipc.whenIdle();
    await ipc.close();
    if (!connected) await writer.end(false);
    // A thread writer that failed to open has already failed its connection; the others flush.
    await Promise.allSettled(threadWriters);
    writer.setExitCode(exitStatus(code, signal));
    await writer.flush();
    return { code, signal };
  })]);
  finished.catch(() => undefined); // its consumer attaches later: not an unhandled rejection meanwhile
  let writer: RecordingWriter;
  try {
    writer = await opened;
  } catch (err) {
    finished.catch(() => undefined);
    child.kill('SIGKILL');
    await ipc.close();
    throw err;
  }
  const closeThreads = async (): Promise<void> => { await Promise.allSettled(threadWriters); await Promise.all(threads.map((t) => t.writer.close())); };
  const interrupt = (signal: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null || writer.exiting || live?.blocked || threads.some((t) => t.live?.blocked)) return;
      killedFor = signal;
      child.kill('SIGKILL');
    }, INTERRUPT_GRACE_MS).unref();
  };
  return { dir, root, writer, child, finished, buildErrors: build.errors, manifest: build.manifest, live, threads, closeThreads, interrupt };
}

/** The child's stdio with the start gate's pipe at GATE_FD. */
function withGate(stdio: StdioOptions): StdioOptions {
  const base = typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio].slice(0, GATE_FD);
  while (base.length < GATE_FD) base.push('ignore');
  return [...base, 'pipe'];
}

/** The adapter's end of the start gate: open it once (the program runs) or close it (it never does). */
function startGate(child: ChildProcess): { open(message: GateMessage): void; close(): void } {
  const pipe = child.stdio[GATE_FD] as Writable | null;
  pipe?.on('error', () => undefined); // a child that failed to start or died: its exit says so
  let done = false;
  const send = (message: GateMessage): void => {
    if (done) return;
    done = true;
    pipe?.end(JSON.stringify(message) + '\n');
  };
  return { open: send, close: () => send({ abort: true }) };
}

/** ELIXIRSCOPE_OPTIONS for the runtime: snapshot limits, redaction patterns and call budget, when given. */
function runtimeOptions(opts: RecordOptions, callBudget: number): Record<string, string> {
  const options = { ...opts.snapshot, ...(opts.redact?.length ? { redact: opts.redact } : {}), ...(callBudget > 0 ? { callBudget } : {}) };
  return Object.keys(options).length ? { ELIXIRSCOPE_OPTIONS: JSON.stringify(options) } : {};
}
