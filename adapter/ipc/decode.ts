/**
 * Decodes BATCH payloads (ring words + byte-ring bytes) into EventSink calls.
 * Per event, the only allocation is the values array (and the decoded strings / JSON values).
 */
import { RawJson, type EventSink, type SinkValue } from '../store/sink';
import type { RecordedValue } from '../../protocol/values';
import type { EventKind } from '../../protocol/events';
import { ARG_WORDS, VALUE_COUNTS } from '../../protocol/events';
import { K_CLOCK, K_STEP, T_DOUBLE, T_FALSE, T_INT, T_JSON, T_NULL, T_STRING, T_TRUE, T_UNDEF } from '../../runtime/wire';

const HAS_ARG = ARG_WORDS, N_VALUES = VALUE_COUNTS;

const UNDEF: RecordedValue = { u: 1 };
const NAN: RecordedValue = { n: 'NaN' };
const INF: RecordedValue = { n: 'Infinity' };
const NINF: RecordedValue = { n: '-Infinity' };
const NEG0: RecordedValue = { n: '-0' };

export class DecodeError extends Error {}

const CACHE_SLOTS = 1024;
const CACHE_MAX = 16;

export class BatchDecoder {
  private words = new Int32Array(1 << 14);
  private readonly f64 = new Float64Array(1);
  private readonly f64i = new Int32Array(this.f64.buffer);
  /** Events decoded so far. */
  count = 0;
  // Direct-mapped cache of short strings (property keys, enum-like values repeat a lot): a hit
  // costs a hash and a compare of <= 16 bytes instead of a UTF-8 decode into a new string.
  private readonly cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX);
  private readonly cacheLen = new Int8Array(CACHE_SLOTS).fill(-1);
  private readonly cacheStr: string[] = new Array<string>(CACHE_SLOTS).fill('');

  private readonly rawJson: boolean;

  constructor(private readonly sink: EventSink) { this.rawJson = sink.rawJson === true; }

  /** Decode one BATCH payload: buf[start, end) = [u32 nWords][words][u32 nBytes][bytes]. */
  decode(buf: Buffer, start: number, end: number): void {
    if (end - start < 8) throw new DecodeError('short batch');
    const nWords = buf.readUInt32LE(start);
    const wordsAt = start + 4;
    const bytesHdr = wordsAt + nWords * 4;
    if (bytesHdr + 4 > end) throw new DecodeError('batch words overrun');
    const nBytes = buf.readUInt32LE(bytesHdr);
    let bp = bytesHdr + 4;
    const bEnd = bp + nBytes;
    if (bEnd !== end) throw new DecodeError('batch size mismatch');
    // Copy the (unaligned) words into an aligned scratch Int32Array (little-endian hosts).
    if (this.words.length < nWords) this.words = new Int32Array(Math.max(nWords, this.words.length * 2));
    const words = this.words;
    new Uint8Array(words.buffer, 0, nWords * 4).set(buf.subarray(wordsAt, bytesHdr));

    const sink = this.sink;
    const f64 = this.f64, f64i = this.f64i;
    const rawJson = this.rawJson;
    let i = 0;
    let count = 0;
    const step = sink.step?.bind(sink);
    while (i < nWords) {
      const w0 = words[i++];
      const kind = w0 & 15;
      const site = w0 >>> 4;
      if (kind === K_STEP && step !== undefined) { step(site); count++; continue; }
      let arg = 0;
      if (HAS_ARG[kind] === 1) arg = words[i++];
      const nv = N_VALUES[kind];
      let values: SinkValue[] | undefined;
      if (nv !== 0) {
        values = nv === 1 ? [null] : [null, null]; // PACKED_ELEMENTS: no elements-kind transitions
        for (let v = 0; v < nv; v++) {
          const tag = words[i++];
          let val: SinkValue;
          switch (tag) {
            case T_UNDEF: val = UNDEF; break;
            case T_NULL: val = null; break;
            case T_TRUE: val = true; break;
            case T_FALSE: val = false; break;
            case T_INT: val = words[i++]; break;
            case T_DOUBLE: {
              f64i[0] = words[i]; f64i[1] = words[i + 1]; i += 2;
              const d = f64[0];
              val = d !== d ? NAN : d === Infinity ? INF : d === -Infinity ? NINF : (d === 0 && 1 / d < 0) ? NEG0 : d;
              break;
            }
            case T_STRING: case T_JSON: {
              const len = words[i++];
              if (len < 0 || bp + len > bEnd) throw new DecodeError('byte ring overrun');
              if (tag === T_STRING) val = len <= CACHE_MAX ? this.shortString(buf, bp, len) : buf.toString('utf8', bp, bp + len);
              else val = rawJson ? new RawJson(buf, bp, bp + len) : JSON.parse(buf.toString('utf8', bp, bp + len)) as RecordedValue;
              bp += len;
              break;
            }
            default: throw new DecodeError(`bad value tag ${tag}`);
          }
          values[v] = val;
        }
      }
      if (i > nWords) throw new DecodeError('record overruns batch');
      if (kind === K_CLOCK) { if (typeof values![0] === 'number') sink.clock?.(values![0]); continue; } // a time sample, not an event
      sink.event(kind as EventKind, site, arg, values);
      count++;
    }
    this.count += count;
    if (bp !== bEnd) throw new DecodeError('unconsumed bytes in batch');
  }

  private shortString(buf: Buffer, p: number, len: number): string {
    let h = len;
    for (let k = 0; k < len; k++) h = Math.imul(h ^ buf[p + k], 16777619);
    const slot = (h >>> 0) & (CACHE_SLOTS - 1);
    const cb = this.cacheBytes, at = slot * CACHE_MAX;
    if (this.cacheLen[slot] === len) {
      let k = 0;
      while (k < len && cb[at + k] === buf[p + k]) k++;
      if (k === len) return this.cacheStr[slot];
    }
    const s = buf.toString('utf8', p, p + len);
    for (let k = 0; k < len; k++) cb[at + k] = buf[p + k];
    this.cacheLen[slot] = len;
    this.cacheStr[slot] = s;
    return s;
  }
}
