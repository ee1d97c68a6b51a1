import type { RecordingReader } from '../store/reader';
import { upperBound } from '../store/postings-codec';
import type { Cancel } from './navigator';

/**
 * When each statement, write and call site occurred, from the postings the writer stored:
 * first-after / last-before lookups cost a LevelDB seek and a binary search; full lists
 * (hit counts, logpoints) are read once and cached until the recording grows.
 */
export class Postings {
  private lists = new Map<number, number[]>();
  private listedAt = -1;

  constructor(private readonly reader: RecordingReader) {}

  /** Every occurrence of `site`, ascending (shared: do not modify). */
  async of(site: number, _cancel?: Cancel): Promise<number[]> {
    if (this.listedAt !== this.reader.length) { this.lists.clear(); this.listedAt = this.reader.length; }
    let list = this.lists.get(site);
    if (!list) this.lists.set(site, (list = await this.reader.allPostings(site)));
    return list;
  }

  /** The first occurrence of `site` after `seq`, or -1. */
  async after(site: number, seq: number): Promise<number> {
    const block = await this.reader.postingsBlock(site, seq, -1);
    if (block) { const i = upperBound(block, seq); if (i < block.length) return block[i]; }
    const next = await this.reader.postingsBlock(site, seq, 1);
    return next ? next[0] : -1;
  }

  /** The last occurrence of `site` before `seq`, or -1. */
  async before(site: number, seq: number): Promise<number> {
    if (seq <= 0) return -1;
    const block = await this.reader.postingsBlock(site, seq - 1, -1);
    if (!block) return -1;
    const i = upperBound(block, seq - 1) - 1;
    return i >= 0 ? block[i] : -1;
  }

  /** The nearest occurrence of any of `sites` after (dir 1) or before (dir -1) `seq`, or -1. */
  async next(sites: Iterable<number>, seq: number, dir: 1 | -1): Promise<number> {
    let best = -1;
    for (const site of sites) {
      const s = dir === 1 ? await this.after(site, seq) : await this.before(site, seq);
      if (s >= 0 && (best < 0 || (dir === 1 ? s < best : s > best))) best = s;
    }
    return best;
  }
}

/**
 * Walks one site's postings outwards from a seq, a stored block at a time (a LevelDB seek only
 * when leaving a block): next() gives the following occurrence in the direction, or -1.
 */
export class PostingsCursor {
  private block: number[] | undefined;
  private index = -1;
  private done = false;

  constructor(private readonly reader: RecordingReader, readonly site: number, private seq: number, private readonly dir: 1 | -1) {}

  async next(): Promise<number> {
    if (this.done) return -1;
    if (this.block && this.index + this.dir >= 0 && this.index + this.dir < this.block.length) {
      this.index += this.dir;
      return (this.seq = this.block[this.index]);
    }
    const found = this.dir === 1 ? await this.firstAfter(this.seq) : await this.lastBefore(this.seq);
    if (found < 0) this.done = true;
    return found;
  }

  private async lastBefore(seq: number): Promise<number> {
    if (seq <= 0) return -1;
    this.block = await this.reader.postingsBlock(this.site, seq - 1, -1);
    if (!this.block) return -1;
    this.index = upperBound(this.block, seq - 1) - 1;
    return this.index >= 0 ? (this.seq = this.block[this.index]) : -1;
  }

  private async firstAfter(seq: number): Promise<number> {
    let block = await this.reader.postingsBlock(this.site, seq, -1);
    let index = block ? upperBound(block, seq) : 0;
    if (!block || index >= block.length) { block = await this.reader.postingsBlock(this.site, seq, 1); index = 0; }
    if (!block || !block.length) return -1;
    this.block = block;
    this.index = index;
    return (this.seq = block[index]);
  }
}
