/** LEB128 varints and zigzag, shared by every binary encoding of the store (chunks, frame blocks, postings). */
export const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
export const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** A growable byte buffer written with varints (numbers up to 2^53, hence the division). */
/** Writes non-negative integer v (< 2^53) as a varint at bytes[at]; returns the end. The caller ensures room (8 bytes). */
export function putVarint(bytes: Uint8Array, at: number, v: number): number {
  if (v <= 0x7fffffff) {
    while (v > 0x7f) { bytes[at++] = (v & 0x7f) | 0x80; v >>>= 7; }
  } else {
    while (v > 0x7f) { bytes[at++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
  }
  bytes[at++] = v;
  return at;
}

/** A new Buffer holding bytes[0, n). */
export function bufferOf(bytes: Uint8Array, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  b.set(n === bytes.length ? bytes : bytes.subarray(0, n));
  return b;
}

export class ByteWriter {
  bytes: Uint8Array;
  used = 0;

  constructor(capacity = 256) { this.bytes = new Uint8Array(capacity); }

  varint(v: number): void {
    this.ensure(8);
    this.used = putVarint(this.bytes, this.used, v);
  }

  byte(b: number): void {
    this.ensure(1);
    this.bytes[this.used++] = b;
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.used);
    this.used += data.length;
  }

  /** Copies src[start, end) (no intermediate view). */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const dst = this.bytes;
    let at = this.used;
    if (n <= 64) for (let k = start; k < end; k++) dst[at++] = src[k];
    else dst.set(src.subarray(start, end), at);
    this.used += n;
  }

  /** Forget the contents, keep the capacity. */
  reset(): void { this.used = 0; }

  view(): Uint8Array { return this.bytes.subarray(0, this.used); }

  /** A Buffer of its own with the contents (one memcpy: Buffer.from(view()) copied byte by byte). */
  toBuffer(): Buffer { return bufferOf(this.bytes, this.used); }

  /** Room for n more bytes (grows the buffer). */
  ensure(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }
}

/** Reads varints from `bytes` starting at `pos`. */
export class ByteReader {
  constructor(readonly bytes: Uint8Array, public pos = 0) {}

  varint(): number {
    let result = 0, mul = 1, b: number;
    do { b = this.bytes[this.pos++]; result += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
    return result;
  }

  byte(): number { return this.bytes[this.pos++]; }
}
