import { ARG_WORDS, EventKind, valueCount } from '../../protocol/events';
import type { RecordedValue } from '../../protocol/values';
import { FrameStack } from './frame-stack';
import { RawJson, type SinkValue } from './sink';
import { ByteReader, ByteWriter, putVarint, unzigzag, zigzag } from './varint';

/**
 * A chunk is a run of consecutive events. Frames are not stored per event: the header holds
 * the call stack at the chunk's start and the decoder replays call/exit/suspend/resume
 * (FrameStack), as the writer did.
 *
 * Layout: u32 length of the binary part, then varint count, varint last allocated frame id,
 * varint stack depth and the stack's frame ids; per event one kind byte (low 4 bits the kind,
 * FLAG_RESET on a Resume that continues from the event loop, FLAG_TOP on an Exit/Suspend of
 * the frame on top, whose arg is then omitted), a zigzag varint site delta, and the arg when
 * needed (a Call's frame id as a delta from the last allocated id). A Step (most events, never
 * flagged) whose zigzag site delta is below 15 carries it + 1 in the kind byte's high nibble
 * instead of the varint: one byte (since format 6; a Step byte of an older recording has a zero
 * high nibble, which still means a varint follows). Values follow the events,
 * in event order: an integer equal to one of the last RECENT integers as a single byte
 * (tag 2 + how far back: a return value written to a variable, an argument that was a
 * variable), other integers as tag 0 and a zigzag varint delta from the previous integer of
 * the same site and slot (loop counters cost two bytes), anything else as tag 1 and
 * length-prefixed JSON. LevelDB's snappy compresses the result further.
 */
const FLAG_RESET = 0x10;
const FLAG_TOP = 0x20;
const KIND_BITS_MASK = 0x0f;
/** Zigzag site deltas a Step's kind byte can carry (STEP_DELTA_SHIFT: in its high nibble, plus one). */
const STEP_INLINE_DELTAS = 15;
const STEP_DELTA_SHIFT = 4;
const RECENT = 8;

let utf8Scratch = Buffer.allocUnsafe(1 << 16);
/** UTF-8 of s into utf8Scratch (grown as needed); returns the byte count. */
function encodeUtf8(s: string): number {
  if (s.length * 3 > utf8Scratch.length) utf8Scratch = Buffer.allocUnsafe(Math.max(s.length * 3, utf8Scratch.length * 2));
  return utf8Scratch.write(s, 0, 'utf8'); // room for 3 bytes per UTF-16 unit: never truncated
}

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
  private readonly events: ByteWriter;
  private readonly vals: ByteWriter;
  private readonly header = new ByteWriter(64);
  private lastSite = 0;
  private readonly lastInt: LastInts;
  private recent = new RecentInts();
  count = 0;

  /** `reuse`: an encoded builder whose buffers (grown to a chunk's size) this one takes over. */
  constructor(readonly firstSeq: number, stack: readonly number[], private lastFrameId: number, reuse?: ChunkBuilder) {
    if (reuse) {
      this.events = reuse.events; this.vals = reuse.vals; this.lastInt = reuse.lastInt;
      this.events.reset(); this.vals.reset(); this.lastInt.reset();
    } else {
      this.events = new ByteWriter(1 << 16); this.vals = new ByteWriter(1 << 14); this.lastInt = new LastInts();
    }
    this.header.varint(lastFrameId);
    this.header.varint(stack.length);
    for (const f of stack) this.header.varint(f);
  }

  /** `top`: the frame on top of the stack before this event; `resets`: see FrameStack.apply. */
  add(kind: EventKind, site: number, arg: number, values: SinkValue[] | undefined, top: number, resets: boolean): void {
    if (kind === EventKind.Step) { this.addStep(site); return; }
    const onTop = (kind === EventKind.Exit || kind === EventKind.Suspend) && arg === top;
    // One room check per event (1 + 3 varints of < 2^35), then plain writes.
    const ev = this.events;
    ev.ensure(24);
    const b = ev.bytes;
    let u = ev.used;
    b[u++] = kind | (resets ? FLAG_RESET : 0) | (onTop ? FLAG_TOP : 0);
    u = putVarint(b, u, zigzag(site - this.lastSite));
    this.lastSite = site;
    if (kind === EventKind.Call) { u = putVarint(b, u, zigzag(arg - this.lastFrameId - 1)); this.lastFrameId = arg; }
    else if (hasArg(kind) && !onTop) u = putVarint(b, u, arg >>> 0);
    ev.used = u;
    if (values) for (let slot = 0; slot < values.length; slot++) this.addValue(site * 2 + slot, values[slot]);
    this.count++;
  }

  /** add() of a Step: no flags, no arg, no values. */
  addStep(site: number): void {
    const ev = this.events;
    ev.ensure(8);
    const delta = zigzag(site - this.lastSite);
    if (delta < STEP_INLINE_DELTAS) ev.bytes[ev.used++] = EventKind.Step | ((delta + 1) << STEP_DELTA_SHIFT);
    else {
      ev.bytes[ev.used] = EventKind.Step;
      ev.used = putVarint(ev.bytes, ev.used + 1, delta);
    }
    this.lastSite = site;
    this.count++;
  }

  get valueBytes(): number { return this.vals.used; }

  private addValue(key: number, v: SinkValue): void {
    if (v instanceof RawJson) {
      // The runtime's JSON text as it came: the same bytes JSON.stringify(JSON.parse(text)) gives.
      this.vals.byte(1);
      this.vals.varint(v.end - v.start);
      this.vals.copy(v.buf, v.start, v.end);
      return;
    }
    if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) <= 0x7fffffff) {
      const back = this.recent.indexOf(v);
      if (back >= 0) this.vals.byte(2 + back);
      else {
        this.vals.byte(0);
        this.vals.varint(zigzag(v - this.lastInt.get(key)));
      }
      this.lastInt.set(key, v);
      this.recent.push(v);
      return;
    }
    // Straight into the chunk: a Buffer per value (Buffer.from) was the largest item of ingest
    // for string-heavy programs. The UTF-8 bytes go to a reused scratch first (the varint length
    // comes before them), then one copy.
    const json = JSON.stringify(v);
    const n = encodeUtf8(json);
    this.vals.byte(1);
    this.vals.varint(n);
    this.vals.copy(utf8Scratch, 0, n);
  }

  encode(): Buffer {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(this.events.used);
    const count = new ByteWriter(8);
    count.varint(this.count);
    return Buffer.concat([length, count.view(), this.header.view(), this.events.view(), this.vals.view()]);
  }
}

export function decodeChunk(firstSeq: number, buf: Uint8Array): DecodedChunk {
  const binLength = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readUInt32LE(0);
  const input = new ByteReader(buf, 4);
  const length = input.varint();
  let lastFrameId = input.varint();
  const depth = input.varint();
  const stack = new FrameStack(Array.from({ length: depth }, () => input.varint()));
  const vals = new ByteReader(buf, input.pos + binLength);
  const values: RecordedValue[] = [];
  const lastInt = decodeLastInts;
  lastInt.reset();
  const recent = new RecentInts();
  const readValue = (key: number): RecordedValue => {
    const tag = vals.byte();
    if (tag >= 2) { const n = recent.at(tag - 2); lastInt.set(key, n); recent.push(n); return n; }
    const v = vals.varint();
    if (tag === 0) { const n = lastInt.get(key) + unzigzag(v); lastInt.set(key, n); recent.push(n); return n; }
    const json = Buffer.from(buf.buffer, buf.byteOffset + vals.pos, v).toString('utf8');
    vals.pos += v;
    return JSON.parse(json) as RecordedValue;
  };
  const kinds = new Uint8Array(length), sites = new Int32Array(length), frames = new Int32Array(length);
  const args = new Int32Array(length), valueAt = new Int32Array(length);
  let site = 0;
  for (let i = 0; i < length; i++) {
    const byte = input.byte();
    const kind = (byte & KIND_BITS_MASK) as EventKind;
    kinds[i] = kind;
    site += siteDelta(kind, byte, input);
    sites[i] = site;
    let arg = 0;
    if (kind === EventKind.Call) { arg = lastFrameId + 1 + unzigzag(input.varint()); lastFrameId = arg; }
    else if (byte & FLAG_TOP) arg = stack.top;
    else if (hasArg(kind)) arg = input.varint() | 0;
    args[i] = arg;
    frames[i] = stack.apply(kind, arg, (byte & FLAG_RESET) !== 0);
    const nValues = valueCount(kind);
    valueAt[i] = nValues ? values.length : -1;
    for (let slot = 0; slot < nValues; slot++) values.push(readValue(site * 2 + slot));
  }
  return { firstSeq, length, kinds, sites, frames, args, valueAt, values };
}

/** The values of the chunk's event at `index` (none, one, or a PropWrite's key and value). */
export function eventValues(chunk: DecodedChunk, index: number): RecordedValue[] {
  const at = chunk.valueAt[index];
  return at < 0 ? [] : chunk.values.slice(at, at + valueCount(chunk.kinds[index]));
}

/** A chunk's kinds and sites only: what counting activity (the timeline) needs. */
export interface ChunkEvents { length: number; kinds: Uint8Array; sites: Int32Array }

/** Decodes a chunk's event bytes alone: no frame replay, no value decoded (the costly part). */
export function decodeChunkEvents(buf: Uint8Array): ChunkEvents {
  const input = new ByteReader(buf, 4);
  const length = input.varint();
  input.varint(); // last allocated frame id
  for (let depth = input.varint(); depth > 0; depth--) input.varint();
  const kinds = new Uint8Array(length), sites = new Int32Array(length);
  let site = 0;
  for (let i = 0; i < length; i++) {
    const byte = input.byte();
    const kind = byte & KIND_BITS_MASK;
    kinds[i] = kind;
    site += siteDelta(kind, byte, input);
    sites[i] = site;
    if (kind === EventKind.Call || (!(byte & FLAG_TOP) && hasArg(kind))) input.varint();
  }
  return { length, kinds, sites };
}

const hasArg = (kind: EventKind) => ARG_WORDS[kind] === 1;

/** The site delta of the event whose kind byte is `byte`: in the byte (a short Step), else the next varint. */
function siteDelta(kind: EventKind, byte: number, input: ByteReader): number {
  const inline = kind === EventKind.Step ? byte >>> STEP_DELTA_SHIFT : 0;
  return unzigzag(inline !== 0 ? inline - 1 : input.varint());
}

/**
 * Per value slot (site * 2 + slot), the last integer it held in the current chunk (0 before any).
 * Slots are dense small integers: arrays indexed by slot, not a Map (a lookup per value). A new
 * chunk starts a new generation instead of clearing them.
 */
class LastInts {
  private last = new Float64Array(1024);
  private gen = new Uint32Array(1024);
  private current = 1;
  reset(): void {
    if (++this.current === 0xffffffff) { this.gen.fill(0); this.current = 1; }
  }
  get(key: number): number { return key < this.gen.length && this.gen[key] === this.current ? this.last[key] : 0; }
  set(key: number, v: number): void {
    if (key >= this.gen.length) {
      const n = Math.max(key + 1, this.gen.length * 2);
      const last = new Float64Array(n), gen = new Uint32Array(n);
      last.set(this.last); gen.set(this.gen);
      this.last = last; this.gen = gen;
    }
    this.last[key] = v;
    this.gen[key] = this.current;
  }
}

/** Decoding is synchronous: one set of slots serves every chunk. */
const decodeLastInts = new LastInts();

/** The last RECENT integer values of a chunk, newest first. */
class RecentInts {
  private ring = new Float64Array(RECENT);
  private size = 0;
  private head = 0;
  push(v: number): void { this.head = (this.head + RECENT - 1) % RECENT; this.ring[this.head] = v; if (this.size < RECENT) this.size++; }
  at(back: number): number { return this.ring[(this.head + back) % RECENT]; }
  indexOf(v: number): number {
    for (let k = 0; k < this.size; k++) if (this.ring[(this.head + k) % RECENT] === v) return k;
    return -1;
  }
}

