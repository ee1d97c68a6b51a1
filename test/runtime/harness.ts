import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { EventSink, RuntimeHello } from '../../adapter/store/sink';
import type { EventKind } from '../../protocol/events';
import { KIND_NAMES } from '../../protocol/events';
import type { RecordedValue } from '../../protocol/values';
import { startIpcServer } from '../../adapter/ipc/server';

export const ROOT = path.resolve(__dirname, '../../..');
export const RUNTIME = path.join(ROOT, 'dist', 'runtime.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'runtime');

export type Ev = [string, number, number, RecordedValue[] | undefined];

export class CollectingSink implements EventSink {
  events: Ev[] = [];
  helloInfo: RuntimeHello | undefined;
  ended: boolean | undefined;
  count = 0;
  constructor(private keep = true, private onEvent?: (kind: number, site: number, arg: number, values: RecordedValue[] | undefined) => void) {}
  event(kind: EventKind, site: number, arg: number, values: RecordedValue[] | undefined): void {
    this.count++;
    if (this.onEvent) this.onEvent(kind, site, arg, values);
    if (this.keep) this.events.push([KIND_NAMES[kind], site, arg, values]);
  }
  hello(info: RuntimeHello): void { this.helloInfo = info; }
  async end(clean: boolean): Promise<void> { this.ended = clean; }
}

export interface RunResult {
  sinks: CollectingSink[];
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  env?: Record<string, string>;
  keep?: boolean;
  onEvent?: (kind: number, site: number, arg: number, values: RecordedValue[] | undefined) => void;
  /** Called with the child once it printed `ready`. */
  onReady?: (child: import('node:child_process').ChildProcess, sinks: CollectingSink[]) => void;
  tokenOverride?: string;
}

/** Run `node -r dist/runtime.js <script> ...args` against a real IPC server; collect everything. */
export async function runWithRuntime(script: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const sinks: CollectingSink[] = [];
  const server = await startIpcServer(() => {
    const s = new CollectingSink(opts.keep ?? true, opts.onEvent);
    sinks.push(s);
    return s;
  });
  try {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...server.env, ...(opts.env ?? {}) };
    if (opts.tokenOverride !== undefined) env.ELIXIRSCOPE_TOKEN = opts.tokenOverride;
    const child = spawn(process.execPath, ['-r', RUNTIME, script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    let readySent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!readySent && stdout.includes('ready') && opts.onReady) { readySent = true; opts.onReady(child, sinks); }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on('close', (c, s) => resolve([c, s]));
    });
    await server.whenIdle();
    return { sinks, stdout, stderr, code, signal };
  } finally {
    await server.close();
  }
}

/** Run a script with plain node (no runtime), for comparing outputs. */
export async function runPlain(script: string, args: string[], env?: Record<string, string>, preload = false): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [...(preload ? ['-r', RUNTIME] : []), script, ...args], { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { stdout, stderr, code };
}
