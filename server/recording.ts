/**
 * What the language server knows about one recording, read through adapter/engine only.
 *
 * LevelDB allows one process per store, and the debug adapter opens recordings too (replay), so
 * this never keeps the store open: code lenses and diagnostics are computed once when the
 * recording is loaded, hovers open it for the one question and close it again (answers cached).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TemporalEngine, type WriteEntry } from '../adapter/engine/engine';
import { RecordingError } from '../adapter/store/reader';
import { SiteKind } from '../protocol/sites';

/** `totalMs`: wall-clock time of its calls (recursion counted once), absent when the recording has no time samples. */
export interface FunctionRuns { name: string; line: number; column: number; calls: number; totalMs?: number }

/** A code lens title: "ran 12 times · 3.4 ms total". */
export function lensTitle(f: FunctionRuns): string {
  const runs = `ran ${f.calls} time${f.calls === 1 ? '' : 's'}`;
  return f.totalMs === undefined ? runs : `${runs} · ${formatMs(f.totalMs)} total`;
}

/** 0.04 ms, 3.4 ms, 250 ms, 1.25 s: about three significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 0.01) return `${Number(ms.toPrecision(2))} ms`;
  return ms > 0 ? '<0.01 ms' : '0 ms';
}
export interface ThrowGroup {
  file: string; line: number; column: number; endLine: number; endColumn: number;
  type: string; message: string; count: number; uncaught: boolean;
}
export interface ValueHistory { name: string; total: number; entries: WriteEntry[] }

/** The store is held by another process (a live recording, or the debugger replaying it). */
export function isLocked(err: unknown): boolean {
  return err instanceof RecordingError && /locked/i.test(err.message);
}

export class RecordingView {
  private writesCache = new Map<string, ValueHistory>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    /** Absolute recorded file path → functions that ran in it. */
    readonly functions: Map<string, FunctionRuns[]>,
    /** Throw origins grouped by place, type, message and caught/uncaught. */
    readonly throws: ThrowGroup[],
    readonly files: string[],
  ) {}

  /** Opens the recording, computes lenses and diagnostics, closes it. Throws RecordingError (isLocked) when held. */
  static async load(dir: string): Promise<RecordingView> {
    const engine = await TemporalEngine.open(dir);
    try {
      const { reader } = engine;
      const functions = new Map<string, FunctionRuns[]>();
      // Calls and durations from the frames table, mapped to time through the clock samples.
      for (const t of await engine.timing.functions()) {
        const s = reader.sites[t.site];
        if (!s || s.kind !== SiteKind.Function || !t.calls) continue;
        let list = functions.get(t.file);
        if (!list) functions.set(t.file, (list = []));
        list.push({ name: t.name, line: t.line, column: t.column, calls: t.calls, ...(t.totalMs === undefined ? {} : { totalMs: t.totalMs }) });
      }
      for (const list of functions.values()) list.sort((a, b) => a.line - b.line || a.column - b.column);

      const groups = new Map<string, ThrowGroup>();
      const all = new Set(['all'] as const);
      for (let stop = await engine.exceptions.next(-1, 1, all); stop; stop = await engine.exceptions.next(stop.seq, 1, all)) {
        const detail = await engine.exceptions.detail(stop.seq);
        const site = engine.sites.site(stop.site);
        if (!detail || !site) continue;
        const file = engine.sites.file(stop.site);
        const key = JSON.stringify([file, site.line, site.column, detail.type, detail.message, detail.uncaught]);
        const g = groups.get(key);
        if (g) g.count++;
        else groups.set(key, { file, line: site.line, column: site.column, endLine: site.endLine, endColumn: site.endColumn, type: detail.type, message: detail.message, count: 1, uncaught: detail.uncaught });
      }
      return new RecordingView(dir, functions, [...groups.values()], reader.files.map((f) => f.file));
    } finally {
      await engine.close();
    }
  }

  /** Every value variable `name` took in `file` (first `limit` entries and the total), or undefined when the file was not recorded. */
  history(name: string, file: string, limit: number): Promise<ValueHistory | undefined> {
    if (!this.files.includes(file)) return Promise.resolve(undefined);
    const key = `${file}\0${name}`;
    const cached = this.writesCache.get(key);
    if (cached) return Promise.resolve(cached);
    // one open at a time: LevelDB refuses a second handle even within this process
    const run = this.queue.then(async () => {
      const again = this.writesCache.get(key);
      if (again) return again;
      const engine = await TemporalEngine.open(this.dir);
      try {
        const all = await engine.writes(name, file);
        const h: ValueHistory = { name, total: all.length, entries: all.slice(0, limit) };
        this.writesCache.set(key, h);
        return h;
      } finally {
        await engine.close();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The newest recording folder directly under `base` (a recordings folder), if any. */
export function newestRecording(base: string): string | undefined {
  if (!existsSync(base)) return undefined;
  const dirs = readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(base, e.name, 'CURRENT')))
    .map((e) => ({ dir: join(base, e.name), name: e.name, mtime: statSync(join(base, e.name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  dirs.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
  return dirs.at(-1)?.dir;
}
