import { EventKind } from '../../protocol/events';
import { isObjectSnapshot, type RecordedValue } from '../../protocol/values';
import type { Cancel, Navigator, Stop } from './navigator';
import type { Visit } from './events';

export type ExceptionFilter = 'all' | 'uncaught';

export interface ExceptionDetail {
  value: RecordedValue;
  /** Class name of the thrown value ("TypeError"), or its type for primitives. */
  type: string;
  message: string;
  uncaught: boolean;
}

/**
 * Exceptions in the recording. The runtime reports a Throw each time an exception leaves
 * an instrumented frame; the first of such a chain (not directly preceded by the Exit
 * of a frame it propagated out of) is where it was thrown. Whether the program caught it
 * comes from the runtime's Uncaught events (isUncaught).
 */
export class Exceptions {
  constructor(private readonly nav: Navigator) {}

  /** The next (or previous) throw origin after (before) `seq` that `filter` selects. */
  async next(seq: number, dir: 1 | -1, filter: ReadonlySet<ExceptionFilter>, cancel?: Cancel): Promise<Stop | undefined> {
    if (!filter.size) return undefined;
    let from = seq + dir;
    for (;;) {
      const found = await this.nav.events.scan(from, dir, throwOrigin, cancel);
      if (found < 0) return undefined;
      if (filter.has('all') || (await this.isUncaught(found))) return this.stopAtThrow(found);
      from = found + dir;
    }
  }

  async detail(throwSeq: number): Promise<ExceptionDetail | undefined> {
    const e = await this.nav.events.at(throwSeq);
    if (!e || e.kind !== EventKind.Throw) return undefined;
    const [value] = await this.nav.events.values(throwSeq);
    const type = isObjectSnapshot(value) ? value.c : value === null ? 'null' : typeof value === 'object' ? 'value' : typeof value;
    const message = isObjectSnapshot(value) ? value.d ?? '' : String(value);
    return { value, type, message, uncaught: await this.isUncaught(throwSeq) };
  }

  /**
   * Whether the exception thrown at `origin` was not caught. A recording knows this for certain:
   * the runtime reports each exception that reached Node's uncaught handling (an Uncaught event),
   * and its origin is the last throw of that same value before it. Frames alone cannot tell (a
   * promise chain, an awaiting caller or a library outside the recording may catch it); they are
   * the fallback for recordings made before Uncaught events existed.
   */
  async isUncaught(origin: number): Promise<boolean> {
    const reported = this.nav.reader.stats.uncaught;
    if (!reported) return this.leavesEveryFrame(origin);
    for (const u of reported) if (u > origin && (await this.originOf(u)) === origin) return true;
    return this.endsRecording(origin);
  }

  /** Throw origins of the exceptions reported uncaught at or after `seq` (a live session learns of them late). */
  async uncaughtSince(seq: number): Promise<Stop[]> {
    const out: Stop[] = [];
    for (const u of this.nav.reader.stats.uncaught ?? []) {
      if (u < seq) continue;
      const origin = await this.originOf(u);
      const stop = origin === undefined ? undefined : await this.stopAtThrow(origin);
      if (stop) out.push(stop);
    }
    return out;
  }

  private readonly origins = new Map<number, Promise<number | undefined>>();

  /** The last throw origin before the Uncaught event at `u` that threw the same value. */
  private originOf(u: number): Promise<number | undefined> {
    let found = this.origins.get(u);
    if (!found) this.origins.set(u, found = this.findOrigin(u));
    return found;
  }

  private async findOrigin(u: number): Promise<number | undefined> {
    const [reported] = await this.nav.events.values(u);
    for (let from = u - 1; from >= 0;) {
      const origin = await this.nav.events.scan(from, -1, throwOrigin);
      if (origin < 0) return undefined;
      const [thrown] = await this.nav.events.values(origin);
      if (sameValue(thrown, reported)) return origin;
      from = origin - 1;
    }
    return undefined;
  }

  /** The chain from `origin` is still unwinding where the recording ends: the process died of it. */
  private endsRecording(origin: number): Promise<boolean> { return this.followChain(origin, false); }

  /** Older recordings: uncaught when the chain leaves a frame with no instrumented caller (or ends the recording). */
  private leavesEveryFrame(origin: number): Promise<boolean> { return this.followChain(origin, true); }

  /** Walks the Throw/Exit chain from `origin`: true when the recording ends mid-chain, or (`rootLeaves`) when it leaves a root frame. */
  private async followChain(origin: number, rootLeaves: boolean): Promise<boolean> {
    for (let seq = origin; ; seq += 2) {
      const e = await this.nav.events.at(seq);
      if (!e || e.kind !== EventKind.Throw) return false;
      const exit = await this.nav.events.at(seq + 1);
      if (!exit) return true;
      if (exit.kind !== EventKind.Exit) return false;
      if (rootLeaves && !(await this.nav.reader.parentAt(e.frame, seq))) return true;
    }
  }

  private async stopAtThrow(seq: number): Promise<Stop | undefined> {
    const e = (await this.nav.events.at(seq))!;
    const site = await this.nav.locationOf(e.frame, seq);
    return site < 0 ? undefined : { seq, frame: e.frame, site };
  }
}

/**
 * Scan visitor: a Throw not directly preceded by the Exit of the frame it propagated out of. An
 * async function reports its resume (at its function site) before passing on an exception from a
 * callee that ran after an await: the chain goes on through that Resume.
 */
const throwOrigin: Visit = (c, i, s) => {
  if (c.kinds[i] !== EventKind.Throw) return undefined;
  let j = i - 1;
  while (j >= 0 && c.kinds[j] === EventKind.Resume) j--;
  const prev = j >= 0 ? c.kinds[j] : s - (i - j) + 1 > 0 ? -1 : undefined;
  return prev !== EventKind.Exit || undefined;
};

/** One object (same id) or an equal primitive. */
function sameValue(a: RecordedValue | undefined, b: RecordedValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (isObjectSnapshot(a) || isObjectSnapshot(b)) return isObjectSnapshot(a) && isObjectSnapshot(b) && a.o === b.o;
  return Object.is(a, b);
}
