import { EventKind } from '../../protocol/events';
import { SiteKind } from '../../protocol/sites';
import { RecordingReader } from '../store/reader';
import { Navigator, type Stop } from './navigator';
import { renderValue } from './render';
import { SiteIndex } from './site-index';
import { StateReader, type Local } from './state';

export interface Hit { seq: number; frame: number }
export interface HistoryEntry { seq: number; value: string }
export interface StateAt {
  seq: number;
  file: string;
  line: number;
  stack: Array<{ name: string; file: string; line: number; column: number; locals: Record<string, string> }>;
}
export interface Stats { events: number; sites: number; files: number; frames: number; bytes: number; durationMs: number; complete: boolean; exitCode?: number; dropped: number; mode: string; program: string }

/** The temporal query engine: answers questions about a recording. Knows nothing of DAP. */
export class TemporalEngine {
  readonly sites: SiteIndex;
  readonly nav: Navigator;
  readonly state: StateReader;

  private constructor(readonly reader: RecordingReader) {
    this.sites = new SiteIndex(reader);
    this.nav = new Navigator(reader, this.sites);
    this.state = new StateReader(this.nav);
  }

  static async open(dir: string): Promise<TemporalEngine> { return new TemporalEngine(await RecordingReader.open(dir)); }
  static over(reader: RecordingReader): TemporalEngine { return new TemporalEngine(reader); }

  /** Picks up events stored since the last look (live recordings). */
  async refresh(): Promise<void> { await this.reader.refresh(); this.sites.rebuild(); }
  async close(): Promise<void> { await this.reader.close(); }

  stats(): Stats {
    const s = this.reader.stats;
    return {
      events: s.events, sites: this.reader.sites.filter(Boolean).length, files: this.reader.files.length, frames: s.frames,
      bytes: this.reader.bytesOnDisk(), durationMs: s.durationMs, complete: s.complete, exitCode: s.exitCode, dropped: s.dropped,
      mode: this.reader.meta.mode, program: this.reader.meta.program,
    };
  }

  /** Every time `line` of `file` ran, in time order (the first statement on the line). */
  async hits(file: string, line: number): Promise<Hit[]> {
    const sites = this.lineSites(file, line);
    const hits: Hit[] = [];
    if (!sites.size) return hits;
    await this.nav.events.scan(0, 1, (c, i, seq) => {
      if (c.kinds[i] === EventKind.Step && sites.has(c.sites[i])) hits.push({ seq, frame: c.frames[i] });
    });
    return hits;
  }

  /** The value variable `name` had each time `line` ran (as seen by the frame running that line, else its module). */
  async history(file: string, line: number, name: string): Promise<HistoryEntry[]> {
    const sites = this.lineSites(file, line);
    if (!sites.size) return [];
    const writeSites = new Set<number>();
    this.reader.sites.forEach((s, id) => { if (s && s.kind === SiteKind.Write && s.name === name) writeSites.add(id); });
    const byFrame = new Map<number, Local>();
    const moduleFrames = new Set<number>();
    let moduleValue: Local | undefined;
    const seen: Array<{ seq: number; local: Local }> = [];
    await this.nav.events.scan(0, 1, (c, i, seq) => {
      const kind = c.kinds[i];
      if (kind === EventKind.Call && this.sites.site(c.sites[i])?.kind === SiteKind.Module) moduleFrames.add(c.frames[i]);
      else if (kind === EventKind.Write && writeSites.has(c.sites[i])) {
        const local = { name, value: c.values[c.valueAt[i]], writtenAt: seq };
        byFrame.set(c.frames[i], local);
        if (moduleFrames.has(c.frames[i])) moduleValue = local;
      } else if (kind === EventKind.Step && sites.has(c.sites[i])) {
        const local = byFrame.get(c.frames[i]) ?? moduleValue;
        if (local) seen.push({ seq, local });
      }
    });
    const out: HistoryEntry[] = [];
    for (const { seq, local } of seen) out.push({ seq, value: renderValue((await this.state.withPropertyWrites([local], seq))[0].value) });
    return out;
  }

  /** Full state at `seq`: location and every frame's locals. */
  async stateAt(seq: number): Promise<StateAt | undefined> {
    const stop = await this.stopNear(seq);
    if (!stop) return undefined;
    const frames = await this.state.stack(stop);
    const stack = [];
    for (const f of frames) {
      const locals: Record<string, string> = {};
      for (const l of await this.state.locals(f.frame, f.seq)) locals[l.name] = renderValue(l.value);
      stack.push({ name: f.name, file: f.file, line: f.line, column: f.column, locals });
    }
    return { seq: stop.seq, file: frames[0].file, line: frames[0].line, stack };
  }

  /** The stop at `seq`, or the location of the frame running at `seq`. */
  async stopNear(seq: number): Promise<Stop | undefined> {
    const exact = await this.nav.stopAt(seq);
    if (exact) return exact;
    const e = await this.nav.events.at(seq);
    if (!e) return undefined;
    const site = await this.nav.locationOf(e.frame, seq);
    return site >= 0 ? { seq, frame: e.frame, site } : undefined;
  }

  /** Statement sites a breakpoint on `line` of `file` binds to (the first statement of the bound line). */
  lineSites(file: string, line: number): Set<number> {
    const resolved = this.sites.resolveFile(file);
    if (!resolved) return new Set();
    const bound = this.sites.bindLine(resolved, line);
    const sites = bound === undefined ? [] : this.sites.statementsOn(resolved, bound);
    return new Set(sites.slice(0, 1));
  }
}
