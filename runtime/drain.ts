/**
 * The consumer side of the rings (runs in the drain worker; also usable in-thread by tests).
 * Reads the published (word, byte) positions under the seqlock and hands out the published slices
 * as zero-copy views (copying out of a SharedArrayBuffer into fresh memory costs page faults that
 * dominated the pipeline); the space is released once the socket has taken the bytes.
 */
import { C_B, C_R, C_RB, C_SEQ, C_W, C_WRAP, C_WRAPB, FRAME_BATCH } from './wire';


const A_load = Atomics.load, A_store = Atomics.store, A_notify = Atomics.notify;

export class RingReader {
  r = 0;
  rb = 0;
  private readonly ctrl: Int32Array;
  private readonly wordBytes: Uint8Array;
  private readonly byteRing: Uint8Array;

  constructor(ctrl: Int32Array, words: SharedArrayBuffer, bytes: SharedArrayBuffer) {
    this.ctrl = ctrl;
    this.wordBytes = new Uint8Array(words);
    this.byteRing = new Uint8Array(bytes);
  }

  /** Consistent published (w, b), or null when nothing new. */
  private published(): [number, number] | null {
    const ctrl = this.ctrl;
    for (;;) {
      const s1 = A_load(ctrl, C_SEQ);
      if ((s1 & 1) !== 0) continue;
      const b = A_load(ctrl, C_B), w = A_load(ctrl, C_W);
      if (A_load(ctrl, C_SEQ) !== s1) continue;
      return w === this.r ? null : [w, b];
    }
  }

  /** Whether anything is published and not yet taken. */
  pending(): boolean { return A_load(this.ctrl, C_W) !== this.r; }

  /**
   * Everything published and not yet taken, as the parts of one BATCH frame
   * ([u32 len][u8 2][u32 nWords][words][u32 nBytes][bytes]). Word and byte parts are zero-copy views
   * of the rings: the space stays reserved until release(batch) (call it once the parts are written).
   */
  take(): Batch | null {
    const pub = this.published();
    if (pub === null) return null;
    const [w, b] = pub;
    const ctrl = this.ctrl;
    const r = this.r, rb = this.rb;
    const parts: Uint8Array[] = [];
    const head = Buffer.allocUnsafe(9);
    parts.push(head);
    const wb = this.wordBytes, br = this.byteRing;
    let nWords: number, nBytes: number;
    if (w >= r) { nWords = w - r; parts.push(wb.subarray(r * 4, w * 4)); }
    else {
      const wrap = A_load(ctrl, C_WRAP);
      nWords = wrap - r + w;
      if (wrap > r) parts.push(wb.subarray(r * 4, wrap * 4));
      if (w > 0) parts.push(wb.subarray(0, w * 4));
    }
    const bh = Buffer.allocUnsafe(4);
    parts.push(bh);
    if (b >= rb) { nBytes = b - rb; if (nBytes > 0) parts.push(br.subarray(rb, b)); }
    else {
      const wrap = A_load(ctrl, C_WRAPB);
      nBytes = wrap - rb + b;
      if (wrap > rb) parts.push(br.subarray(rb, wrap));
      if (b > 0) parts.push(br.subarray(0, b));
    }
    head.writeUInt32LE(1 + 4 + nWords * 4 + 4 + nBytes, 0);
    head[4] = FRAME_BATCH;
    head.writeUInt32LE(nWords, 5);
    bh.writeUInt32LE(nBytes, 0);
    this.r = w; this.rb = b;
    return { parts, w, b, nWords, nBytes };
  }

  /** Give the space of a taken batch (and every batch taken before it) back to the producer. */
  release(batch: Batch): void {
    const ctrl = this.ctrl;
    A_store(ctrl, C_RB, batch.b);
    A_store(ctrl, C_R, batch.w);
    A_notify(ctrl, C_R, 1);
    A_notify(ctrl, C_RB, 1);
  }

  /** Release everything taken so far (the consumer gave up on outstanding writes). */
  releaseAll(): void {
    this.release({ parts: [], w: this.r, b: this.rb, nWords: 0, nBytes: 0 });
  }

  /** One contiguous copy of a batch frame (tests). */
  static concat(batch: Batch): Buffer {
    return Buffer.concat(batch.parts);
  }
}

export interface Batch {
  parts: Uint8Array[];
  /** Read positions once this batch is released. */
  w: number;
  b: number;
  nWords: number;
  nBytes: number;
}
