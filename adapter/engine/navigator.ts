import { EventKind } from '../../protocol/events';
import { SiteKind } from '../../protocol/sites';
import type { RecordingReader } from '../store/reader';
import { EventStream } from './events';
import type { SiteIndex } from './site-index';

/**
 * A place the debugger can stop: a statement about to run (a Step event), or a
 * "return point" — the moment a callee exits (or yields) back into an instrumented
 * caller, shown at the caller's current statement.
 */
export interface Stop {
  seq: number;
  /** The frame the user is in. */
  frame: number;
  /** The statement site shown. */
  site: number;
}

export type Direction = 1 | -1;
export interface Cancel { cancelled: boolean }

/** resumeAfter: the generator may still be resumed (the recording is growing). */
const PENDING = -2;
/** nextStop backwards: pass every generator's resume back to its yield. */
const ANY_FRAME = -1;

const isStopKind = (k: number) => k === EventKind.Step || k === EventKind.Exit || k === EventKind.Suspend;

/** Temporal navigation over a recording: every debugger movement is a scan for the next/previous stop that qualifies. */
export class Navigator {
  readonly events: EventStream;
  /**
   * Whether the recording may still grow (a live program): a generator suspended at a yield
   * may then still be resumed, so a step waiting for that is not decided yet.
   */
  growing = false;

  constructor(readonly reader: RecordingReader, readonly sites: SiteIndex) { this.events = new EventStream(reader); }

  /** The stop at `seq`, if the event there is one. */
  async stopAt(seq: number): Promise<Stop | undefined> {
    const e = await this.events.at(seq);
    if (!e) return undefined;
    if (e.kind === EventKind.Step) return { seq, frame: e.frame, site: e.site };
    if (e.kind !== EventKind.Exit && e.kind !== EventKind.Suspend) return undefined;
    const parent = await this.reader.parentAt(e.frame, seq);
    if (!parent) return undefined;
    const site = await this.locationOf(parent, seq);
    return site < 0 ? undefined : { seq, frame: parent, site };
  }

  /** First Step event of the recording. */
  async first(): Promise<Stop | undefined> { return this.nextStop(0, 1); }

  /** Where "stop on entry" stops: the first statement of `file` (the program), else the first of all. */
  async entry(file: string): Promise<Stop | undefined> {
    const seq = await this.events.scan(0, 1, (c, i) => (c.kinds[i] === EventKind.Step && this.sites.file(c.sites[i]) === file) || undefined);
    return seq >= 0 ? this.stopAt(seq) : this.first();
  }
  /** Last Step event of the recording (where the replay rests when the program ended). */
  async last(): Promise<Stop | undefined> { return this.nextStop(this.events.length - 1, -1); }

  /**
   * Step in: the very next (or previous) stop, in any frame. As in V8, a step from a generator
   * that reaches its own `yield` stays with the generator: it stops where the generator is next
   * resumed, not in the code that resumed it (stepOut leaves at a yield).
   */
  async stepIn(from: Stop, dir: Direction): Promise<Stop | undefined> {
    if (dir === 1) return this.nextStop(from.seq + 1, 1, from.frame);
    // The mirror: from the first stop after a generator's resume, back to where it yielded.
    const here = await this.events.at(from.seq);
    const fromYield = !!here && here.kind === EventKind.Suspend && this.yields(here.site);
    return this.nextStop(from.seq - 1, -1, fromYield ? undefined : ANY_FRAME);
  }

  /** Step over: the next (or previous) statement of the same frame; leaving the frame goes to the caller. */
  async stepOver(from: Stop, dir: Direction): Promise<Stop | undefined> {
    return dir === 1 ? this.overForward(from) : this.overBackward(from);
  }

  /** Step out: forward to where the frame returns into its caller; backward to the caller's statement that entered it. */
  async stepOut(from: Stop, dir: Direction): Promise<Stop | undefined> {
    if (dir === 1) {
      const leave = await this.events.scan(from.seq + 1, 1, (c, i) => (c.frames[i] === from.frame && (c.kinds[i] === EventKind.Exit || (c.kinds[i] === EventKind.Suspend && this.yields(c.sites[i])))) || undefined);
      if (leave < 0) return undefined;
      return (await this.stopAt(leave)) ?? this.nextStop(leave + 1, 1);
    }
    const start = await this.activationStart(from.frame, from.seq);
    const parent = await this.reader.parentAt(from.frame, from.seq);
    if (parent) {
      const seq = await this.lastStepOf(parent, start - 1);
      if (seq >= 0) return { seq, frame: parent, site: (await this.events.at(seq))!.site };
    }
    return this.nextStop(start - 1, -1);
  }

  /** Continue: the next (or previous) Step at one of `sites` for which `accept` agrees. */
  async continueTo(from: number, dir: Direction, sites: ReadonlySet<number>, accept?: (stop: Stop) => Promise<boolean>, cancel?: Cancel): Promise<Stop | undefined> {
    let seq = from + dir;
    for (;;) {
      const hit = await this.events.scan(seq, dir, (c, i) => (c.kinds[i] === EventKind.Step && sites.has(c.sites[i])) || undefined, cancel);
      if (hit < 0) return undefined;
      const stop = { seq: hit, frame: (await this.events.at(hit))!.frame, site: (await this.events.at(hit))!.site };
      if (!accept || (await accept(stop))) return stop;
      seq = hit + dir;
    }
  }

  /** The statement frame `frame` is at, as of `seq`: its last Step at or before `seq`. */
  async locationOf(frame: number, seq: number): Promise<number> {
    const at = await this.lastStepOf(frame, seq);
    return at < 0 ? -1 : (await this.events.at(at))!.site;
  }

  /** Seq of the last Step event of `frame` at or before `seq`, skipping whole callees. */
  async lastStepOf(frame: number, seq: number): Promise<number> {
    // The frame's Call ends the search: nothing of this frame is earlier.
    const found = await this.inFrame(frame, seq, -1, (kind) => kind === EventKind.Step || kind === EventKind.Call);
    return found >= 0 && (await this.events.at(found))!.kind === EventKind.Step ? found : -1;
  }

  /** Where the current activation of `frame` (as of `seq`) began: its Call or its latest Resume. */
  async activationStart(frame: number, seq: number): Promise<number> {
    const found = await this.events.scan(seq, -1, (c, i) => (c.frames[i] === frame && (c.kinds[i] === EventKind.Call || c.kinds[i] === EventKind.Resume)) || undefined);
    return found < 0 ? 0 : found;
  }

  /**
   * The next stop from `from` in `dir`. `stayIn` (forwards): the frame a step starts in, whose
   * own yields are not stops (the scan goes on where that generator resumes); backwards,
   * ANY_FRAME: a generator's resume after a yield is passed back to the yield.
   */
  private async nextStop(from: number, dir: Direction, stayIn?: number): Promise<Stop | undefined> {
    let seq = from;
    const resumes = dir === -1 && stayIn === ANY_FRAME;
    for (;;) {
      const candidate = await this.events.scan(seq, dir, (c, i) => isStopKind(c.kinds[i]) || (resumes && c.kinds[i] === EventKind.Resume && this.yields(c.sites[i])) || undefined);
      if (candidate < 0) return undefined;
      const e = (await this.events.at(candidate))!;
      if (e.kind === EventKind.Resume) {
        const suspend = await this.yieldBefore(e.frame, candidate);
        seq = (suspend >= 0 ? suspend : candidate) - 1;
        continue;
      }
      if (dir === 1 && e.kind === EventKind.Suspend && e.frame === stayIn && this.yields(e.site)) {
        const resume = await this.resumeAfter(e.frame, candidate);
        if (resume === PENDING) return undefined;
        if (resume >= 0) { seq = resume + 1; continue; }
      }
      const stop = await this.stopAt(candidate);
      if (stop) return stop;
      seq = candidate + dir;
    }
  }

  /**
   * Where generator `frame`, suspended at a yield at `seq`, runs again: its Resume (the frame's
   * next event); -1 when it never does (it was dropped, or closed without running code), PENDING
   * when the recording may still grow.
   */
  private async resumeAfter(frame: number, seq: number): Promise<number> {
    const next = await this.events.scan(seq + 1, 1, (c, i) => c.frames[i] === frame || undefined);
    if (next < 0) return this.growing ? PENDING : -1;
    return (await this.events.at(next))!.kind === EventKind.Resume ? next : -1;
  }

  /** The yield that the Resume of `frame` at `seq` resumes from (the frame's previous event, a Suspend at a yield), or -1. */
  private async yieldBefore(frame: number, seq: number): Promise<number> {
    const prev = await this.events.scan(seq - 1, -1, (c, i) => c.frames[i] === frame || undefined);
    if (prev < 0) return -1;
    const e = (await this.events.at(prev))!;
    return e.kind === EventKind.Suspend && this.yields(e.site) ? prev : -1;
  }

  private async overForward(from: Stop): Promise<Stop | undefined> {
    let seq = from.seq + 1;
    for (;;) {
      const leave = await this.inFrame(from.frame, seq, 1, (kind, site) =>
        kind === EventKind.Step || kind === EventKind.Exit || (kind === EventKind.Suspend && this.yields(site)));
      if (leave < 0) return undefined;
      const e = (await this.events.at(leave))!;
      if (e.kind === EventKind.Step) return { seq: leave, frame: e.frame, site: e.site };
      if (e.kind === EventKind.Suspend && e.frame === from.frame) {
        // As in V8 (and as for await): stepping over a yield goes on where the generator resumes;
        // only a generator never resumed hands the step to the code that last resumed it.
        const resume = await this.resumeAfter(e.frame, leave);
        if (resume === PENDING) return undefined;
        if (resume >= 0) { seq = resume + 1; continue; }
      }
      return (await this.stopAt(leave)) ?? this.nextStop(leave + 1, 1);
    }
  }

  private async overBackward(from: Stop): Promise<Stop | undefined> {
    const here = (await this.events.at(from.seq))!;
    if (here.kind !== EventKind.Step) {
      // At a return point: the mirror of stepping over the callee's last statement.
      const seq = await this.lastStepOf(here.frame, from.seq);
      if (seq >= 0) return { seq, frame: here.frame, site: (await this.events.at(seq))!.site };
    }
    const prev = await this.inFrame(from.frame, from.seq - 1, -1, (kind) => kind === EventKind.Step || kind === EventKind.Call);
    if (prev >= 0) {
      const e = (await this.events.at(prev))!;
      if (e.kind === EventKind.Step) return { seq: prev, frame: e.frame, site: e.site };
    }
    return this.stepOut(from, -1);
  }

  /** Seqs in [from, to) of `frame`'s own events that `match` accepts, skipping whole callees. */
  async eventsOfFrame(frame: number, from: number, to: number, match: (kind: EventKind) => boolean): Promise<number[]> {
    const found: number[] = [];
    let seq = from;
    while (seq < to) {
      const at = await this.inFrame(frame, seq, 1, (kind) => kind === EventKind.Exit || match(kind), to);
      if (at < 0 || at >= to) break;
      const e = (await this.events.at(at))!;
      if (e.kind === EventKind.Exit && e.frame === frame && !match(e.kind)) break;
      found.push(at);
      seq = at + 1;
    }
    return found;
  }

  /**
   * Scans events of `frame` from `seq` in `dir` for one `match` accepts, jumping over
   * callees that ran in one piece (their frame record gives entry and exit).
   */
  private async inFrame(frame: number, seq: number, dir: Direction, match: (kind: EventKind, site: number) => boolean, limit = -1): Promise<number> {
    for (;;) {
      let callee = 0;
      const found = await this.events.scan(seq, dir, (c, i, s) => {
        if (limit >= 0 && (dir === 1 ? s >= limit : s <= limit)) return true;
        const f = c.frames[i];
        if (f === frame) return match(c.kinds[i], c.sites[i]) || undefined;
        const k = c.kinds[i];
        if ((dir === 1 && k === EventKind.Call) || (dir === -1 && k === EventKind.Exit)) { callee = f; return true; }
        return undefined;
      });
      if (found < 0 || !callee) return found;
      const f = await this.reader.frame(callee);
      const skippable = f && f.resumes === 0 && f.exit >= 0 && f.parent === frame;
      seq = skippable ? (dir === 1 ? f.exit + 1 : f.entry - 1) : found + dir;
      callee = 0;
    }
  }

  private yields(site: number): boolean { return this.sites.site(site)?.kind === SiteKind.Yield; }

}
