/**
 * Helpers of the equivalence suite: run a program plainly and under `elixirscope record`, compare,
 * and measure how much of the instrumented code ran (statement and function coverage).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventKind, type Mode } from '../../protocol/events';
import { SiteKind, type BuildManifest, type FileSiteTable } from '../../protocol/sites';
import { packageRoot } from '../../adapter/targets/paths';
import { TemporalEngine } from '../../adapter/engine/engine';

export const ROOT = packageRoot();
export const CLI = join(ROOT, 'bin', 'elixirscope.js');

export interface Outcome { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

function run(args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Outcome {
  const t0 = Date.now();
  // argv0 `node`, as when typed in a shell: process.argv0 is one of the things compared.
  const r = spawnSync(process.execPath, args, { argv0: 'node', cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  if (r.error) throw new Error(`${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

/** `node <program>` from `cwd`. */
export function runPlain(program: string, cwd: string, env: Record<string, string> = {}, timeoutMs = 300000): Outcome {
  return run([program], cwd, env, timeoutMs);
}

/** `node bin/elixirscope.js record --quiet --mode M --out DIR -- <program>` from `cwd`. */
export function runRecorded(program: string, cwd: string, out: string, mode: Mode = 'full', env: Record<string, string> = {}, timeoutMs = 300000): Outcome {
  return run([CLI, 'record', '--quiet', '--mode', mode, '--out', out, '--', program], cwd, env, timeoutMs);
}

export interface CliStats {
  events: number; sites: number; files: number; frames: number; bytes: number; durationMs: number; complete: boolean; exitCode?: number; dropped: number; mode: string; program: string;
  /** The recording's worker threads, when it has any. */
  threads?: Array<{ threadId: number; name?: string; filename: string; events: number; complete: boolean; dir: string }>;
}

/** `elixirscope query DIR stats --json`. */
export function queryStats(dir: string): CliStats {
  const r = run([CLI, 'query', dir, 'stats', '--json'], ROOT, {}, 120000);
  if (r.code !== 0) throw new Error(`query ${dir} stats: exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout) as CliStats;
}

/** The first place two texts differ, with a little context (assertion messages stay readable). */
export function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  plain:    ${JSON.stringify((a[i] ?? '<none>').slice(0, 400))}\n  recorded: ${JSON.stringify((b[i] ?? '<none>').slice(0, 400))}`;
  }
  return 'no difference';
}

export interface FileCoverage { file: string; statements: number; statementsRan: number; functions: number; functionsCalled: number; loaded: boolean }

/**
 * Statement and function coverage of a recording: distinct statement sites with a step event and
 * distinct function sites with a call event, against every site of every file in the build manifest
 * (files the program never loaded count with nothing run). There is no CLI query for this yet; it
 * reads the recording through the engine (read-only) and the build folder's site tables.
 */
export async function coverage(recording: string, manifestPath: string): Promise<FileCoverage[]> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BuildManifest;
  const engine = await TemporalEngine.open(recording);
  try {
    const ranSites = new Set<number>();
    await engine.nav.events.scan(0, 1, (c, i) => {
      const k = c.kinds[i];
      if (k === EventKind.Step || k === EventKind.Call) ranSites.add(c.sites[i]);
      return undefined;
    });
    const loaded = new Map<string, { base: number; count: number }>();
    for (const f of engine.reader.files) loaded.set(f.file, { base: f.base, count: f.count });
    const out: FileCoverage[] = [];
    for (const [file, entry] of Object.entries(manifest.files)) {
      if (!existsSync(entry.sites)) continue;
      const table = JSON.parse(readFileSync(entry.sites, 'utf8')) as FileSiteTable;
      const at = loaded.get(file);
      const cov: FileCoverage = { file, statements: 0, statementsRan: 0, functions: 0, functionsCalled: 0, loaded: !!at };
      table.sites.forEach((site, i) => {
        const ran = !!at && ranSites.has(at.base + i);
        if (site.kind === SiteKind.Statement) { cov.statements++; if (ran) cov.statementsRan++; }
        else if (site.kind === SiteKind.Function) { cov.functions++; if (ran) cov.functionsCalled++; }
      });
      out.push(cov);
    }
    return out;
  } finally {
    await engine.close();
  }
}

/** Sums of coverage over the files whose path contains `part`. */
export function sumCoverage(files: FileCoverage[], part: string): { files: number; loaded: number; statements: number; statementsRan: number; functions: number; functionsCalled: number } {
  const s = { files: 0, loaded: 0, statements: 0, statementsRan: 0, functions: 0, functionsCalled: 0 };
  for (const f of files) {
    if (!f.file.includes(part)) continue;
    s.files++; if (f.loaded) s.loaded++;
    s.statements += f.statements; s.statementsRan += f.statementsRan;
    s.functions += f.functions; s.functionsCalled += f.functionsCalled;
  }
  return s;
}

export function pct(part: number, whole: number): string {
  return whole ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}
