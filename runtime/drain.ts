/**
 * The consumer side of the rings (runs in the drain worker; also usable in-thread by tests).
 * Reads the published (word, byte) positions under the seqlock, copies the published slices into
 * one BATCH frame, then releases the space by advancing the read indexes.
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
   * Everything published so far as one BATCH frame ([u32 len][u8 2][u32 nWords][words][u32 nBytes][bytes]),
   * or null. With `discard`, the space is released and nothing is copied (returns null).
   */
  take(discard = false): Buffer | null {
    const pub = this.published();
    if (pub === null) return null;
    const [w, b] = pub;
    const ctrl = this.ctrl;
    const r = this.r, rb = this.rb;
    let frame: Buffer | null = null;
    if (!discard) {
      // Segments: words [r, w) or [r, WRAP) + [0, w); bytes likewise.
      let w1s = r, w1e = w, w2e = 0;
      if (w < r) { w1e = A_load(ctrl, C_WRAP); w2e = w; }
      let b1s = rb, b1e = b, b2e = 0;
      if (b < rb) { b1e = A_load(ctrl, C_WRAPB); b2e = b; }
      const nWords = (w1e - w1s) + w2e;
      const nBytes = (b1e - b1s) + b2e;
      const len = 1 + 4 + nWords * 4 + 4 + nBytes;
      frame = Buffer.allocUnsafe(4 + len);
      frame.writeUInt32LE(len, 0);
      frame[4] = FRAME_BATCH;
      frame.writeUInt32LE(nWords, 5);
      let off = 9;
      const wb = this.wordBytes;
      frame.set(wb.subarray(w1s * 4, w1e * 4), off); off += (w1e - w1s) * 4;
      if (w2e > 0) { frame.set(wb.subarray(0, w2e * 4), off); off += w2e * 4; }
      frame.writeUInt32LE(nBytes, off); off += 4;
      const br = this.byteRing;
      frame.set(br.subarray(b1s, b1e), off); off += b1e - b1s;
      if (b2e > 0) frame.set(br.subarray(0, b2e), off);
    }
    this.r = w; this.rb = b;
    A_store(ctrl, C_RB, b);
    A_store(ctrl, C_R, w);
    A_notify(ctrl, C_R, 1);
    A_notify(ctrl, C_RB, 1);
    return frame;
  }
}
