import type { EventKind } from '../../protocol/events';
import type { RecordedValue } from '../../protocol/values';
import { eventValues, type DecodedChunk } from '../store/chunk-codec';
import type { RecordingReader } from '../store/reader';

export interface TraceEvent {
  seq: number;
  kind: EventKind;
  site: number;
  frame: number;
  arg: number;
}

/** Visitor over events in a chunk: return true to stop, a number to jump to that seq, nothing to go on. */
export type Visit = (chunk: DecodedChunk, index: number, seq: number) => boolean | number | void;

/** Sequential access to the event stream in either direction, with jumps (skip a callee by its frame's entry/exit). */
export class EventStream {
  constructor(readonly reader: RecordingReader) {}

  get length(): number { return this.reader.length; }

  async at(seq: number): Promise<TraceEvent | undefined> {
    const chunk = await this.reader.chunkAt(seq);
    if (!chunk) return undefined;
    const i = seq - chunk.firstSeq;
    return { seq, kind: chunk.kinds[i], site: chunk.sites[i], frame: chunk.frames[i], arg: chunk.args[i] };
  }

  async values(seq: number): Promise<RecordedValue[]> {
    const chunk = await this.reader.chunkAt(seq);
    return chunk ? eventValues(chunk, seq - chunk.firstSeq) : [];
  }

  /** Visits seqs from `from` (inclusive) forwards (`dir` 1) or backwards (-1) until the visitor stops; returns the stop seq or -1. */
  async scan(from: number, dir: 1 | -1, visit: Visit, signal?: { cancelled: boolean }): Promise<number> {
    let seq = from;
    while (seq >= 0 && seq < this.length) {
      const chunk = (await this.reader.chunkAt(seq))!;
      const end = chunk.firstSeq + chunk.length;
      while (seq >= chunk.firstSeq && seq < end) {
        const r = visit(chunk, seq - chunk.firstSeq, seq);
        if (r === true) return seq;
        if (typeof r === 'number') { seq = r; break; }
        seq += dir;
      }
      if (signal?.cancelled) return -1;
    }
    return -1;
  }
}
