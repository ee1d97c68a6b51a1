import { ByteReader, ByteWriter, unzigzag, zigzag } from './varint';

/**
 * The seq→time index. The runtime never timestamps events: it samples the clock once per
 * published block (~1024 ring words), on its 25 ms idle tick, right after the first event that
 * follows a tick and when that task's synchronous part ends. A sample (seq, t) means: every event
 * before `seq` had happened by time t, and event `seq` had not started.
 *
 * Stored under clock:<n> (n = block number, keys.ts) as: varint count, then the first sample as
 * varint seq and varint microseconds, then per sample varint seq delta and zigzag varint
 * microseconds delta. A few bytes per ~700 events; LevelDB's snappy shrinks it further.
 */
export interface ClockSample { seq: number; us: number }

export function encodeClockBlock(samples: readonly ClockSample[]): Buffer {
  const out = new ByteWriter(samples.length * 4 + 8);
  out.varint(samples.length);
  let seq = 0, us = 0;
  samples.forEach((s, i) => {
    if (i === 0) { out.varint(s.seq); out.varint(s.us); }
    else { out.varint(s.seq - seq); out.varint(zigzag(s.us - us)); }
    seq = s.seq; us = s.us;
  });
  return out.toBuffer();
}

export function decodeClockBlock(bytes: Uint8Array): ClockSample[] {
  const input = new ByteReader(bytes);
  const n = input.varint();
  const out: ClockSample[] = [];
  let seq = 0, us = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) { seq = input.varint(); us = input.varint(); }
    else { seq += input.varint(); us += unzigzag(input.varint()); }
    out.push({ seq, us });
  }
  return out;
}

/**
 * Writer side: collects samples. Of several samples at the same seq (an idle stretch) only the
 * first and the last matter (when the previous event had ended, when the next one began).
 */
export class ClockCollector {
  private pending: ClockSample[] = [];
  private lastSeq = -1;
  private run = 0; // samples at lastSeq among the pending ones
  count = 0;

  add(seq: number, ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    if (seq === this.lastSeq && this.run >= 2) { this.pending[this.pending.length - 1].us = us; return; }
    if (seq === this.lastSeq) this.run++; else { this.lastSeq = seq; this.run = 1; }
    this.pending.push({ seq, us });
    this.count++;
  }

  get size(): number { return this.pending.length; }

  take(): ClockSample[] {
    const out = this.pending;
    this.pending = [];
    this.run = 0; // a written sample is never rewritten
    return out;
  }
}

/** Reader side: every sample in memory (16 bytes each, one per ~700 events), answering timeAt. */
export class ClockIndex {
  private seqs: number[] = [];
  private us: number[] = [];

  get size(): number { return this.seqs.length; }

  add(samples: readonly ClockSample[]): void {
    for (const s of samples) {
      const n = this.seqs.length;
      // keep both columns ascending even if a sample arrives out of order (never expected)
      if (n && (s.seq < this.seqs[n - 1] || s.us < this.us[n - 1])) continue;
      this.seqs.push(s.seq);
      this.us.push(s.us);
    }
  }

  /** Index of the last sample at or before `seq` (-1 before the first): events with the same index share one sample interval. */
  interval(seq: number): number {
    const seqs = this.seqs, n = seqs.length;
    if (!n || seq < seqs[0]) return -1;
    let lo = 0, hi = n - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (seqs[mid] <= seq) lo = mid; else hi = mid - 1; }
    return lo;
  }

  /** How long sample interval `i` lasted (ms; 0 past the last sample). */
  widthMs(i: number): number {
    return i >= 0 && i + 1 < this.us.length ? (this.us[i + 1] - this.us[i]) / 1000 : 0;
  }

  /** ms of the first sample (the runtime's start), or undefined when the recording has none. */
  get startMs(): number | undefined { return this.seqs.length ? this.us[0] / 1000 : undefined; }
  get endMs(): number | undefined { return this.seqs.length ? this.us[this.us.length - 1] / 1000 : undefined; }

  /**
   * When event `seq` ran, in ms on the runtime's clock. Between the samples (s0, t0) and the next
   * (s1, t1) with s1 > seq, the n = s1 - s0 events are spread evenly, each at the end of its slot:
   * event s0 + k at t0 + (t1 - t0)(k + 1)/n, so the event just before a sample gets its time
   * exactly. The error is below t1 - t0: one block of busy code, or the gap up to a tick.
   * Before the first sample: its time; after the last: the last one's.
   */
  timeAt(seq: number): number | undefined {
    const seqs = this.seqs, n = seqs.length;
    if (!n) return undefined;
    if (seq < seqs[0]) return this.us[0] / 1000;
    const lo = this.interval(seq);
    if (lo === n - 1) return this.us[lo] / 1000;
    const s0 = seqs[lo], s1 = seqs[lo + 1], t0 = this.us[lo], t1 = this.us[lo + 1];
    return (t0 + ((t1 - t0) * (seq - s0 + 1)) / (s1 - s0)) / 1000;
  }
}
