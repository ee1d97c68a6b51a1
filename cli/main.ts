import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MODES, type Mode } from '../protocol/events';
import { exitStatus, RecordError, startRecording } from '../adapter/targets/record';
import { RecordingError } from '../adapter/store/errors';

const USAGE = `usage:
  elixirscope instrument [--mode full|balanced|minimal] [DIR]
  elixirscope record [--mode full|balanced|minimal] [--out DIR] [--call-budget N] [--quiet] -- <program.ts|program.js> [args...]
  elixirscope query DIR stats [--json]
  elixirscope query DIR hits --file F --line N [--json]
  elixirscope query DIR state --seq S [--json]
  elixirscope query DIR history --file F --line N --name X [--json]
  elixirscope query DIR writes --name X [--file F] [--json]
  elixirscope query DIR functions [--json]`;

class UsageError extends Error {}

function say(message: string, quiet = false) {
  if (!quiet) for (const line of message.split('\n')) process.stderr.write(`elixirscope: ${line}\n`);
}

function takeFlag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

function takeSwitch(args: string[], name: string): boolean {
  const at = args.indexOf(name);
  if (at >= 0) args.splice(at, 1);
  return at >= 0;
}

function takeNumber(args: string[], name: string): number {
  const text = takeFlag(args, name);
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`${name} needs a whole number`);
  return Number(text);
}

async function record(argv: string[]): Promise<number> {
  const dashes = argv.indexOf('--');
  const own = dashes >= 0 ? argv.slice(0, dashes) : argv.slice(0, 0);
  const rest = dashes >= 0 ? argv.slice(dashes + 1) : argv;
  const quiet = takeSwitch(own, '--quiet');
  const mode = (takeFlag(own, '--mode') ?? 'full') as Mode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
  const out = takeFlag(own, '--out');
  const callBudget = own.includes('--call-budget') ? takeNumber(own, '--call-budget') : undefined;
  if (own.length) throw new UsageError(`unknown option ${own[0]}`);
  const [program, ...args] = rest;
  if (!program) throw new UsageError('record needs a program');
  const started = Date.now();
  const rec = await startRecording({ program, args, mode, out, callBudget, stdio: 'inherit', log: (m) => say(m, quiet) });
  process.on('SIGINT', rec.interrupt).on('SIGTERM', rec.interrupt);
  const { code, signal } = await rec.finished;
  const stats = await rec.writer.flush().then(() => rec.writer.length);
  await rec.writer.close();
  await rec.closeThreads();
  say(`recorded ${stats} events in ${Date.now() - started} ms into ${rec.dir}${rec.writer.elision ? `; ${rec.writer.elision}` : ''}`, quiet);
  if (signal) say(`program ended by ${signal}`, quiet);
  return exitStatus(code, signal);
}

/** Builds (incrementally) the instrumented copy of a workspace; errors as file:line:column lines a problem matcher reads. */
async function instrument(argv: string[]): Promise<number> {
  const mode = (takeFlag(argv, '--mode') ?? 'full') as Mode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
  if (argv.length > 1 || argv[0]?.startsWith('--')) throw new UsageError(`unexpected ${argv[argv.length - 1]}`);
  const { buildWorkspace } = await import('../instrumenter');
  const root = resolve(argv[0] ?? process.cwd());
  if (!existsSync(root)) throw new UsageError(`no such folder: ${root}`);
  const build = await buildWorkspace({ root, outDir: join(root, '.elixirscope', 'build'), mode });
  for (const e of build.errors) say(`${e.file}:${e.line}:${e.column}: error: ${e.message}`);
  say(`instrumented ${build.built + build.reused} files (${build.built} rebuilt) in ${Math.round(build.ms)} ms, mode ${mode}${build.errors.length ? `, ${build.errors.length} errors` : ''}`);
  return build.errors.length ? 1 : 0;
}

/** The worker threads of a recording (each a recording of its own, adapter/store/threads.ts), when it has any. */
async function threadStats(dir: string, Engine: typeof import('../adapter/engine/engine').TemporalEngine): Promise<{ threads?: unknown[] }> {
  const { threadDirs } = await import('../adapter/store/threads');
  const threads = [];
  for (const t of threadDirs(dir)) {
    const engine = await Engine.open(t.dir);
    try {
      const { events, complete } = engine.stats();
      const { name, filename } = engine.reader.meta.thread ?? { filename: '[unknown]' };
      threads.push({ threadId: t.threadId, ...(name ? { name } : {}), filename, events, complete, dir: t.dir });
    } finally { await engine.close(); }
  }
  return threads.length ? { threads } : {};
}

async function query(argv: string[]): Promise<number> {
  const [dir, what, ...rest] = argv;
  if (!dir || !what) throw new UsageError('query needs a recording folder and a question');
  const json = takeSwitch(rest, '--json');
  // Loaded here: `record` never needs the engine (nor LevelDB before its program has started).
  const { TemporalEngine } = await import('../adapter/engine/engine');
  const engine = await TemporalEngine.open(dir);
  try {
    let answer: unknown;
    switch (what) {
      case 'stats': {
        const elapsedMs = await engine.timing.elapsedMs();
        answer = { ...engine.stats(), ...(elapsedMs === undefined ? {} : { elapsedMs: Math.round(elapsedMs * 1000) / 1000 }), ...(await threadStats(dir, TemporalEngine)) };
        break;
      }
      case 'functions':
        answer = (await engine.timing.functions())
          .map(({ name, file, line, calls, elided, totalMs, selfMs }) => ({ name, file, line, calls, elided, totalMs, selfMs }))
          .sort((a, b) => (b.totalMs ?? 0) - (a.totalMs ?? 0) || b.calls - a.calls);
        break;
      case 'hits': answer = await engine.hits(need(takeFlag(rest, '--file'), '--file'), takeNumber(rest, '--line')); break;
      case 'state': {
        const seq = takeNumber(rest, '--seq');
        answer = await engine.stateAt(seq);
        if (!answer) throw new UsageError(`no state at seq ${seq} (the recording has ${engine.stats().events} events)`);
        break;
      }
      case 'history': answer = await engine.history(need(takeFlag(rest, '--file'), '--file'), takeNumber(rest, '--line'), need(takeFlag(rest, '--name'), '--name')); break;
      case 'writes': answer = await engine.writes(need(takeFlag(rest, '--name'), '--name'), takeFlag(rest, '--file')); break;
      default: throw new UsageError(`unknown question "${what}"`);
    }
    if (rest.length) throw new UsageError(`unknown option ${rest[0]}`);
    process.stdout.write(json ? JSON.stringify(answer) + '\n' : JSON.stringify(answer, null, 2) + '\n');
    return 0;
  } finally {
    await engine.close();
  }
}

function need(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`${name} is required`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'record') return await record(rest);
    if (command === 'instrument') return await instrument(rest);
    if (command === 'query') return await query(rest);
    if (command === '--help' || command === 'help' || !command) { process.stdout.write(USAGE + '\n'); return command ? 0 : 2; }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError) { say(`${err.message}\n${USAGE}`); return 2; }
    if (err instanceof RecordError || err instanceof RecordingError) { say(err.message); return 2; }
    throw err;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: Error) => { say(`internal error: ${err.stack ?? err.message}`); process.exitCode = 70; });
