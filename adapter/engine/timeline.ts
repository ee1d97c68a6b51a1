import { KIND_NAMES, EventKind } from '../../protocol/events';
import { SiteKind } from '../../protocol/sites';
import type { Cancel, Navigator } from './navigator';
import type { Timing } from './timing';
import type { Postings } from './postings';
import { upperBound } from '../store/postings-codec';
import type { ChunkEvents } from '../store/chunk-codec';

/** `fromMs`/`toMs`: when the bucket's first event ran and when its last one did, in ms since the recording's start (absent without clock samples). */
export interface TimelineBucket { from: number; to: number; counts: Record<string, number>; fromMs?: number; toMs?: number }
export interface TimelineFunction { name: string; file: string; line: number; calls: number }
export interface Timeline { from: number; to: number; total: number; buckets: TimelineBucket[]; functions: TimelineFunction[] }

const CHUNK_SUMMARY_MIN_BUCKET = 32768;

/** Activity over a time range in buckets (for the timeline view): never raw events. */
export class TimelineQuery {
  private chunkSummaries = new Map<number, ChunkSummary>();

  constructor(private readonly nav: Navigator, private readonly postings: Postings, private readonly timing?: Timing) {}

  /** How often any of `sites` occurred in each bucket (from the postings, never the events). */
  async occurrences(sites: Iterable<number>, buckets: ReadonlyArray<{ from: number; to: number }>, cancel?: Cancel): Promise<number[]> {
    const out = new Array<number>(buckets.length).fill(0);
    for (const site of new Set(sites)) {
      const seqs = await this.postings.of(site, cancel);
      buckets.forEach((b, i) => { out[i] += upperBound(seqs, b.to - 1) - upperBound(seqs, b.from - 1); });
    }
    return out;
  }

  async query(fromSeq: number, toSeq: number, bucketCount: number, cancel?: Cancel): Promise<Timeline> {
    const total = this.nav.events.length;
    const from = Math.max(0, Math.min(fromSeq, total));
    const to = Math.max(from, Math.min(toSeq, total));
    const n = Math.max(1, Math.min(bucketCount, Math.max(1, to - from)));
    const width = (to - from) / n;
    const counts = Array.from({ length: n }, () => new Array<number>(KIND_NAMES.length).fill(0));
    const calls = new Map<number, number>();
    const bucketOf = (seq: number) => Math.min(n - 1, Math.floor((seq - from) / width));
    if (width >= CHUNK_SUMMARY_MIN_BUCKET) await this.bySummaries(from, to, (seq, kindCounts, chunkCalls) => {
      const b = bucketOf(seq);
      kindCounts.forEach((c, k) => { counts[b][k] += c; });
      for (const [site, c] of chunkCalls) calls.set(site, (calls.get(site) ?? 0) + c);
    }, cancel);
    else {
      for await (const chunk of this.nav.reader.chunkEvents(from, to)) {
        tally(chunk, Math.max(from, chunk.start) - chunk.start, Math.min(to, chunk.start + chunk.length) - chunk.start, (i) => counts[bucketOf(chunk.start + i)], calls);
        if (cancel?.cancelled) break;
      }
    }
    const buckets: TimelineBucket[] = counts.map((k, b) => ({ from: Math.round(from + b * width), to: Math.round(from + (b + 1) * width), counts: named(k) }));
    if (this.timing && total > 0) {
      for (const b of buckets) {
        const fromMs = await this.timing.timeAt(b.from);
        if (fromMs === undefined) break;
        b.fromMs = round3(fromMs);
        b.toMs = round3((await this.timing.timeAt(Math.max(b.from, b.to - 1)))!);
      }
    }
    return {
      from, to, total,
      buckets,
      functions: this.topFunctions(calls),
    };
  }

  private async bySummaries(from: number, to: number, add: (seq: number, counts: number[], calls: Map<number, number>) => void, cancel?: Cancel): Promise<void> {
    let seq = from;
    while (seq < to && !cancel?.cancelled) {
      // A cached summary answers without reading the chunk: zoomed out, that read is the whole cost.
      const span = this.nav.reader.chunkSpan(seq)!;
      const cached = this.chunkSummaries.get(span.start);
      if (cached && cached.length === span.end - span.start) {
        add(Math.max(seq, span.start), cached.counts, cached.calls);
        seq = span.end;
        continue;
      }
      // Otherwise the rest of the range in one pass over the store, events only (values skipped).
      for await (const chunk of this.nav.reader.chunkEvents(seq, to)) {
        const summary = summarize(chunk);
        this.chunkSummaries.set(chunk.start, summary);
        add(Math.max(seq, chunk.start), summary.counts, summary.calls);
        seq = chunk.start + chunk.length;
        if (cancel?.cancelled) return;
      }
      return;
    }
  }

  private topFunctions(calls: Map<number, number>): TimelineFunction[] {
    return [...calls].sort((a, b) => b[1] - a[1]).slice(0, 50).map(([site, count]) => {
      const s = this.nav.sites.site(site);
      return { name: s?.kind === SiteKind.Module ? '<module>' : s?.name ?? '<anonymous>', file: this.nav.sites.file(site), line: s?.line ?? 0, calls: count };
    });
  }
}

/** What a zoomed-out timeline needs of a chunk: events per kind, and calls per function site. */
interface ChunkSummary { length: number; counts: number[]; calls: Map<number, number> }

function summarize(chunk: ChunkEvents): ChunkSummary {
  const counts = new Array<number>(KIND_NAMES.length).fill(0);
  const calls = new Map<number, number>();
  tally(chunk, 0, chunk.length, () => counts, calls);
  return { length: chunk.length, counts, calls };
}

/** Counts the chunk's events [lo, hi) (indexes) per kind into `countsOf(index)`, and calls per function site into `calls`. */
function tally(chunk: ChunkEvents, lo: number, hi: number, countsOf: (index: number) => number[], calls: Map<number, number>): void {
  for (let i = lo; i < hi; i++) {
    const kind = chunk.kinds[i];
    countsOf(i)[kind]++;
    if (kind === EventKind.Call) calls.set(chunk.sites[i], (calls.get(chunk.sites[i]) ?? 0) + 1);
  }
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function named(counts: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  counts.forEach((c, k) => { if (c) out[KIND_NAMES[k]] = c; });
  return out;
}
