import { ByteReader, ByteWriter } from './varint';

/**
 * Stored postings: for every statement, write and call site, the seqs at which it occurred,
 * in blocks of up to BLOCK_POSTINGS ascending seqs (key postings:<site>:<first seq>), delta +
 * varint encoded. Finding "the last write of x before seq" is then one LevelDB seek and a
 * binary search, however long the recording.
 */
export const BLOCK_POSTINGS = 1024;

export function encodePostings(seqs: readonly number[]): Buffer {
  const out = new ByteWriter(seqs.length * 2 + 4);
  out.varint(seqs.length);
  for (let i = 1; i < seqs.length; i++) out.varint(seqs[i] - seqs[i - 1]);
  return out.toBuffer();
}

export function decodePostings(first: number, bytes: Uint8Array): number[] {
  const input = new ByteReader(bytes);
  const n = input.varint();
  const seqs = [first];
  for (let i = 1; i < n; i++) seqs.push(seqs[i - 1] + input.varint());
  return seqs;
}

/**
 * Collects postings per site (or object) during ingest and hands out full blocks (or everything,
 * on flush). Ids are small dense integers: lists live in an array indexed by id (a Map lookup per
 * event was a tenth of ingest), with the ids that have one kept in `active` for takeAll.
 */
export class PostingsCollector {
  private lists: Array<number[] | undefined> = [];
  /** Ids with a pending list; `at[id]` is the id's index in it. */
  private active: number[] = [];
  private at: number[] = [];

  /** How many lists are waiting (objects are many and short-lived: the writer flushes them all past a bound). */
  get size(): number { return this.active.length; }

  add(id: number, seq: number): Array<{ site: number; seqs: number[] }> | undefined {
    let list = this.lists[id];
    if (list === undefined) {
      this.lists[id] = list = [];
      this.at[id] = this.active.length;
      this.active.push(id);
    }
    list.push(seq);
    if (list.length < BLOCK_POSTINGS) return undefined;
    this.remove(id);
    return [{ site: id, seqs: list }];
  }

  private remove(id: number): void {
    const i = this.at[id], last = this.active.pop()!;
    if (last !== id) { this.active[i] = last; this.at[last] = i; }
    this.lists[id] = undefined;
  }

  /** Every partial block (a flush must make all postings readable). */
  takeAll(): Array<{ site: number; seqs: number[] }> {
    const out = this.active.map((site) => ({ site, seqs: this.lists[site]! }));
    for (const id of this.active) this.lists[id] = undefined;
    this.active = [];
    return out;
  }
}

/** Index of the first element greater than `value`. */
export function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
  return lo;
}
