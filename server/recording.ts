/**
 * What the language server knows about one recording, read through adapter/engine only.
 *
 * A view reads a private snapshot of the recording (see adapter/store/snapshot.ts), so it never
 * locks out or modifies the recording, the debug adapter and the CLI read it at the same time,
 * and a recording still being written shows what was written up to the load. The view keeps its
 * engine open (hovers ask it, one question at a time) until `close()`. Code lenses and
 * diagnostics are computed once at load; `changed()` says whether the recording's folder has been
 * written since, so the server can load a fresh view of a live recording.
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

/** Worth trying again shortly: the store kept changing under the snapshot (a burst of compactions while recording). */
export function isTransient(err: unknown): boolean {
  return err instanceof RecordingError && /kept changing/i.test(err.message);
}

/** What the store files of `dir` look like now: names and sizes of CURRENT, MANIFEST, logs and tables (a writer changes at least one). */
export function storeSignature(dir: string): string {
  try {
    return readdirSync(dir).filter((n) => /^(CURRENT|MANIFEST-\d+|\d+\.(log|ldb|sst))$/.test(n)).sort()
      .map((n) => `${n}:${statSync(join(dir, n), { throwIfNoEntry: false })?.size ?? -1}`).join(',');
  } catch { return ''; }
}

export class RecordingView {
  private writesCache = new Map<string, ValueHistory>();
  private queue: Promise<unknown> = Promise.resolve();

  private closed = false;

  private constructor(
    private readonly engine: TemporalEngine,
    readonly dir: string,
    /** storeSignature of the folder just before the snapshot was taken. */
    private readonly signature: string,
    /** Events readable in this view, and whether the recording had ended when it was loaded. */
    readonly events: number,
    readonly complete: boolean,
    /** Absolute recorded file path → functions that ran in it. */
    readonly functions: Map<string, FunctionRuns[]>,
    /** Throw origins grouped by place, type, message and caught/uncaught. */
    readonly throws: ThrowGroup[],
    readonly files: string[],
  ) {}

  /** Opens (a snapshot of) the recording and computes lenses and diagnostics. Throws RecordingError. */
  static async load(dir: string): Promise<RecordingView> {
    const signature = storeSignature(dir);
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
      return new RecordingView(engine, dir, signature, reader.length, reader.stats.complete, functions, [...groups.values()], reader.files.map((f) => f.file));
    } catch (err) {
      await engine.close();
      throw err;
    }
  }

  /** Whether the recording's folder has been written since this view was loaded (a live recording grew). */
  changed(): boolean { return storeSignature(this.dir) !== this.signature; }

  /** Closes the engine (and its snapshot) once the questions under way are answered. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const done = this.queue.then(() => this.engine.close());
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Every value variable `name` took in `file` (first `limit` entries and the total), or undefined when the file was not recorded. */
  history(name: string, file: string, limit: number): Promise<ValueHistory | undefined> {
    if (!this.files.includes(file)) return Promise.resolve(undefined);
    const key = `${file}\0${name}`;
    const cached = this.writesCache.get(key);
    if (cached) return Promise.resolve(cached);
    // one question at a time on the engine (its caches are not made for interleaved scans)
    const run = this.queue.then(async () => {
      const again = this.writesCache.get(key);
      if (again) return again;
      if (this.closed) throw new RecordingError(`${this.dir}: this view of the recording was closed (a newer one was loaded)`);
      const all = await this.engine.writes(name, file);
      const h: ValueHistory = { name, total: all.length, entries: all.slice(0, limit) };
      this.writesCache.set(key, h);
      return h;
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
