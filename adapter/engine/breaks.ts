import { EventKind } from '../../protocol/events';
import type { Exceptions, ExceptionFilter } from './exceptions';
import { evaluateExpression, isTruthy } from './expression';
import type { Cancel, Direction, Navigator, Stop } from './navigator';
import type { Postings } from './postings';
import { upperBound as upper } from '../store/postings-codec';
import type { StateReader } from './state';

export interface LineBreak { id: number; site: number; condition?: string; hit?: (n: number) => boolean }
export interface FunctionBreak { id: number; sites: ReadonlySet<number> }
export type DataBreak =
  | { id: string; kind: 'variable'; frame: number; name: string }
  | { id: string; kind: 'property'; object: number; key: string };

export interface BreakQuery {
  lines: LineBreak[];
  functions: FunctionBreak[];
  exceptions: ReadonlySet<ExceptionFilter>;
  data: DataBreak[];
}

export interface BreakHit { stop: Stop; reason: 'breakpoint' | 'function breakpoint' | 'exception' | 'data breakpoint'; ids: Array<number | string>; conditionError?: string }

/** Parses a DAP hit condition: `N` (the Nth hit), `== N`, `> N`, `>= N`, `< N`, `<= N`, `% N`. */
export function parseHitCondition(text: string): (n: number) => boolean {
  const m = /^\s*(>=|<=|={1,3}|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`invalid hit condition "${text}": use N, == N, > N, >= N, < N, <= N or % N`);
  const k = Number(m[2]);
  switch (m[1]) {
    case '>': return (n) => n > k;
    case '>=': return (n) => n >= k;
    case '<': return (n) => n < k;
    case '<=': return (n) => n <= k;
    case '%': return (n) => k > 0 && n % k === 0;
    default: return (n) => n === k;
  }
}

/**
 * Finds the nearest breakpoint hit from a point in time, in either direction. Conditions
 * are evaluated over the state reconstructed at each hit; hit counts are ordinals over the
 * whole recording (the 3rd hit is the 3rd whichever way you arrive at it).
 */
export class Breaks {
  private conditionCache = new Map<string, boolean>();

  constructor(private readonly nav: Navigator, private readonly state: StateReader, private readonly postings: Postings, private readonly exceptions: Exceptions) {}

  async next(from: number, dir: Direction, q: BreakQuery, cancel?: Cancel): Promise<BreakHit | undefined> {
    const candidates = await Promise.all([
      this.nextLine(from, dir, q.lines, cancel),
      this.nextFunction(from, dir, q.functions),
      this.exceptions.next(from, dir, q.exceptions, cancel).then((stop) => (stop ? { stop, reason: 'exception' as const, ids: [] } : undefined)),
      this.nextData(from, dir, q.data, cancel),
    ]);
    let best: BreakHit | undefined;
    for (const c of candidates) if (c && (!best || (dir === 1 ? c.stop.seq < best.stop.seq : c.stop.seq > best.stop.seq))) best = c;
    return best;
  }

  /** Every hit of a line breakpoint (for logpoints), in time order, honouring its condition. */
  async allHits(bp: LineBreak, cancel?: Cancel): Promise<number[]> {
    const hits = await this.postings.of(bp.site, cancel);
    const out: number[] = [];
    let n = 0;
    for (const seq of hits) {
      if (cancel?.cancelled) break;
      if (!(await this.conditionHolds(bp, seq))) continue;
      n++;
      if (!bp.hit || bp.hit(n)) out.push(seq);
    }
    return out;
  }

  private async nextLine(from: number, dir: Direction, lines: LineBreak[], cancel?: Cancel): Promise<BreakHit | undefined> {
    let best: { seq: number; ids: number[]; error?: string } | undefined;
    for (const bp of lines) {
      if (!bp.condition && !bp.hit) {
        const seq = await this.postings.next([bp.site], from, dir);
        if (seq < 0 || (best && (dir === 1 ? seq > best.seq : seq < best.seq))) continue;
        if (best && best.seq === seq) best.ids.push(bp.id);
        else best = { seq, ids: [bp.id] };
        continue;
      }
      const hits = await this.postings.of(bp.site, cancel);
      let at = dir === 1 ? upper(hits, from) : upper(hits, from - 1) - 1;
      for (; at >= 0 && at < hits.length; at += dir) {
        const seq = hits[at];
        if (best && (dir === 1 ? seq > best.seq : seq < best.seq)) break;
        let ok: boolean, error: string | undefined;
        try { ok = await this.qualifies(bp, hits, at); } catch (err) { ok = true; error = (err as Error).message; }
        if (!ok) continue;
        if (best && best.seq === seq) best.ids.push(bp.id);
        else best = { seq, ids: [bp.id], error };
        break;
      }
    }
    if (!best) return undefined;
    const e = (await this.nav.events.at(best.seq))!;
    return { stop: { seq: best.seq, frame: e.frame, site: e.site }, reason: 'breakpoint', ids: best.ids, conditionError: best.error };
  }

  private async qualifies(bp: LineBreak, hits: number[], at: number): Promise<boolean> {
    if (!(await this.conditionHolds(bp, hits[at]))) return false;
    if (!bp.hit) return true;
    let ordinal = 0;
    for (let i = 0; i <= at; i++) if (await this.conditionHolds(bp, hits[i])) ordinal++;
    return bp.hit(ordinal);
  }

  private async conditionHolds(bp: LineBreak, seq: number): Promise<boolean> {
    if (!bp.condition) return true;
    const key = `${bp.condition}\u0000${seq}`;
    let holds = this.conditionCache.get(key);
    if (holds === undefined) {
      const e = (await this.nav.events.at(seq))!;
      const { scope } = await this.state.scope(e.frame, seq);
      holds = isTruthy(evaluateExpression(bp.condition, scope));
      this.conditionCache.set(key, holds);
    }
    return holds;
  }

  private async nextFunction(from: number, dir: Direction, functions: FunctionBreak[]): Promise<BreakHit | undefined> {
    if (!functions.length) return undefined;
    const byFn = new Map<number, number[]>();
    for (const f of functions) for (const s of f.sites) byFn.set(s, [...(byFn.get(s) ?? []), f.id]);
    // Calls of the functions come from their stored postings. The stop is the function's first
    // statement; going back, it must be strictly before the current position.
    let seq = from;
    for (;;) {
      const call = await this.postings.next(byFn.keys(), seq, dir);
      if (call < 0) return undefined;
      const stop = await this.nav.stepIn({ seq: call, frame: 0, site: 0 }, 1);
      if (stop && (dir === 1 || stop.seq < from)) return { stop, reason: 'function breakpoint', ids: byFn.get((await this.nav.events.at(call))!.site)! };
      seq = call;
    }
  }

  private async nextData(from: number, dir: Direction, data: DataBreak[], cancel?: Cancel): Promise<BreakHit | undefined> {
    if (!data.length) return undefined;
    const nameOf = (site: number) => this.nav.sites.site(site)?.name;
    let matched: DataBreak[] = [];
    // A data stop sits just after the write, so going back starts before the write we are at.
    const write = await this.nav.events.scan(dir === 1 ? from : from - 2, dir, (c, i) => {
      const k = c.kinds[i];
      if (k === EventKind.Write) matched = data.filter((d) => d.kind === 'variable' && d.frame === c.frames[i] && d.name === nameOf(c.sites[i]));
      else if (k === EventKind.PropWrite) {
        const key = c.values[c.valueAt[i]];
        matched = data.filter((d) => d.kind === 'property' && d.object === c.args[i] && String(key) === d.key);
      } else return undefined;
      return matched.length > 0 || undefined;
    }, cancel);
    if (write < 0) return undefined;
    const e = (await this.nav.events.at(write))!;
    const site = await this.nav.locationOf(e.frame, write);
    return { stop: { seq: write + 1, frame: e.frame, site }, reason: 'data breakpoint', ids: matched.map((d) => d.id) };
  }
}
