/**
 * Turns the user's breakpoints into the sites a live program pauses at (runtime/live.ts), from
 * the build's site tables, so files not loaded yet pause too. The binding rules are the engine's
 * (bindLine, first statement by column, function name match): the runtime pauses where the engine
 * would stop, and the engine still decides (conditions, hit counts) when the pause arrives.
 */
import { readFileSync } from 'node:fs';
import { SiteKind, type BuildManifest, type FileSiteTable } from '../../protocol/sites';
import type { LiveBreakpoints } from '../../runtime/wire';
import { bindLine } from '../engine/site-index';
import { functionBreakpointMatches, type BreakpointTable } from './breakpoints';

export class LiveBreakpointSites {
  private readonly tables = new Map<string, FileSiteTable | null>();

  constructor(private readonly manifest: BuildManifest) {}

  sitesFor(table: BreakpointTable): LiveBreakpoints {
    const { lines, functions } = table.stopsToPause();
    const spec: LiveBreakpoints = { sites: {}, throws: table.exceptionFilters.has('all'), uncaught: table.exceptionFilters.has('uncaught') };
    const add = (file: string, local: number): void => { (spec.sites[file] ??= []).push(local); };
    for (const [path, requested] of lines) {
      const t = this.table(path);
      if (t) for (const line of requested) { const local = firstStatementOn(t, line); if (local !== undefined) add(t.file, local); }
    }
    if (functions.length) {
      for (const file of Object.keys(this.manifest.files)) {
        this.table(file)?.sites.forEach((site, local) => { if (functions.some((name) => functionBreakpointMatches(site, name))) add(file, local); });
      }
    }
    return spec;
  }

  /** Local indexes of the statements in the module body of `file` (where a program's entry stop is). */
  moduleStatements(file: string): number[] {
    const out: number[] = [];
    this.table(file)?.sites.forEach((site, local) => { if (site.kind === SiteKind.Statement && site.fn === 0) out.push(local); });
    return out;
  }

  private table(path: string): FileSiteTable | undefined {
    if (!this.tables.has(path)) {
      const entry = Object.hasOwn(this.manifest.files, path) ? this.manifest.files[path] : undefined;
      let t: FileSiteTable | null = null;
      try { if (entry) t = JSON.parse(readFileSync(entry.sites, 'utf8')) as FileSiteTable; } catch { t = null; }
      this.tables.set(path, t);
    }
    return this.tables.get(path) ?? undefined;
  }
}

function firstStatementOn(table: FileSiteTable, requested: number): number | undefined {
  const statements = table.sites.map((site, local) => ({ site, local })).filter((s) => s.site.kind === SiteKind.Statement);
  const line = bindLine(statements.map((s) => s.site.line), requested);
  const onLine = statements.filter((s) => s.site.line === line).sort((a, b) => a.site.column - b.site.column);
  return onLine[0]?.local;
}
