import { EventKind, KINDS_WITH_ARG, valueCount } from '../../protocol/events';
import type { RecordedValue } from '../../protocol/values';

/**
 * A chunk is a run of consecutive events. Binary part: varint count, then per event
 * one kind byte, zigzag-varint site delta, zigzag-varint frame delta, and a varint arg
 * for kinds that carry one. Values of the whole chunk follow as one JSON array, in
 * event order. LevelDB's snappy compresses the result further.
 */
export interface DecodedChunk {
  firstSeq: number;
  length: number;
  kinds: Uint8Array;
  sites: Int32Array;
  frames: Int32Array;
  args: Int32Array;
  /** Index into `values` of each event's first value, or -1. */
  valueAt: Int32Array;
  values: RecordedValue[];
}

export class ChunkBuilder {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  private lastSite = 0;
  private lastFrame = 0;
  count = 0;
  values: RecordedValue[] = [];
  valueBytes = 0;

  constructor(readonly firstSeq: number) {}

  add(kind: EventKind, site: number, frame: number, arg: number, values: RecordedValue[] | undefined): void {
    this.ensure(16);
    this.bytes[this.used++] = kind;
    this.writeVarint(zigzag(site - this.lastSite));
    this.writeVarint(zigzag(frame - this.lastFrame));
    if (KINDS_WITH_ARG.has(kind)) this.writeVarint(arg >>> 0);
    this.lastSite = site;
    this.lastFrame = frame;
    if (values) for (const v of values) { this.values.push(v); this.valueBytes += typeof v === 'string' ? v.length : 8; }
    this.count++;
  }

  /** Header varint count + binary events + JSON values, with a u32 length of the binary part first. */
  encode(): Buffer {
    const head = Buffer.alloc(4);
    const json = Buffer.from(JSON.stringify(this.values));
    head.writeUInt32LE(this.used);
    const countBytes = encodeVarint(this.count);
    return Buffer.concat([head, countBytes, Buffer.from(this.bytes.buffer, 0, this.used), json]);
  }

  private ensure(n: number) {
    if (this.used + n <= this.bytes.length) return;
    const grown = new Uint8Array(this.bytes.length * 2);
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }

  private writeVarint(v: number) {
    while (v > 0x7f) { this.bytes[this.used++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
    this.bytes[this.used++] = v;
  }
}

export function decodeChunk(firstSeq: number, buf: Uint8Array): DecodedChunk {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const binLength = view.readUInt32LE(0);
  let pos = 4;
  const readVarint = () => {
    let result = 0, mul = 1, b: number;
    do { b = view[pos++]; result += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
    return result;
  };
  const length = readVarint();
  const binEnd = pos + binLength;
  const kinds = new Uint8Array(length), sites = new Int32Array(length), frames = new Int32Array(length);
  const args = new Int32Array(length), valueAt = new Int32Array(length);
  let site = 0, frame = 0, nextValue = 0;
  for (let i = 0; i < length; i++) {
    const kind = view[pos++] as EventKind;
    kinds[i] = kind;
    site += unzigzag(readVarint());
    frame += unzigzag(readVarint());
    sites[i] = site;
    frames[i] = frame;
    args[i] = KINDS_WITH_ARG.has(kind) ? readVarint() | 0 : 0;
    const nValues = valueCount(kind);
    valueAt[i] = nValues ? nextValue : -1;
    nextValue += nValues;
  }
  const values = JSON.parse(view.toString('utf8', binEnd)) as RecordedValue[];
  return { firstSeq, length, kinds, sites, frames, args, valueAt, values };
}

function encodeVarint(v: number): Buffer {
  const out: number[] = [];
  while (v > 0x7f) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return Buffer.from(out);
}
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);
