import { Level } from 'level';
import { EventKind } from '../../protocol/events';
import { isObjectSnapshot, snapshotIdOfJson, type RecordedValue } from '../../protocol/values';
import { SiteKind, type BuildManifest, type FileSiteTable } from '../../protocol/sites';
import { ChunkBuilder } from './chunk-codec';
import { FrameBlocks } from './frames';
import { FrameStack } from './frame-stack';
import { encodePostings, PostingsCollector } from './postings-codec';
import { ClockCollector, encodeClockBlock } from './clock-index';
import { chunkKey, clockKey, frameBlockKey, META_KEY, moduleKey, objectPostingsKey, postingsKey, resumeKey, siteKey, snapshotPostingsKey, STATS_KEY, stepsKey } from './keys';
import { elisionSummary, FORMAT_VERSION, type RecordingMeta, type RecordingStats } from './meta';
import { RawJson, type EventSink, type RuntimeHello, type SinkValue } from './sink';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingError } from './errors';
import { checkRecordingFolder } from './folder';

type Batch = Array<{ type: 'put'; key: string; value: string | Buffer; valueEncoding?: 'buffer' }>;

const CHUNK_EVENTS = 8192;
const CHUNK_VALUE_BYTES = 256 * 1024;
const HIGH_WATER = 32 * 1024 * 1024;
/** Objects with property writes waiting for a full postings block, before all are written as they are. */
const MAX_PENDING_OBJECTS = 20_000;
const LOW_WATER = 8 * 1024 * 1024;
/** Up to this many bytes written, close() flushes LevelDB's log into a table (see there). */
const FLUSH_AT_CLOSE_BELOW = 16 * 1024 * 1024;
const STEP_POSTINGS_LAG_MS = 500;

/**
 * Turns the runtime's event stream into the stored recording: assigns seqs and frames
 * to events, keeps the frames table, copies each loaded file's site table into the
 * store (so a recording never depends on the build folder), and writes chunks.
 * Writes are queued in order; nothing is held back longer than one chunk.
 */
export class RecordingWriter implements EventSink {
  private seq = 0;
  private stack = new FrameStack();
  private lastFrameId = 0;
  private chunk = new ChunkBuilder(0, [], 0);
  private frames = new FrameBlocks();
  private postings = new PostingsCollector();
  /**
   * Statements are most of the stream: a posting per step was a third of ingest and half of the
   * disk. Per chunk, only each statement site's first step there is posted (keys.ts `steps:`);
   * readers find the others in that chunk. `stepSeenIn[site]` is the chunk generation of the
   * site's last posted step, `chunkSteps` the (site, seq) pairs of the current chunk.
   */
  private stepPostings = new PostingsCollector();
  private stepSeenIn = new Int32Array(1024);
  private chunkSteps: number[] = [];
  private chunkGeneration = 1;
  private objectPostings = new PostingsCollector();
  /** Where each object's top-level snapshots are: a SameSnapshot is resolved from the last one. */
  private snapshotPostings = new PostingsCollector();
  private clocks = new ClockCollector();
  private clockBlocks = 0;
  private bytesWritten = 0;
  /** Bytes handed to LevelDB and not yet written. */
  private inFlight = 0;
  private drained: Array<() => void> = [];
  private siteKinds: SiteKind[] = [];
  private siteFlavors: Array<string | undefined> = [];
  private pending: Batch = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly stats: RecordingStats = { events: 0, frames: 0, chunks: 0, durationMs: 0, complete: false, dropped: 0, gaps: [], uncaught: [] };
  private startedAt = Date.now();

  private constructor(private readonly db: Level<string, string | Buffer>, private meta: RecordingMeta, private readonly manifest: BuildManifest) {}

  static async create(dir: string, meta: Omit<RecordingMeta, 'format'>, manifest: BuildManifest): Promise<RecordingWriter> {
    const db = await openEmptyStore(dir);
    const writer = new RecordingWriter(db, { ...meta, format: FORMAT_VERSION }, manifest);
    await db.put(META_KEY, JSON.stringify(writer.meta));
    await db.put(STATS_KEY, JSON.stringify(writer.stats));
    return writer;
  }

  /** The open store, for readers in the same process (a live session reads while recording). */
  get database(): Level<string, string> { return this.db as unknown as Level<string, string>; }

  /** Events received so far (the seq the next event will get). */
  get length(): number { return this.seq; }
  get ended(): boolean { return this.stats.complete || this.closed; }
  /** What the call budget left out (elisionSummary), once the runtime has reported it at exit. */
  get elision(): string | undefined { return elisionSummary(this.stats.elided, this.meta.callBudget); }
  private closed = false;
  /** Whether the program has begun to exit (its runtime sent ProcessExit: it is flushing). */
  exiting = false;


  hello(info: RuntimeHello): void {
    this.startedAt = info.startTime;
    this.meta = {
      ...this.meta, nodeVersion: info.nodeVersion, pid: info.pid, timeOrigin: info.timeOrigin,
      ...(info.threadId !== 0 ? { thread: { id: info.threadId, filename: '[unknown]', ...info.worker } } : {}),
    };
    this.queue([{ type: 'put', key: META_KEY, value: JSON.stringify(this.meta) }]);
  }

  /** A time sample between events: goes to the seq→time index, never into the event stream. */
  clock(ms: number): void {
    this.clocks.add(this.seq, ms);
  }

  /** JSON values are stored as the runtime's bytes (see RawJson): never parsed here. */
  readonly rawJson = true;

  /** A statement: what event() does for a Step, without the stack, side effects and values it has none of. */
  step(site: number): void {
    const seq = this.seq++;
    this.chunk.addStep(site);
    if (this.stepSeenIn[site] !== this.chunkGeneration) this.firstStepInChunk(site, seq);
    if (this.chunk.count >= CHUNK_EVENTS) this.sealChunk();
  }

  event(kind: EventKind, site: number, arg: number, values: SinkValue[] | undefined): void {
    if (kind === EventKind.Step) { this.step(site); return; }
    const seq = this.seq++;
    const top = this.stack.top;
    const depth = this.stack.frames.length;
    const resumed = kind === EventKind.Resume && this.stack.resumes(arg);
    const resets = resumed && this.resumesFromEventLoop(site);
    this.chunk.add(kind, site, arg, values, top, resets);
    this.stack.apply(kind, arg, resets);
    this.recordSideEffects(kind, site, arg, seq, values, top, depth, resumed);
    if (kind === EventKind.Write || kind === EventKind.Call) {
      this.addSitePosting(site, seq);
    } else if (kind === EventKind.PropWrite) {
      this.addObjectPosting(this.objectPostings, arg, seq, objectPostingsKey);
    }
    if (values) for (let i = 0; i < values.length; i++) {
      const object = snapshotId(values[i]);
      if (object >= 0) this.addObjectPosting(this.snapshotPostings, object, seq, snapshotPostingsKey);
    }
    if (this.chunk.count >= CHUNK_EVENTS || this.chunk.valueBytes >= CHUNK_VALUE_BYTES) this.sealChunk();
  }


  private firstStepInChunk(site: number, seq: number): void {
    if (site >= this.stepSeenIn.length) {
      const grown = new Int32Array(Math.max(site + 1, this.stepSeenIn.length * 2));
      grown.set(this.stepSeenIn);
      this.stepSeenIn = grown;
    }
    this.stepSeenIn[site] = this.chunkGeneration;
    this.chunkSteps.push(site, seq);
  }

  /** The chunk is sealed: post its first step of each statement site. */
  private postChunkSteps(): void {
    const steps = this.chunkSteps;
    for (let i = 0; i < steps.length; i += 2) {
      const full = this.stepPostings.add(steps[i], steps[i + 1]);
      if (full) this.pending.push(...this.postingPuts(full, stepsKey));
    }
    steps.length = 0;
    this.chunkGeneration++;
    // A site's block fills only after BLOCK_POSTINGS chunks: the partial blocks are written every
    // STEP_POSTINGS_LAG_MS, so readers of a recording in progress scan few chunks (stats.stepsPostedTo).
    this.stepFlush ??= setTimeout(() => {
      this.stepFlush = undefined;
      if (!this.closed) this.writeStats(false, true);
    }, STEP_POSTINGS_LAG_MS).unref();
  }
  private stepFlush: NodeJS.Timeout | undefined;

  private addSitePosting(site: number, seq: number): void {
    const full = this.postings.add(site, seq);
    if (full) this.pending.push(...this.postingPuts(full, postingsKey));
  }

  /** Objects are many and short-lived: past a bound, every partial block is written as it is. */
  private addObjectPosting(postings: PostingsCollector, object: number, seq: number, key: (id: number, seq: number) => string): void {
    const full = postings.add(object, seq);
    if (full) this.pending.push(...this.postingPuts(full, key));
    else if (postings.size > MAX_PENDING_OBJECTS) for (const put of this.postingPuts(postings.takeAll(), key)) this.pending.push(put);
  }

  /**
   * Backpressure for the IPC reader: while the store lags behind by more than HIGH_WATER
   * bytes, a promise that settles once it has caught up. The socket stops being read, the
   * runtime's ring fills, and the program waits: slowed, never lossy.
   */
  whenWritable(): Promise<void> | undefined {
    if (this.inFlight < HIGH_WATER) return undefined;
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Makes everything received so far readable (seals the partial chunk). */
  async flush(): Promise<void> {
    if (this.chunk.count) this.sealChunk();
    this.pending.push(...this.postingPuts(this.postings.takeAll(), postingsKey), ...this.postingPuts(this.objectPostings.takeAll(), objectPostingsKey),
      ...this.postingPuts(this.snapshotPostings.takeAll(), snapshotPostingsKey));
    this.writeStats(true, true);
    await this.drain();
  }

  async end(clean: boolean): Promise<void> {
    this.stats.durationMs = Date.now() - this.startedAt;
    this.stats.frames = this.frames.count;
    await this.flush();
    // `complete` goes in a batch of its own, after the last chunk and postings: flush() writes
    // more than one batch, and a reader in another process may look between any two of them.
    this.stats.complete = clean;
    this.writeStats(true);
    await this.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    // LevelDB keeps its newest writes (up to a 4 MB memtable) only in its log, uncompressed, until
    // a later open replays it: a short recording was all log, ~4x its compacted size (semver
    // minimal: 624 KB, 151 KB compacted), and every reader's open replayed it. Flushing it is
    // cheap while the store is small; a large one has most of its data in tables already.
    if (this.bytesWritten < FLUSH_AT_CLOSE_BELOW) await (this.db as unknown as { compactRange(a: string, b: string): Promise<void> }).compactRange(META_KEY, META_KEY);
    await this.db.close();
  }

  setExitCode(code: number | undefined): void {
    this.stats.exitCode = code;
    this.writeStats();
  }


  /** What an event adds besides itself: frames table, resume parents, site tables, gaps, elided calls, uncaught exceptions. */
  private recordSideEffects(kind: EventKind, site: number, arg: number, seq: number, values: SinkValue[] | undefined, top: number, depth: number, resumed: boolean): void {
    switch (kind) {
      case EventKind.Call:
        this.lastFrameId = arg;
        this.frames.enter(arg, site, top, seq, depth);
        if (this.siteKinds[site] === SiteKind.Module) this.pending.push({ type: 'put', key: moduleKey(site), value: String(arg) });
        break;
      case EventKind.Exit:
        this.frames.exit(arg, seq);
        break;
      case EventKind.Resume:
        if (!resumed) break;
        this.frames.resumed(arg);
        this.pending.push({ type: 'put', key: resumeKey(arg, seq), value: String(this.stack.resumedUnder) });
        break;
      case EventKind.FileLoaded:
        this.loadFile(site, values?.[0]);
        break;
      case EventKind.Gap:
        this.stats.dropped += arg;
        this.stats.gaps.push({ seq, count: arg });
        break;
      case EventKind.Elided:
        (this.stats.elided ??= []).push({ site, calls: arg >>> 0 });
        break;
      case EventKind.Uncaught:
        this.stats.uncaught!.push(seq);
        break;
      case EventKind.ProcessExit:
        this.exiting = true;
        break;
    }
  }

  /**
   * An await continues from the microtask queue, with nothing of ours below it; a yield
   * continues inside whoever called next(). A resume reported at a function site (from a
   * catch/finally) follows the function's flavor.
   */
  private resumesFromEventLoop(site: number): boolean {
    const kind = this.siteKinds[site];
    if (kind === SiteKind.Await) return true;
    if (kind === SiteKind.Function) return this.siteFlavors[site] !== 'generator';
    return false;
  }

  private loadFile(base: number, value: SinkValue | undefined): void {
    if (typeof value !== 'string') return;
    const { hash, file, count } = JSON.parse(value) as { hash: string; file: string; count: number };
    const entry = this.manifest.files[file];
    let table: FileSiteTable | undefined;
    try { if (entry && entry.hash === hash) table = JSON.parse(readFileSync(entry.sites, 'utf8')) as FileSiteTable; } catch { table = undefined; }
    if (!table) table = { file, hash, mode: this.meta.mode, sites: [] };
    table.sites.forEach((s, i) => { this.siteKinds[base + i] = s.kind; this.siteFlavors[base + i] = s.flavor; });
    this.pending.push({ type: 'put', key: siteKey(base), value: JSON.stringify({ base, count, table }) });
  }

  private postingPuts(blocks: Array<{ site: number; seqs: number[] }>, key: (id: number, seq: number) => string): Batch {
    return blocks.map((b) => ({ type: 'put' as const, key: key(b.site, b.seqs[0]), value: encodePostings(b.seqs), valueEncoding: 'buffer' as const }));
  }

  private framePuts(final: boolean): Batch {
    return this.frames.takeWrites(final).map((b) => ({ type: 'put' as const, key: frameBlockKey(b.index), value: b.bytes, valueEncoding: 'buffer' as const }));
  }

  private sealChunk(): void {
    const chunk = this.chunk;
    this.pending.push({ type: 'put', key: chunkKey(chunk.firstSeq), value: chunk.encode(), valueEncoding: 'buffer' });
    this.postChunkSteps();
    this.stats.chunks++;
    this.stats.events = this.seq;
    this.chunk = new ChunkBuilder(this.seq, this.stack.frames, this.lastFrameId, chunk);
    this.writeStats();
  }

  /** `allSteps`: also the partial step postings blocks (a flush, and the step-flush timer). */
  private writeStats(allFrames = false, allSteps = false): void {
    this.pending.push(...this.framePuts(allFrames));
    if (allSteps) {
      this.pending.push(...this.postingPuts(this.stepPostings.takeAll(), stepsKey));
      this.stats.stepsPostedTo = this.seq - this.chunk.count;
    }
    if (this.clocks.size) this.pending.push({ type: 'put', key: clockKey(this.clockBlocks++), value: encodeClockBlock(this.clocks.take()), valueEncoding: 'buffer' });
    this.stats.frames = this.frames.count;
    this.stats.events = this.seq - this.chunk.count;
    this.stats.durationMs = Date.now() - this.startedAt;
    this.pending.push({ type: 'put', key: STATS_KEY, value: JSON.stringify(this.stats) });
    this.queue([]);
  }

  /**
   * Writes go out in order, one LevelDB batch at a time; what is queued while a batch is being
   * written goes out together in the next one (a batch per chunk cost ~250 µs of main thread each).
   */
  private queue(extra: Batch): void {
    const batch = this.pending.concat(extra);
    this.pending = [];
    if (!batch.length) return;
    const bytes = batch.reduce((n, op) => n + op.key.length + op.value.length, 0);
    this.inFlight += bytes;
    this.bytesWritten += bytes;
    this.waitingBytes += bytes;
    for (const op of batch) this.waiting.push(op);
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    this.writing = this.writing.then(() => this.writeWaiting());
  }

  private waiting: Batch = [];
  private waitingBytes = 0;
  private writeScheduled = false;

  private async writeWaiting(): Promise<void> {
    const batch = this.waiting, bytes = this.waitingBytes;
    this.waiting = [];
    this.waitingBytes = 0;
    this.writeScheduled = false;
    if (!this.failure) {
      try { await this.db.batch(batch); } catch (err) { this.failure = err as Error; }
    }
    this.inFlight -= bytes;
    if (this.inFlight <= LOW_WATER) { const waiting = this.drained; this.drained = []; waiting.forEach((w) => w()); }
  }

  private async drain(): Promise<void> {
    this.queue([]);
    await this.writing;
    if (this.failure) throw this.failure;
  }
}

/** A new store in `dir`; an earlier recording there is deleted first (checkRecordingFolder). */
async function openEmptyStore(dir: string): Promise<Level<string, string | Buffer>> {
  const open = async (): Promise<Level<string, string | Buffer>> => {
    const db = new Level<string, string | Buffer>(dir, { valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new RecordingError(/\block\b/i.test(cause)
        ? `cannot record into ${dir}: another process has the recording there open (is it still being recorded?)`
        : `cannot record into ${dir}: ${cause}`);
    }
    return db;
  };
  if (checkRecordingFolder(dir).empty) return open();
  const old = await open();
  const recording = (await old.get(META_KEY)) !== undefined;
  await old.close();
  if (!recording) throw new RecordingError(`${dir} holds a LevelDB store that is not an ElixirScope recording: record into another folder`);
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
  return open();
}

/** The object id of a value that is a top-level object snapshot, or -1. */
function snapshotId(v: SinkValue): number {
  if (v instanceof RawJson) return snapshotIdOfJson(v.buf, v.start, v.end);
  return isObjectSnapshot(v as RecordedValue) ? (v as { o: number }).o : -1;
}
