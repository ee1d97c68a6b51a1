/**
 * Decodes BATCH payloads (ring words + byte-ring bytes) into EventSink calls.
 * Per event, the only allocation is the values array (and the decoded strings / JSON values).
 */
import type { EventSink } from '../store/sink';
import type { RecordedValue } from '../../protocol/values';
import type { EventKind } from '../../protocol/events';
import { KINDS_WITH_ARG, valueCount } from '../../protocol/events';
import { T_DOUBLE, T_FALSE, T_INT, T_JSON, T_NULL, T_STRING, T_TRUE, T_UNDEF } from '../../runtime/wire';

const HAS_ARG = new Uint8Array(16);
const N_VALUES = new Uint8Array(16);
for (let k = 0; k < 16; k++) {
  HAS_ARG[k] = KINDS_WITH_ARG.has(k as EventKind) ? 1 : 0;
  N_VALUES[k] = valueCount(k as EventKind);
}

const UNDEF: RecordedValue = { u: 1 };
const NAN: RecordedValue = { n: 'NaN' };
const INF: RecordedValue = { n: 'Infinity' };
const NINF: RecordedValue = { n: '-Infinity' };
const NEG0: RecordedValue = { n: '-0' };

export class DecodeError extends Error {}

export class BatchDecoder {
  private words = new Int32Array(1 << 14);
  private readonly f64 = new Float64Array(1);
  private readonly f64i = new Int32Array(this.f64.buffer);
  /** Events decoded so far. */
  count = 0;

  constructor(private readonly sink: EventSink) {}

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
    let i = 0;
    let count = 0;
    while (i < nWords) {
      const w0 = words[i++];
      const kind = w0 & 15;
      const site = w0 >>> 4;
      let arg = 0;
      if (HAS_ARG[kind] === 1) arg = words[i++];
      const nv = N_VALUES[kind];
      let values: RecordedValue[] | undefined;
      if (nv !== 0) {
        values = new Array<RecordedValue>(nv);
        for (let v = 0; v < nv; v++) {
          const tag = words[i++];
          let val: RecordedValue;
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
              const s = buf.toString('utf8', bp, bp + len);
              bp += len;
              val = tag === T_STRING ? s : JSON.parse(s) as RecordedValue;
              break;
            }
            default: throw new DecodeError(`bad value tag ${tag}`);
          }
          values[v] = val;
        }
      }
      if (i > nWords) throw new DecodeError('record overruns batch');
      sink.event(kind as EventKind, site, arg, values);
      count++;
    }
    this.count += count;
    if (bp !== bEnd) throw new DecodeError('unconsumed bytes in batch');
  }
}
