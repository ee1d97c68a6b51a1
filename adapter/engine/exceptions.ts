import { EventKind } from '../../protocol/events';
import { isObjectSnapshot, type RecordedValue } from '../../protocol/values';
import type { Cancel, Navigator, Stop } from './navigator';

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
 * of a frame it propagated out of) is where it was thrown. A chain that leaves a
 * root frame (nothing instrumented below it) was not caught by the program.
 */
export class Exceptions {
  constructor(private readonly nav: Navigator) {}

  /** The next (or previous) throw origin after (before) `seq` that `filter` selects. */
  async next(seq: number, dir: 1 | -1, filter: ReadonlySet<ExceptionFilter>, cancel?: Cancel): Promise<Stop | undefined> {
    if (!filter.size) return undefined;
    let from = seq + dir;
    for (;;) {
      const found = await this.nav.events.scan(from, dir, (c, i, s) => {
        if (c.kinds[i] !== EventKind.Throw) return undefined;
        const prev = i > 0 ? c.kinds[i - 1] : s > 0 ? -1 : undefined;
        return prev !== EventKind.Exit || undefined;
      }, cancel);
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

  /** Follows the Throw/Exit chain from its origin: uncaught when it leaves a frame with no instrumented caller. */
  async isUncaught(origin: number): Promise<boolean> {
    let seq = origin;
    for (;;) {
      const e = await this.nav.events.at(seq);
      if (!e || e.kind !== EventKind.Throw) return false;
      const exit = await this.nav.events.at(seq + 1);
      if (!exit || exit.kind !== EventKind.Exit) return !exit; // the recording ends mid-chain: the process died of it
      if (!(await this.nav.reader.parentAt(e.frame, seq))) return true;
      seq += 2;
    }
  }

  private async stopAtThrow(seq: number): Promise<Stop | undefined> {
    const e = (await this.nav.events.at(seq))!;
    const site = await this.nav.locationOf(e.frame, seq);
    return site < 0 ? undefined : { seq, frame: e.frame, site };
  }
}
