import { SiteKind, type Site } from '../../protocol/sites';
import type { RecordingReader } from '../store/reader';

/** The line a breakpoint on `line` binds to, among lines that have statements: itself, else the next one. */
export function bindLine(linesWithCode: Iterable<number>, line: number): number | undefined {
  let best: number | undefined;
  for (const l of linesWithCode) if (l >= line && (best === undefined || l < best)) best = l;
  return best;
}

/** Static lookups over the recording's site table: lines → statement sites, function of a site. */
export class SiteIndex {
  /** function/module site → its write sites. */
  private writesByFunction = new Map<number, number[]>();
  /** file → line → statement site ids on that line, ordered by column. */
  private byLine = new Map<string, Map<number, number[]>>();
  private fileBase = new Map<string, number>();

  constructor(private readonly reader: RecordingReader) { this.rebuild(); }

  rebuild(): void {
    this.byLine.clear();
    this.writesByFunction.clear();
    for (const f of this.reader.files) this.fileBase.set(f.file, f.base);
    this.reader.sites.forEach((site, id) => {
      if (site && site.kind === SiteKind.Write) {
        const fn = this.functionOf(id);
        this.writesByFunction.set(fn, [...(this.writesByFunction.get(fn) ?? []), id]);
      }
      if (!site || site.kind !== SiteKind.Statement) return;
      const file = this.reader.siteFile[id];
      let lines = this.byLine.get(file);
      if (!lines) this.byLine.set(file, (lines = new Map()));
      const list = lines.get(site.line) ?? [];
      list.push(id);
      list.sort((a, b) => this.reader.sites[a].column - this.reader.sites[b].column);
      lines.set(site.line, list);
    });
  }

  site(id: number): Site | undefined { return this.reader.sites[id]; }

  /** Write sites inside function (or module) site `fn` (not in functions nested in it). */
  writesOf(fn: number): readonly number[] { return this.writesByFunction.get(fn) ?? []; }
  file(id: number): string { return this.reader.siteFile[id]; }
  get files(): string[] { return [...this.byLine.keys()]; }

  /** Global id of the function/module site enclosing `id`. */
  functionOf(id: number): number {
    const site = this.reader.sites[id];
    if (!site) return -1;
    if (site.kind === SiteKind.Function || site.kind === SiteKind.Module) return id;
    return (this.fileBase.get(this.reader.siteFile[id]) ?? 0) + site.fn;
  }

  /** Statement sites on `line` of `file`, by column. */
  statementsOn(file: string, line: number): number[] { return this.byLine.get(file)?.get(line) ?? []; }

  /** The line a breakpoint on `line` binds to: itself if it has code, else the next line that does. */
  bindLine(file: string, line: number): number | undefined {
    const lines = this.byLine.get(file);
    return lines && bindLine(lines.keys(), line);
  }

  /** Lines with code in `file` between two lines (inclusive), for breakpointLocations. */
  linesBetween(file: string, from: number, to: number): number[] {
    return [...(this.byLine.get(file)?.keys() ?? [])].filter((l) => l >= from && l <= to).sort((a, b) => a - b);
  }

  /** Accepts absolute paths as recorded; also matches a path by suffix (relative paths from the CLI). */
  resolveFile(file: string): string | undefined {
    if (this.byLine.has(file)) return file;
    const norm = file.replace(/\\/g, '/').replace(/^\.\//, '');
    return this.files.find((f) => f === norm || f.endsWith('/' + norm));
  }
}
