import type { FrameRecord } from './meta';
import { bufferOf, ByteReader, putVarint, unzigzag, zigzag } from './varint';

/**
 * The frames table, stored in blocks of BLOCK frames (frame ids are dense per thread).
 * Each frame is six int32: fn, parent, entry, exit, depth, resumes. A block is written
 * once all its frames have exited; blocks with open frames (a module body, a pending async
 * call) are rewritten at each flush so readers always see the current state.
 */
export const BLOCK = 1024;
const FIELDS = 6;
const SPARE_BLOCKS = 8;

interface Block { data: Int32Array; open: number; dirty: boolean }

export class FrameBlocks {
  private blocks = new Map<number, Block>();
  count = 0;

  enter(id: number, fn: number, parent: number, entry: number, depth: number): void {
    const b = this.block(id);
    const at = (id % BLOCK) * FIELDS;
    const d = b.data; // field by field: an array literal per call was a large share of ingest garbage
    d[at] = fn; d[at + 1] = parent; d[at + 2] = entry; d[at + 3] = -1; d[at + 4] = depth; d[at + 5] = 0;
    b.open++;
    b.dirty = true;
    this.count++;
  }

  exit(id: number, seq: number): void {
    const b = this.find(id);
    if (!b) return;
    const at = (id % BLOCK) * FIELDS;
    if (b.data[at + 3] !== -1) return;
    b.data[at + 3] = seq;
    b.open--;
    b.dirty = true;
  }

  resumed(id: number): void {
    const b = this.find(id);
    if (b) { b.data[(id % BLOCK) * FIELDS + 5]++; b.dirty = true; }
  }

  /**
   * Blocks to store now. Finished blocks (every id allocated, nothing open) are written once
   * and forgotten; with `all`, every block changed since it was last written is written too
   * (a flush that must make the current state readable).
   */
  takeWrites(all: boolean): Array<{ index: number; bytes: Buffer }> {
    const out: Array<{ index: number; bytes: Buffer }> = [];
    for (const [index, b] of this.blocks) {
      const finished = b.open === 0 && this.highest >= (index + 1) * BLOCK;
      if (b.dirty && (all || finished)) { out.push({ index, bytes: encodeBlock(index, b.data) }); b.dirty = false; }
      if (finished) {
        this.blocks.delete(index);
        if (this.spare.length < SPARE_BLOCKS) this.spare.push(b.data);
      }
    }
    this.lastIndex = -1;
    this.lastBlock = undefined;
    return out;
  }

  // Most events touch the block of the newest frames: remember it (a Map lookup per exit, keyed
  // by a double from Math.floor, was a large share of ingest time).
  private readonly spare: Int32Array[] = [];
  private lastIndex = -1;
  private lastBlock: Block | undefined;

  private find(id: number): Block | undefined {
    const index = (id / BLOCK) | 0; // ids are non-negative int32
    if (index === this.lastIndex) return this.lastBlock;
    const b = this.blocks.get(index);
    if (b) { this.lastIndex = index; this.lastBlock = b; }
    return b;
  }

  private highest = 0;

  private block(id: number): Block {
    if (id > this.highest) this.highest = id;
    let b = this.find(id);
    if (!b) {
      const index = (id / BLOCK) | 0;
      // Reused from a finished block when possible: 24 KiB of fresh memory per 1024 frames cost
      // page faults that were the largest single item of ingest on a call-heavy program.
      const data = this.spare.pop() ?? new Int32Array(BLOCK * FIELDS);
      data.fill(-2); // never-allocated marker in `exit`: readers treat fn -2 as absent
      b = { data, open: 0, dirty: true };
      this.blocks.set(index, b);
      this.lastIndex = index; this.lastBlock = b;
    }
    return b;
  }
}

/**
 * A stored block: per frame, varint fn+2 (0 = never allocated, nothing follows), then zigzag
 * varints of (id - parent), (entry - previous entry), (exit - entry + 1, 0 while open),
 * (depth - previous depth), and resumes. Neighbouring frames are alike, so this is a few bytes
 * per frame before LevelDB's compression.
 */
// One scratch buffer for every block, big enough for six 5-byte varints per frame (values are
// int32), so the loop writes without room checks; the result is copied out.
const scratch = new Uint8Array(BLOCK * FIELDS * 5 + 8);

export function encodeBlock(index: number, data: Int32Array): Buffer {
  const out = scratch;
  let at = 0, prevEntry = 0, prevDepth = 0;
  for (let i = 0; i < BLOCK; i++) {
    const f = i * FIELDS;
    at = putVarint(out, at, data[f] + 2);
    if (data[f] === -2) continue;
    const entry = data[f + 2], exit = data[f + 3], depth = data[f + 4];
    at = putVarint(out, at, zigzag(index * BLOCK + i - data[f + 1]));
    at = putVarint(out, at, zigzag(entry - prevEntry));
    at = putVarint(out, at, exit < 0 ? 0 : exit - entry + 1);
    at = putVarint(out, at, zigzag(depth - prevDepth));
    at = putVarint(out, at, data[f + 5]);
    prevEntry = entry;
    prevDepth = depth;
  }
  return bufferOf(out, at);
}

export function decodeBlock(index: number, bytes: Uint8Array): Int32Array {
  const data = new Int32Array(BLOCK * FIELDS);
  const input = new ByteReader(bytes);
  const get = () => input.varint();
  let prevEntry = 0, prevDepth = 0;
  for (let i = 0; i < BLOCK; i++) {
    const at = i * FIELDS;
    data[at] = get() - 2;
    if (data[at] === -2) continue;
    const id = index * BLOCK + i;
    data[at + 1] = id - unzigzag(get());
    data[at + 2] = prevEntry = prevEntry + unzigzag(get());
    const exit = get();
    data[at + 3] = exit === 0 ? -1 : data[at + 2] + exit - 1;
    data[at + 4] = prevDepth = prevDepth + unzigzag(get());
    data[at + 5] = get();
  }
  return data;
}

/** Frame `id` from its decoded block (undefined when the id was never allocated). */
export function frameFromBlock(id: number, data: Int32Array): FrameRecord | undefined {
  const at = (id % BLOCK) * FIELDS;
  if (data[at] === -2) return undefined;
  return { id, fn: data[at], parent: data[at + 1], entry: data[at + 2], exit: data[at + 3], depth: data[at + 4], resumes: data[at + 5] };
}
