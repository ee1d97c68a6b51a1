import { EventKind } from '../../protocol/events';
import type { Cancel } from './navigator';
import type { EventStream } from './events';

/**
 * When each statement site ran: sorted seq lists, built by one scan for the sites asked
 * about and extended incrementally as a live recording grows.
 */
export class Postings {
  private lists = new Map<number, number[]>();
  /** Lists are complete for seqs below this. */
  private indexedTo = 0;

  constructor(private readonly events: EventStream) {}

  /** Hits of `site`, ascending (the array is shared: do not modify). */
  async of(site: number, cancel?: Cancel): Promise<number[]> {
    await this.ensure([site], cancel);
    return this.lists.get(site)!;
  }

  async ensure(sites: Iterable<number>, cancel?: Cancel): Promise<void> {
    const fresh = [...sites].filter((s) => !this.lists.has(s));
    if (fresh.length) {
      const wanted = new Set(fresh);
      for (const s of fresh) this.lists.set(s, []);
      await this.collect(wanted, 0, this.indexedTo, cancel);
    }
    if (this.indexedTo < this.events.length) {
      const all = new Set(this.lists.keys());
      const to = this.events.length;
      await this.collect(all, this.indexedTo, to, cancel);
      this.indexedTo = to;
    }
  }

  /** First hit after (dir 1) or last hit before (dir -1) `seq` among `sites`. */
  async next(sites: Iterable<number>, seq: number, dir: 1 | -1, cancel?: Cancel): Promise<number> {
    const list = [...sites];
    await this.ensure(list, cancel);
    let best = -1;
    for (const site of list) {
      const hits = this.lists.get(site)!;
      const at = dir === 1 ? upperBound(hits, seq) : upperBound(hits, seq - 1) - 1;
      const candidate = hits[at];
      if (candidate === undefined) continue;
      if (best < 0 || (dir === 1 ? candidate < best : candidate > best)) best = candidate;
    }
    return best;
  }

  private async collect(sites: Set<number>, from: number, to: number, cancel?: Cancel): Promise<void> {
    if (from >= to) return;
    await this.events.scan(from, 1, (c, i, seq) => {
      if (seq >= to) return true;
      if (c.kinds[i] === EventKind.Step && sites.has(c.sites[i])) this.lists.get(c.sites[i])!.push(seq);
      return undefined;
    }, cancel);
  }
}

/** Index of the first element greater than `value`. */
export function upperBound(sorted: number[], value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
  return lo;
}
