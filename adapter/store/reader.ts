import { Level } from 'level';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dropSnapshot, SnapshotError, takeSnapshot } from './snapshot';
import { decodeChunk, decodeChunkEvents, eventValues, type ChunkEvents, type DecodedChunk } from './chunk-codec';
import { BLOCK, decodeBlock, frameFromBlock } from './frames';
import { decodePostings, upperBound } from './postings-codec';
import { ClockIndex, decodeClockBlock } from './clock-index';
import { CHUNK_PREFIX, CLOCK_PREFIX, chunkKey, frameBlockKey, META_KEY, moduleKey, objectPostingsPrefix, postingsKey, postingsPrefix, seqOfPostingsKey, prefixEnd, resumePrefix, seqOfChunkKey, SITE_PREFIX, snapshotPostingsKey, snapshotPostingsPrefix, STATS_KEY, stepsKey, stepsPrefix } from './keys';
import { FORMAT_VERSION, READABLE_FORMATS, STEP_POSTINGS_FORMAT, type FrameRecord, type LoadedFile, type RecordingMeta, type RecordingStats } from './meta';
import { SiteKind, type FileSiteTable, type Site } from '../../protocol/sites';
import { EventKind, valueCount } from '../../protocol/events';
import { isObjectSnapshot, isSameSnapshot, type ObjectSnapshot } from '../../protocol/values';

import { RecordingError } from './errors';

export { RecordingError };

const CHUNK_CACHE = 64;
const FRAME_BLOCK_CACHE = 64;

/**
 * Read access to one recording. Chunk and frame lookups are cached; `refresh()`
 * picks up what a live writer has stored since.
 */
export class RecordingReader {
  meta!: RecordingMeta;
  stats!: RecordingStats;
  /** Global site id → site, and the file it belongs to. */
  readonly sites: Site[] = [];
  readonly siteFile: string[] = [];
  readonly files: LoadedFile[] = [];
  /** First seq of every stored chunk, ascending. */
  private chunkStarts: number[] = [];
  private chunkCache = new Map<number, DecodedChunk>();
  /** Kinds and sites of chunks read to expand step postings. */
  private chunkEventsCache = new Map<number, ChunkEvents>();
  private frameBlocks = new Map<number, Int32Array>();
  private postingsCache = new Map<string, number[]>();
  private clockIndex = new ClockIndex();
  private clockKey = CLOCK_PREFIX;
  private clockStale = true;

  private constructor(private readonly db: Level<string, string>, readonly dir: string, private readonly ownsDb: boolean, private readonly snapshot?: string) {}

  /**
   * Opens a recording folder. A live writer's db handle may be shared (same process). Otherwise
   * the reader opens a private snapshot of the folder (see snapshot.ts): the original is never
   * locked nor modified, so any number of processes can read it, even while it is being written
   * (they see what was written up to the open).
   */
  static async open(dir: string, shared?: Level<string, string>): Promise<RecordingReader> {
    if (shared) {
      const reader = new RecordingReader(shared, dir, false);
      await reader.refresh();
      return reader;
    }
    if (!existsSync(dir)) throw new RecordingError(`${dir}: not an ElixirScope recording (no such folder)`);
    if (!existsSync(join(dir, 'CURRENT'))) throw new RecordingError(`${dir}: not an ElixirScope recording (no LevelDB store there)`);
    let snap: string;
    try { snap = takeSnapshot(dir); } catch (err) {
      throw new RecordingError(err instanceof SnapshotError ? `cannot open recording: ${err.message}` : `cannot open recording ${dir}: ${(err as Error).message}`);
    }
    const db = new Level<string, string>(snap, { valueEncoding: 'utf8', createIfMissing: false });
    try {
      await db.open();
    } catch (err) {
      dropSnapshot(snap);
      const cause = ((err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message).split(snap).join(dir);
      throw new RecordingError(`cannot open recording ${storeFileIn(dir, cause)}: it is unreadable or corrupt (${cause})`);
    }
    const reader = new RecordingReader(db, dir, true, snap);
    try {
      await reader.refresh();
    } catch (err) {
      await reader.close();
      throw err;
    }
    return reader;
  }

  async refresh(): Promise<void> {
    const meta = await this.getJson<RecordingMeta>(META_KEY);
    if (!meta) throw new RecordingError(`${this.dir}: recording has no metadata (corrupt or not an ElixirScope recording)`);
    if (!READABLE_FORMATS.includes(meta.format)) throw new RecordingError(`${this.dir}: recording format ${meta.format} is not supported by this version (expects ${FORMAT_VERSION}); record it again`);
    this.meta = meta;
    // A snapshot taken in the moment between the writer's first two puts has no stats yet: nothing readable.
    this.stats = (await this.getJson<RecordingStats>(STATS_KEY)) ?? { events: 0, frames: 0, chunks: 0, durationMs: 0, complete: false, dropped: 0, gaps: [] };
    await this.loadSites();
    this.chunkStarts = [];
    for await (const key of this.db.keys({ gte: CHUNK_PREFIX, lt: prefixEnd(CHUNK_PREFIX) })) this.chunkStarts.push(seqOfChunkKey(key));
    // The last chunk may be a partial one that a live writer will rewrite as it grows.
    if (this.chunkStarts.length) {
      this.chunkCache.delete(this.chunkStarts[this.chunkStarts.length - 1]);
      this.chunkEventsCache.delete(this.chunkStarts[this.chunkStarts.length - 1]);
    }
    this.frameBlocks.clear();
    this.postingsCache.clear();
    this.clockStale = true;
  }

  /** The seq→time index (clock-index.ts), loaded on first use and extended after a refresh. */
  async clocks(): Promise<ClockIndex> {
    if (this.clockStale) {
      this.clockStale = false;
      for await (const [key, value] of this.db.iterator({ gt: this.clockKey, lt: prefixEnd(CLOCK_PREFIX), valueEncoding: 'buffer' } as never) as AsyncIterable<[string, Buffer]>) {
        this.clockIndex.add(decodeClockBlock(value));
        this.clockKey = key;
      }
    }
    return this.clockIndex;
  }

  /** The decoded frames block `index` (frames index*BLOCK … +BLOCK-1), or undefined when it is not stored. */
  async frameBlock(index: number): Promise<Int32Array | undefined> {
    let block = this.frameBlocks.get(index);
    if (!block) {
      const raw = await this.db.get(frameBlockKey(index), { valueEncoding: 'buffer' }) as unknown as Buffer | undefined;
      if (!raw) return undefined;
      block = decodeBlock(index, raw);
      if (this.frameBlocks.size >= FRAME_BLOCK_CACHE) this.frameBlocks.delete(this.frameBlocks.keys().next().value!);
      this.frameBlocks.set(index, block);
    }
    return block;
  }

  /** Number of readable events. */
  get length(): number { return this.stats.events; }

  async close(): Promise<void> {
    if (!this.ownsDb) return;
    try { await this.db.close(); } finally { if (this.snapshot) dropSnapshot(this.snapshot); }
  }

  /** The chunk holding `seq`, decoded (cached). */
  /** Where the chunk holding `seq` starts and ends (exclusive), without reading it. */
  chunkSpan(seq: number): { start: number; end: number } | undefined {
    if (seq < 0 || seq >= this.length) return undefined;
    const at = this.chunkIndex(seq);
    return { start: this.chunkStarts[at], end: at + 1 < this.chunkStarts.length ? this.chunkStarts[at + 1] : this.length };
  }

  private chunkIndex(seq: number): number {
    let lo = 0, hi = this.chunkStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.chunkStarts[mid] <= seq) lo = mid; else hi = mid - 1; }
    return lo;
  }

  async chunkAt(seq: number): Promise<DecodedChunk | undefined> {
    if (seq < 0 || seq >= this.length) return undefined;
    const start = this.chunkStarts[this.chunkIndex(seq)];
    let chunk = this.chunkCache.get(start);
    if (!chunk) {
      const raw = await this.db.get(chunkKey(start), { valueEncoding: 'buffer' }) as unknown as Buffer | undefined;
      if (!raw) throw new RecordingError(`${this.dir}: chunk at seq ${start} is missing (corrupt recording)`);
      chunk = decodeChunk(start, raw);
      // Not kept when a snapshot was not found (a live recording whose postings are not yet flushed).
      if (!await this.resolveSameSnapshots(chunk)) return chunk;
      if (this.chunkCache.size >= CHUNK_CACHE) this.chunkCache.delete(this.chunkCache.keys().next().value!);
      this.chunkCache.set(start, chunk);
    }
    return chunk;
  }

  /**
   * The kinds and sites of the chunks from the one holding `from` up to the one holding `to - 1`,
   * in order, read in one pass over the store (counting activity over millions of events).
   */
  async *chunkEvents(from: number, to: number): AsyncGenerator<ChunkEvents & { start: number }> {
    const first = this.chunkSpan(from), last = this.chunkSpan(Math.min(to, this.length) - 1);
    if (!first || !last) return;
    const range = { gte: chunkKey(first.start), lte: chunkKey(last.start), valueEncoding: 'buffer' };
    for await (const [key, raw] of this.db.iterator(range as never) as AsyncIterable<[string, Buffer]>) {
      const start = seqOfChunkKey(key);
      if (start >= this.length) break; // written after this reader's view of the recording
      yield { start, ...decodeChunkEvents(raw) };
    }
  }

  async frame(id: number): Promise<FrameRecord | undefined> {
    if (id <= 0) return undefined;
    const block = await this.frameBlock(Math.floor(id / BLOCK));
    return block && frameFromBlock(id, block);
  }

  /** The frame that was below `id` at time `seq` (resumed generators/async functions change it). */
  async parentAt(id: number, seq: number): Promise<number> {
    for await (const [, value] of this.db.iterator({ gte: resumePrefix(id), lte: resumePrefix(id) + seq.toString(16).padStart(12, '0'), reverse: true, limit: 1 })) return Number(value);
    return (await this.frame(id))?.parent ?? 0;
  }

  /**
   * Puts back the snapshot each SameSnapshot stands for (protocol/values.ts): the object's last
   * top-level snapshot before it, earlier in this chunk or found through its snapshot postings.
   */
  private async resolveSameSnapshots(chunk: DecodedChunk): Promise<boolean> {
    let latest: Map<number, ObjectSnapshot> | undefined;
    let complete = true;
    for (let i = 0; i < chunk.length; i++) {
      const at = chunk.valueAt[i];
      if (at < 0) continue;
      for (let k = at, end = at + valueCount(chunk.kinds[i]); k < end; k++) {
        const v = chunk.values[k];
        if (isObjectSnapshot(v)) (latest ??= new Map()).set(v.o, v);
        else if (isSameSnapshot(v)) {
          const full = latest?.get(v.s) ?? await this.lastSnapshotOf(v.s, chunk.firstSeq);
          chunk.values[k] = full ?? { t: 1 }; // shown as not recorded
          if (full) (latest ??= new Map()).set(v.s, full);
          else complete = false;
        }
      }
    }
    return complete;
  }

  /** The last top-level snapshot of `object` recorded before `seq`. */
  private async lastSnapshotOf(object: number, seq: number): Promise<ObjectSnapshot | undefined> {
    const block = await this.lastBlockAtOrBefore(snapshotPostingsPrefix(object), snapshotPostingsKey(object, seq - 1));
    let at = -1;
    for (const s of block ?? []) if (s < seq) at = s;
    if (at < 0) return undefined;
    const chunk = await this.chunkAt(at);
    return chunk && eventValues(chunk, at - chunk.firstSeq).find((v): v is ObjectSnapshot => isObjectSnapshot(v) && v.o === object);
  }

  /** The stored postings block of `site` that holds the last occurrence at or before `seq` (dir -1), or the first after it (dir 1). */
  async postingsBlock(site: number, seq: number, dir: 1 | -1): Promise<number[] | undefined> {
    if (this.hasStepPostings(site)) return this.stepsBlock(site, seq, dir);
    const prefix = postingsPrefix(site);
    if (dir === -1) return this.lastBlockAtOrBefore(prefix, postingsKey(site, Math.max(0, seq)));
    return this.firstBlockIn({ gt: postingsKey(site, Math.max(0, seq)), lt: prefix + '\xff', limit: 1 });
  }

  /** The postings block under `prefix` whose key is the last at or before `key`. */
  private lastBlockAtOrBefore(prefix: string, key: string): Promise<number[] | undefined> {
    return this.firstBlockIn({ gte: prefix, lte: key, reverse: true, limit: 1 });
  }

  private async firstBlockIn(range: object): Promise<number[] | undefined> {
    let found: number[] | undefined;
    for await (const [key, value] of this.db.iterator({ ...range, valueEncoding: 'buffer' } as never) as AsyncIterable<[string, Buffer]>) {
      const first = seqOfPostingsKey(key);
      const cached = this.postingsCache.get(key);
      found = cached ?? decodePostings(first, value);
      if (!cached) this.cachePostings(key, found);
    }
    return found;
  }

  private cachePostings(key: string, seqs: number[]): void {
    if (this.postingsCache.size >= 512) this.postingsCache.delete(this.postingsCache.keys().next().value!);
    this.postingsCache.set(key, seqs);
  }

  /** Every stored occurrence of `site`, ascending. */
  async allPostings(site: number): Promise<number[]> {
    if (!this.hasStepPostings(site)) return this.postingsUnder(postingsPrefix(site), -1, Infinity);
    const firsts = await this.postingsUnder(stepsPrefix(site), -1, this.stepsPostedTo);
    for (let first = await this.firstStepAfter(site, this.stepsPostedTo - 1); first >= 0; first = await this.firstStepAfter(site, this.chunkSpan(first)!.end - 1)) firsts.push(first);
    const out: number[] = [];
    for (const first of firsts) out.push(...await this.stepsInChunkOf(site, first));
    return out;
  }

  private hasStepPostings(site: number): boolean {
    return this.meta.format >= STEP_POSTINGS_FORMAT && this.sites[site]?.kind === SiteKind.Statement;
  }

  /** Where the stored step postings end: later chunks are read for their steps. */
  private get stepsPostedTo(): number { return Math.min(this.stats.stepsPostedTo ?? 0, this.length); }

  /**
   * postingsBlock() of a statement site: its steps in one chunk. They partition its occurrences
   * as stored blocks do, each starting with the chunk's first step: the block is the last one
   * whose first step is at or before `seq` (dir -1), or the first one after it (dir 1).
   */
  private async stepsBlock(site: number, seq: number, dir: 1 | -1): Promise<number[] | undefined> {
    const first = dir === -1 ? await this.firstStepAtOrBefore(site, seq) : await this.firstStepAfter(site, seq);
    return first >= 0 ? this.stepsInChunkOf(site, first) : undefined;
  }

  private async firstStepAtOrBefore(site: number, seq: number): Promise<number> {
    const posted = this.stepsPostedTo;
    for (let end = Math.min(seq + 1, this.length); end > posted;) {
      const span = this.chunkSpan(end - 1)!;
      const first = (await this.stepsIn(site, span.start))[0] ?? -1;
      if (first >= 0 && first <= seq) return first;
      end = span.start;
    }
    if (seq < 0 || posted === 0) return -1;
    const firsts = await this.lastBlockAtOrBefore(stepsPrefix(site), stepsKey(site, Math.min(seq, posted - 1)));
    return firsts ? firsts[upperBound(firsts, seq) - 1] : -1;
  }

  private async firstStepAfter(site: number, seq: number): Promise<number> {
    const posted = this.stepsPostedTo;
    if (seq + 1 < posted) {
      const at = Math.max(0, seq);
      const firsts = await this.lastBlockAtOrBefore(stepsPrefix(site), stepsKey(site, at));
      const i = firsts ? upperBound(firsts, seq) : 0;
      const first = firsts && i < firsts.length ? firsts[i] : (await this.firstBlockIn({ gt: stepsKey(site, at), lt: prefixEnd(stepsPrefix(site)), limit: 1 }))?.[0] ?? -1;
      if (first >= 0 && first < posted) return first;
    }
    for (let start = Math.max(posted, seq + 1); start < this.length;) {
      const span = this.chunkSpan(start)!;
      const first = (await this.stepsIn(site, span.start))[0] ?? -1;
      if (first > seq) return first;
      start = span.end;
    }
    return -1;
  }

  /** The steps of statement `site` in the chunk holding `seq`. */
  private stepsInChunkOf(site: number, seq: number): Promise<number[]> {
    return this.stepsIn(site, this.chunkSpan(seq)!.start);
  }

  /** The steps of statement `site` in the chunk starting at `start` (cached; empty when it has none). */
  private async stepsIn(site: number, start: number): Promise<number[]> {
    const key = `in-chunk:${site}:${start}`;
    const cached = this.postingsCache.get(key);
    if (cached) return cached;
    const events = await this.chunkEventsAt(start);
    const seqs: number[] = [];
    for (let i = 0; i < events.length; i++) if (events.sites[i] === site && events.kinds[i] === EventKind.Step) seqs.push(start + i);
    this.cachePostings(key, seqs);
    return seqs;
  }

  private async chunkEventsAt(start: number): Promise<ChunkEvents> {
    const events = this.chunkCache.get(start) ?? this.chunkEventsCache.get(start);
    if (events) return events;
    const raw = await this.db.get(chunkKey(start), { valueEncoding: 'buffer' }) as unknown as Buffer | undefined;
    if (!raw) throw new RecordingError(`${this.dir}: chunk at seq ${start} is missing (corrupt recording)`);
    const decoded = decodeChunkEvents(raw);
    if (this.chunkEventsCache.size >= CHUNK_CACHE) this.chunkEventsCache.delete(this.chunkEventsCache.keys().next().value!);
    this.chunkEventsCache.set(start, decoded);
    return decoded;
  }

  /** Seqs of property writes to object `object` in (from, to), ascending. */
  async objectWrites(object: number, from: number, to: number): Promise<number[]> {
    return this.postingsUnder(objectPostingsPrefix(object), from, to);
  }

  /** The postings stored under `prefix` that fall in (from, to). */
  private async postingsUnder(prefix: string, from: number, to: number): Promise<number[]> {
    const out: number[] = [];
    for await (const [key, value] of this.db.iterator({ gte: prefix, lt: prefix + '\xff', valueEncoding: 'buffer' } as never) as AsyncIterable<[string, Buffer]>) {
      const first = seqOfPostingsKey(key);
      if (first >= to) break;
      for (const s of decodePostings(first, value)) if (s > from && s < to) out.push(s);
    }
    return out;
  }

  /** Frame id of the module whose site table starts at `base` (0 if it never ran). */
  async moduleFrame(base: number): Promise<number> {
    const value = await this.db.get(moduleKey(base));
    return value === undefined ? 0 : Number(value);
  }

  /** Base site id of the file holding global site `site`. */
  baseOf(site: number): number {
    let best = 0;
    for (const f of this.files) if (f.base <= site && f.base >= best) best = f.base;
    return best;
  }

  /** Size of the store on disk in bytes (the recording's own folder, not the snapshot). */
  /** LevelDB compacts in the background after open, so a listed table file may be gone by the time we stat it. */
  bytesOnDisk(): number {
    return readdirSync(this.dir).reduce((sum, name) => sum + (statSync(join(this.dir, name), { throwIfNoEntry: false })?.size ?? 0), 0);
  }

  private async loadSites(): Promise<void> {
    this.files.length = 0;
    for await (const value of this.db.values({ gte: SITE_PREFIX, lt: prefixEnd(SITE_PREFIX) })) {
      const { base, count, table } = JSON.parse(value) as { base: number; count: number; table: FileSiteTable };
      this.files.push({ base, file: table.file, hash: table.hash, count });
      table.sites.forEach((site, i) => { this.sites[base + i] = site; this.siteFile[base + i] = table.file; });
    }
  }

  private async getJson<T>(key: string): Promise<T | undefined> {
    const value = await this.db.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }
}

/** The store file a LevelDB open error is about: the one it names, else the MANIFEST that CURRENT names. */
function storeFileIn(dir: string, cause: string): string {
  const named = new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^\\s:,)]+`).exec(cause);
  if (named) return named[0];
  const file = /\b(\d{6}\.(?:ldb|sst|log)|MANIFEST-\d+|CURRENT)\b/.exec(cause);
  if (file) return join(dir, file[1]);
  try { return join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim()); } catch { return join(dir, 'CURRENT'); }
}
