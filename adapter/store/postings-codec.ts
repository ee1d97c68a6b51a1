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

/** Collects postings per site during ingest and hands out full blocks (or everything, on flush). */
export class PostingsCollector {
  private pending = new Map<number, number[]>();

  /** How many lists are waiting (objects are many and short-lived: the writer flushes them all past a bound). */
  get size(): number { return this.pending.size; }

  add(site: number, seq: number): Array<{ site: number; seqs: number[] }> | undefined {
    let list = this.pending.get(site);
    if (!list) this.pending.set(site, (list = []));
    list.push(seq);
    if (list.length < BLOCK_POSTINGS) return undefined;
    this.pending.delete(site);
    return [{ site, seqs: list }];
  }

  /** Every partial block (a flush must make all postings readable). */
  takeAll(): Array<{ site: number; seqs: number[] }> {
    const out = [...this.pending].map(([site, seqs]) => ({ site, seqs }));
    this.pending.clear();
    return out;
  }
}
