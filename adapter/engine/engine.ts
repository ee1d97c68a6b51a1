import { EventKind } from '../../protocol/events';
import { SiteKind } from '../../protocol/sites';
import type { RecordedValue } from '../../protocol/values';
import { callBudgetRefill } from '../../protocol/requests';
import { RecordingReader } from '../store/reader';
import { elidedCalls } from '../store/meta';
import { Navigator, type Stop } from './navigator';
import { renderValue } from './render';
import { SiteIndex } from './site-index';
import { StateReader, type Local } from './state';
import { Postings, PostingsCursor } from './postings';
import { Exceptions } from './exceptions';
import { Breaks } from './breaks';
import { TimelineQuery } from './timeline';
import { Dataflow } from './dataflow';
import { Timing } from './timing';

export interface Hit { seq: number; frame: number }
export interface HistoryEntry { seq: number; value: string }
export interface WriteEntry { seq: number; frame: number; file: string; line: number; column: number; function: string; value: string }
export interface StateAt {
  seq: number;
  file: string;
  line: number;
  stack: Array<{ name: string; file: string; line: number; column: number; locals: Record<string, string> }>;
}
export interface Stats { events: number; sites: number; files: number; frames: number; bytes: number; durationMs: number; complete: boolean; exitCode?: number; dropped: number; mode: string; program: string;
  /** Calls the call budget counted but did not record, over how many functions. */
  elidedCalls: number; elidedFunctions: number;
  /** With a call budget: how many of each function's first calls were recorded, and then how many a second. */
  callBudget?: number; callBudgetPerSecond?: number }

const EXAMINE_LIMIT = 1000;

/** The temporal query engine: answers questions about a recording. Knows nothing of DAP. */
export class TemporalEngine {
  readonly sites: SiteIndex;
  readonly nav: Navigator;
  readonly state: StateReader;
  readonly postings: Postings;
  readonly exceptions: Exceptions;
  readonly breaks: Breaks;
  readonly timeline: TimelineQuery;
  readonly dataflow: Dataflow;
  readonly timing: Timing;

  private constructor(readonly reader: RecordingReader) {
    this.sites = new SiteIndex(reader);
    this.nav = new Navigator(reader, this.sites);
    this.state = new StateReader(this.nav, () => this.postings);
    this.postings = new Postings(reader);
    this.exceptions = new Exceptions(this.nav);
    this.breaks = new Breaks(this.nav, this.state, this.postings, this.exceptions);
    this.timing = new Timing(reader, this.sites);
    this.timeline = new TimelineQuery(this.nav, this.postings, this.timing);
    this.dataflow = new Dataflow(this.nav, (frame) => this.moduleFrameOf(frame));
  }

  /** The frame of the module (file) that defines the function running in `frame`. */
  async moduleFrameOf(frame: number): Promise<number> {
    const record = await this.reader.frame(frame);
    return record ? this.reader.moduleFrame(this.reader.baseOf(record.fn)) : 0;
  }

  static async open(dir: string): Promise<TemporalEngine> { return new TemporalEngine(await RecordingReader.open(dir)); }
  static over(reader: RecordingReader): TemporalEngine { return new TemporalEngine(reader); }

  /** Picks up events stored since the last look (live recordings). */
  async refresh(): Promise<void> { await this.reader.refresh(); this.sites.rebuild(); }
  async close(): Promise<void> { await this.reader.close(); }

  stats(): Stats {
    const s = this.reader.stats;
    const budget = this.reader.meta.callBudget;
    return {
      events: s.events, sites: this.reader.sites.filter(Boolean).length, files: this.reader.files.length, frames: s.frames,
      bytes: this.reader.bytesOnDisk(), durationMs: s.durationMs, complete: s.complete, exitCode: s.exitCode, dropped: s.dropped,
      mode: this.reader.meta.mode, program: this.reader.meta.program,
      elidedCalls: elidedCalls(s.elided), elidedFunctions: s.elided?.length ?? 0,
      ...(budget ? { callBudget: budget, callBudgetPerSecond: callBudgetRefill(budget) } : {}),
    };
  }

  /** Every time `line` of `file` ran, in time order (the first statement on the line). */
  async hits(file: string, line: number): Promise<Hit[]> {
    const sites = this.lineSites(file, line);
    const hits: Hit[] = [];
    for (const site of sites) for (const seq of await this.postings.of(site)) hits.push({ seq, frame: (await this.nav.events.at(seq))!.frame });
    return hits.sort((a, b) => a.seq - b.seq);
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

  /** Every value written to variables named `name` (optionally only in `file`), in time order, with the writer's location. */
  async writes(name: string, file?: string): Promise<WriteEntry[]> {
    const only = file === undefined ? undefined : this.sites.resolveFile(file);
    if (file !== undefined && !only) return [];
    const writeSites = new Set<number>();
    this.reader.sites.forEach((s, id) => {
      // (A hoisted function's write at its scope's start only lets the locals show it: not a value the program gave a variable.)
      if (s && s.kind === SiteKind.Write && s.name === name && s.binding !== 'function' && (!only || this.reader.siteFile[id] === only)) writeSites.add(id);
    });
    // The stored postings say where each write site wrote; only those events are read.
    const seqs: number[] = [];
    for (const site of writeSites) for (const seq of await this.postings.of(site)) seqs.push(seq);
    seqs.sort((a, b) => a - b);
    const found: Array<{ seq: number; frame: number; site: number; value: RecordedValue }> = [];
    for (const seq of seqs) {
      const e = (await this.nav.events.at(seq))!;
      found.push({ seq, frame: e.frame, site: e.site, value: (await this.nav.events.values(seq))[0] });
    }
    return found.map((w) => this.writeEntry(w));
  }

  private writeEntry(w: { seq: number; frame: number; site: number; value: RecordedValue }): WriteEntry {
    const site = this.sites.site(w.site)!;
    const fn = this.sites.site(this.sites.functionOf(w.site));
    return { seq: w.seq, frame: w.frame, file: this.sites.file(w.site), line: site.line, column: site.column, function: fn?.kind === SiteKind.Module ? '<module>' : fn?.name ?? '<anonymous>', value: renderValue(w.value) };
  }

  /**
   * Writes of variables named `name` in `file` by `frame`, nearest to `seq`: at most `limit`,
   * half before and half after, found through the stored postings within the frame's lifetime.
   * For hovers and value history on recordings of any length.
   */
  async writesAround(name: string, file: string, frame: number, seq: number, limit: number): Promise<WriteEntry[]> {
    const resolved = this.sites.resolveFile(file);
    const record = await this.reader.frame(frame);
    if (!record) return [];
    const from = record.entry, to = record.exit >= 0 ? record.exit : this.reader.length;
    // Only the frame's own function writes in the frame: other functions' sites of the same name
    // (a module frame asked about a function's local) need not be walked at all.
    const sites = this.sites.writesOf(record.fn).filter((id) => this.reader.sites[id]?.name === name && this.reader.siteFile[id] === resolved);
    // Walk the postings outwards from `seq`, block by block, never reading a hot site's whole list.
    const take = async (dir: 1 | -1): Promise<number[]> => {
      const out: number[] = [];
      const heads = await Promise.all(sites.map(async (site) => {
        const cursor = new PostingsCursor(this.reader, site, seq, dir);
        return { cursor, seq: await cursor.next() };
      }));
      for (let examined = 0; out.length < limit / 2 && examined < EXAMINE_LIMIT; examined++) {
        let best: (typeof heads)[number] | undefined;
        for (const h of heads) if (h.seq >= from && h.seq <= to && (!best || (dir === 1 ? h.seq < best.seq : h.seq > best.seq))) best = h;
        if (!best) break;
        if ((await this.nav.events.at(best.seq))!.frame === frame) out.push(best.seq);
        best.seq = await best.cursor.next();
      }
      return dir === 1 ? out : out.reverse();
    };
    const picked = [...(await take(-1)), ...(await take(1))];
    const entries: WriteEntry[] = [];
    for (const w of picked) {
      const e = (await this.nav.events.at(w))!;
      entries.push(this.writeEntry({ seq: w, frame, site: e.site, value: (await this.nav.events.values(w))[0] }));
    }
    return entries;
  }

  /**
   * Values written to property `key` of object `object`, at most `limit`, those nearest to `seq`,
   * in time order: from the object's write postings, never a scan of the recording.
   */
  async propertyWritesAround(object: number, key: string, seq: number, limit: number): Promise<WriteEntry[]> {
    const seqs = await this.reader.objectWrites(object, -1, this.reader.length);
    let split = seqs.findIndex((s) => s >= seq);
    if (split < 0) split = seqs.length;
    const walk = async (start: number, step: 1 | -1): Promise<WriteEntry[]> => {
      const out: WriteEntry[] = [];
      for (let i = start, examined = 0; i >= 0 && i < seqs.length && out.length < limit / 2 && examined < EXAMINE_LIMIT; i += step, examined++) {
        const e = (await this.nav.events.at(seqs[i]))!;
        if (e.kind !== EventKind.PropWrite) continue;
        const [k, value] = await this.nav.events.values(seqs[i]);
        if (String(k) === key) out.push(this.writeEntry({ seq: seqs[i], frame: e.frame, site: e.site, value }));
      }
      return out;
    };
    return [...(await walk(split - 1, -1)).reverse(), ...(await walk(split, 1))];
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

  /**
   * The stop at `seq`, else the statement the frame running at `seq` is in, else the nearest
   * stop after (or before) it: any seq of the recording, clamped to its ends, is a place to be.
   */
  async stopNear(seq: number): Promise<Stop | undefined> {
    const at = Math.max(0, Math.min(seq, this.reader.length - 1));
    const exact = await this.nav.stopAt(at);
    if (exact) return exact;
    const e = await this.nav.events.at(at);
    if (!e) return undefined;
    const site = e.frame ? await this.nav.locationOf(e.frame, at) : -1;
    if (site >= 0) return { seq: at, frame: e.frame, site };
    return (await this.nav.stepIn({ seq: at, frame: 0, site: 0 }, 1)) ?? this.nav.stepIn({ seq: at, frame: 0, site: 0 }, -1);
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
