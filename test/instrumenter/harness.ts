/**
 * Test harness for the instrumenter: runs a fixture program transpiled plainly (the baseline) and
 * instrumented, each in a child node with a recording stub of the hooks, and returns what happened.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ts } from 'ts-morph';
import type { Mode } from '../../protocol/events';
import type { FileSiteTable, Site } from '../../protocol/sites';
import { instrumentSource, transpilePlain } from '../../instrumenter';

function findFixtures(): string {
  const candidates = [
    path.resolve(__dirname, '../../../test/fixtures/instrumenter'),
    path.resolve(process.cwd(), 'test/fixtures/instrumenter'),
  ];
  const found = candidates.find((c) => fs.existsSync(path.join(c, '_stub.cjs')));
  if (!found) throw new Error('test/fixtures/instrumenter not found');
  return found;
}

export const FIXTURES = findFixtures();
export const STUB = path.join(FIXTURES, '_stub.cjs');
export const LOADER = path.join(FIXTURES, '_loader.cjs');

export interface RunOutput { stdout: string; stderr: string; status: number | null }

export type Event = [string, number, ...unknown[]];
export interface Recording { files: Array<{ hash: string; path: string; count: number; base: number }>; events: Event[] }

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `es-instr-${prefix}-`));
}

export function runNode(file: string, opts: { args?: string[]; env?: Record<string, string>; cwd?: string } = {}): RunOutput {
  const r = spawnSync(process.execPath, [...(opts.args ?? []), file], {
    cwd: opts.cwd ?? path.dirname(file), encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Compiler options from a fixture's first line: `// @es-options {...}`. */
export function fixtureOptions(text: string): ts.CompilerOptions | undefined {
  const m = /^\/\/ @es-options (\{.*\})/.exec(text);
  return m ? JSON.parse(m[1]!) as ts.CompilerOptions : undefined;
}

export interface FixtureRun {
  source: string;
  text: string;
  table: FileSiteTable;
  code: string;
  base: RunOutput;
  inst: RunOutput;
  rec: Recording;
}

const baseCache = new Map<string, RunOutput>();

/** Run fixture `name` plainly and instrumented in `mode`. */
export function runFixture(name: string, mode: Mode, nodeArgs: string[] = []): FixtureRun {
  const source = path.join(FIXTURES, name);
  const text = fs.readFileSync(source, 'utf8');
  const options = fixtureOptions(text);
  const esm = /\.m[jt]s$/.test(name);
  const outName = name.replace(/\.[cm]?[jt]sx?$/, esm ? '.mjs' : '.js');
  const dir = tmpDir(name.replace(/\W/g, '_'));
  const plain = transpilePlain(source, text, options);
  if (plain.errors.length) throw new Error(`baseline transpile failed: ${JSON.stringify(plain.errors)}`);
  const inst = instrumentSource(source, text, mode, options);
  if (inst.errors.length) throw new Error(`instrumentation failed: ${JSON.stringify(inst.errors)}`);
  fs.mkdirSync(path.join(dir, 'base'));
  fs.mkdirSync(path.join(dir, 'inst'));
  // Same file name in both runs so that anything printing paths compares equal after normalizing the folder.
  const basePath = path.join(dir, 'base', outName);
  const instPath = path.join(dir, 'inst', outName);
  fs.writeFileSync(basePath, plain.code);
  fs.writeFileSync(instPath, inst.code);
  const eventsFile = path.join(dir, 'events.json');
  const key = `${name}\0${nodeArgs.join(' ')}`;
  let base = baseCache.get(key);
  if (!base) { base = runNode(basePath, { args: ['-r', STUB, ...nodeArgs] }); baseCache.set(key, base); }
  const instOut = runNode(instPath, { args: ['-r', STUB, ...nodeArgs], env: { ES_EVENTS: eventsFile } });
  const rec = fs.existsSync(eventsFile) ? JSON.parse(fs.readFileSync(eventsFile, 'utf8')) as Recording : { files: [], events: [] };
  const norm = (o: RunOutput, folder: string): RunOutput => ({ ...o, stdout: o.stdout.split(folder).join('<dir>'), stderr: o.stderr.split(folder).join('<dir>') });
  fs.rmSync(dir, { recursive: true, force: true });
  return { source, text, table: inst.table, code: inst.code, base: norm(base, path.join(dir, 'base')), inst: norm(instOut, path.join(dir, 'inst')), rec };
}

/** Local site of an event (single-file recordings: base 0). */
export function siteOf(run: FixtureRun, ev: Event): Site {
  const s = run.table.sites[ev[1] - (run.rec.files[0]?.base ?? 0)];
  if (!s) throw new Error(`event ${JSON.stringify(ev)} names no site (table has ${run.table.sites.length})`);
  return s;
}

/**
 * Structural sanity of a recording; returns a list of problems (empty when sane):
 * every event names a site of the right kind; every call is exited exactly once, after it;
 * suspends and resumes alternate per frame and are balanced at the end.
 */
export function checkRecording(run: FixtureRun, opts: { allowOpenFrames?: boolean } = {}): string[] {
  const problems: string[] = [];
  const expectKinds: Record<string, number[]> = {
    s: [2], c: [0, 1], e: [0, 1], x: [0, 1], r: [7], w: [3], p: [4], m: [4], sp: [5, 6], rs: [5, 6, 0, 1],
  };
  if (run.rec.files.length !== 1) problems.push(`expected 1 file registration, got ${run.rec.files.length}`);
  else if (run.rec.files[0]!.count !== run.table.sites.length) problems.push('file() siteCount differs from the table');
  const open = new Map<number, number>();
  const suspended = new Map<number, number>();
  for (const ev of run.rec.events) {
    let site: Site;
    try { site = siteOf(run, ev); } catch (e) { problems.push((e as Error).message); continue; }
    if (!expectKinds[ev[0]]!.includes(site.kind)) problems.push(`${ev[0]} on a site of kind ${site.kind} (line ${site.line})`);
    if (ev[0] === 'c') open.set(ev[2] as number, ev[1]);
    if (ev[0] === 'e') {
      const f = ev[2] as number;
      if (open.get(f) !== ev[1]) problems.push(`exit of frame ${f} (site ${ev[1]}) without a matching call`);
      open.delete(f);
    }
    if (ev[0] === 'sp' || ev[0] === 'rs') {
      const f = ev[2] as number;
      // rs on the function's own site: a recovery point (catch/finally entry), a no-op unless suspended.
      if (ev[0] === 'rs' && (site.kind === 0 || site.kind === 1) && !suspended.get(f)) continue;
      if (!open.has(f)) problems.push(`${ev[0]} for frame ${f} that is not open (line ${site.line})`);
      const d = (suspended.get(f) ?? 0) + (ev[0] === 'sp' ? 1 : -1);
      if (d < 0 || d > 1) problems.push(`unbalanced ${ev[0]} for frame ${f} at line ${site.line}`);
      suspended.set(f, d);
    }
  }
  if (!opts.allowOpenFrames && open.size) {
    problems.push(`frames never exited: ${[...open.values()].map((s) => run.table.sites[s]?.name + '@' + run.table.sites[s]?.line).join(', ')}`);
  }
  return problems;
}

/** Lines that had a step event. */
export function steppedLines(run: FixtureRun): Set<number> {
  return new Set(run.rec.events.filter((e) => e[0] === 's').map((e) => siteOf(run, e).line));
}

/** Values recorded by write events at write sites named `name`. */
export function writesOf(run: FixtureRun, name: string): unknown[] {
  return run.rec.events.filter((e) => e[0] === 'w' && siteOf(run, e).name === name).map((e) => e[2]);
}

export function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not found`);
  return i + 1;
}
