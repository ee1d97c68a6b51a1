/**
 * The hot path: hooks that instrumented code calls, writing records into a SharedArrayBuffer
 * word ring (Int32Array) plus a byte ring for UTF-8 strings / JSON snapshots.
 *
 * Ring protocol (single producer = this thread, single consumer = the drain worker):
 * - `wi`/`bw` are the private write positions; C_W/C_B in ctrl are the PUBLISHED positions, always on
 *   a record boundary, stored byte index first. The hot path publishes only when `wi >= limit`,
 *   where limit = min(next block boundary, free-space bound): one compare per hook.
 * - A record is started only at wi < limit <= wordCap, and the buffer has RING_SLACK extra words,
 *   so records never need bounds checks. When wi >= wordCap after a record, the ring wraps: C_WRAP
 *   gets the end position and writing restarts at 0. The consumer sees W < R and reads [R, WRAP) + [0, W).
 * - Free space: when wi >= R the producer is in the consumer's lap (free up to wordCap); when wi < R it
 *   is one lap ahead (free up to R - 1 - MAX_RECORD_WORDS). Never W == R unless empty.
 * - When full: publish and Atomics.wait on the read index (block policy; nothing is ever dropped).
 *
 * Time is sampled, never per event: a Clock record (performance.now(), CLOCK_WORDS) at the start of
 * each block (slow path), when a file starts running, on the idle tick, after the first event that
 * follows an arming (the tick, or a task end at least ARM_MS after the last arming, lowers `limit`
 * so that event takes the slow path: no hot-path cost), in a microtask when the synchronous part of
 * a task that took a slow path ends, and before ProcessExit. The adapter turns them into a
 * seq→time index; tasks are bracketed, so a short callback after idle time is not smeared over it.
 */
import {
  RING_SLACK, K_GAP, K_ELIDED, K_CLOCK, CLOCK_WORDS,
  C_B, C_SEQ, C_CONNECTED, C_DEAD, C_OWNER, OWNER_SPOOL, C_DONE, C_EXIT, C_R, C_RB, C_W, C_WRAP, C_WRAPB, C_WAITING, MAX_RECORD_WORDS,
  K_CALL, K_EXIT, K_FILE, K_PROCESS_EXIT, K_PROPWRITE, K_RESUME, K_RETURN, K_SUSPEND, K_THROW, K_UNCAUGHT, K_WRITE,
  T_DOUBLE, T_FALSE, T_INT, T_JSON, T_NULL, T_STRING, T_TRUE, T_UNDEF,
} from './wire';
import { CONTENTS, REDACTED, Snapshotter, TRUNCATED } from './snapshot';
import type { Hooks } from '../protocol/hooks';
import { BUDGET_LEFT, BUDGET_SLOTS } from '../protocol/hooks';
import { ARG_WORDS, VALUE_COUNTS } from '../protocol/events';

/** A file's site count as `Hooks.file` and `Hooks.b` take it (instrumented code passes a literal; anything else counts 0). */
export function siteCountOf(siteCount: unknown): number {
  return typeof siteCount === 'number' && siteCount > 0 ? siteCount | 0 : 0;
}

/** A file's call budget (`Hooks.b`): every site may record `left` more calls, none elided yet. */
export function budgetArray(siteCount: number, left: number): Float64Array {
  const budgets = new Float64Array(BUDGET_SLOTS * siteCount);
  for (let at = BUDGET_LEFT; at < budgets.length; at += BUDGET_SLOTS) budgets[at] = left;
  return budgets;
}

const A_load = Atomics.load, A_store = Atomics.store, A_wait = Atomics.wait, A_notify = Atomics.notify;
const DateNow = Date.now;
// Captured at load, before the program runs: a program replacing performance.now cannot skew the clock.
const perfNow = performance.now.bind(performance) as () => number;
const queueMicro = queueMicrotask;
const fnCall = Function.prototype.call;
const encodeInto = fnCall.bind(TextEncoder.prototype.encodeInto) as (enc: InstanceType<typeof TextEncoder>, s: string, dst: Uint8Array) => { read: number; written: number };
const u8sub = fnCall.bind(Uint8Array.prototype.subarray) as (a: Uint8Array, s: number, e: number) => Uint8Array;
const u8set = fnCall.bind(Uint8Array.prototype.set) as (a: Uint8Array, src: ArrayLike<number>, off: number) => void;
const jsonStr = JSON.stringify;

export interface SiteName { kind: number; name?: string }

export interface RecorderConfig {
  ctrl: Int32Array;
  words: Int32Array;
  bytes: Uint8Array;
  wordCap: number;
  byteCap: number;
  snap: Snapshotter;
  /** Publish every `block` words (default 1024). */
  block?: number;
  /** Site names of an instrumented file (for redaction of Write/PropWrite sites), if known. */
  siteNames?: (path: string) => SiteName[] | undefined;
  /** A ring wait that saw no consumer progress for this long gives up recording (ms, default 60000). */
  stallMs?: number;
  /**
   * 'block' (default): a full ring makes the program wait. 'drop-oldest' / 'drop': the program never
   * waits; events that find the ring full are discarded and one Gap(count) event marks the hole.
   * Dropping needs scratch space: words.length >= wordCap + RING_SLACK + dropScratchWords(block),
   * bytes.length >= byteCap + dropScratchBytes(byteCap).
   */
  overflow?: 'block' | 'drop-oldest' | 'drop';
  /** The clock sampled into Clock records (ms; default performance.now, captured at load). */
  now?: () => number;
  /** Runs a callback after the current task's synchronous part (default queueMicrotask); null: never. */
  defer?: ((fn: () => void) => void) | null;
  /**
   * At finish, when no worker has claimed the rings yet (C_OWNER): write everything published, with
   * HELLO and END, where the adapter finds it (see SPOOL_PREFIX); true when it is all written.
   * Without it (or when it fails) finish waits for the worker as usual.
   */
  spool?: () => boolean;
}

export function dropScratchWords(block = 1024): number { return block + 2 * RING_SLACK; }
export function dropScratchBytes(byteCap: number): number { return (byteCap >> 1) + 64; }

/** A task end re-arms the first-event clock at most this often (ms): bounds samples for many tiny tasks. */
const ARM_MS = 2;

/** Publications (blocks) between wake-ups of a waiting drain worker. */
const NOTIFY_EVERY = 64;

const HAS_ARG = ARG_WORDS, N_VALUES = VALUE_COUNTS;

export interface Recorder {
  hooks: Hooks;
  /** Publish a partial block (idle timer). */
  tick(): void;
  /** Publish everything written so far and wake the worker at once (before a live pause). */
  flush(): void;
  /** The exception reached Node's uncaught handling (`rejection`: an unhandled promise rejection). */
  uncaught(error: unknown, rejection: boolean): void;
  /** `count` calls of function `site` were left out (call-budget.ts); written before the exit. */
  elided(site: number, count: number): void;
  /** Record ProcessExit, publish everything, ask the worker for END and wait for it (bounded). */
  finish(code: number, idleTimeoutMs: number): boolean;
  /** Stop recording for good (hooks keep working, writing nowhere). */
  disable(): void;
  /** Position counters, for tests and benchmarks. */
  stats(): { words: number; files: number; frames: number };
}

export function createRecorder(cfg: RecorderConfig): Recorder {
  const ctrl = cfg.ctrl, ring = cfg.words, u8 = cfg.bytes, snap = cfg.snap;
  const wordCap = cfg.wordCap, byteCap = cfg.byteCap;
  const BLOCK = cfg.block ?? 1024;
  const stallMs = cfg.stallMs ?? 60000;
  const maxJsonChars = Math.floor(byteCap / 16);
  const maxRead = snap.maxRead;
  const enc = new TextEncoder();
  const f64 = new Float64Array(1), f64i = new Int32Array(f64.buffer);

  let wi = 0;          // word write index (private)
  let bw = 0;          // byte write index (private)
  let limit = 0;       // hot-path bound: slow path when wi >= limit
  let blimit = byteCap; // bytes may be written while bw + need <= blimit
  let recW = 0, recB = 0; // start of the record being written (for mid-record byte waits)
  // A value hook can run out of stack mid-record (the program recursing to its limit: the hooks
  // use stack too). It must not leave half a record in the ring (the recorder would stop reading
  // the stream there) nor throw (the program's own exception goes on as without us): its catch
  // puts a one-event Gap where the record began, inline (any call may overflow again). `recEnd`:
  // where the record in progress ends once its values are written. A snapshot thrown away so
  // may have been registered as sent: the next snapshot forgets them all (`sentUnsure`).
  let recEnd = -1;
  let sentUnsure = false;
  let lastPubW = -1;
  let frameSeq = 0;
  let siteBase = 0;
  let files = 0;
  let totalWords = 0; // words before the current lap (for stats)
  let disabled = false;
  let finished = false;
  let anyRedact = false;
  let redactBits = new Uint8Array(0);
  // Drop policy: while `dropping`, records go to a scratch area and are only counted.
  const dropPolicy = cfg.overflow === 'drop-oldest' || cfg.overflow === 'drop';
  const SCRATCH_W = wordCap + RING_SLACK, SCRATCH_B = byteCap;
  const scratchBytes = dropScratchBytes(byteCap);
  if (dropPolicy && (ring.length < SCRATCH_W + dropScratchWords(BLOCK) || u8.length < SCRATCH_B + scratchBytes)) {
    throw new RangeError('rings too small for the drop policy');
  }
  let dropping = false, dropped = 0, resumeW = 0, resumeB = 0;
  const now = cfg.now ?? perfNow;
  const defer = cfg.defer === undefined ? queueMicro : cfg.defer;
  // Armed by the tick: `limit` is lowered so the next event takes the slow path (armedLimit is the real one).
  let armed = false, armedLimit = 0, tailQueued = false, armedAt = -Infinity;
  // An unpublished Clock written by an idle tick, [idleAt, idleEnd): the next idle tick replaces it.
  let idleAt = -1, idleEnd = -1;

  let seq = 0;
  function publish(pw: number, pb: number): void {
    A_store(ctrl, C_SEQ, ++seq); // odd: publication in progress
    A_store(ctrl, C_B, pb);
    A_store(ctrl, C_W, pw);
    A_store(ctrl, C_SEQ, ++seq);
    lastPubW = pw;
    idleEnd = -1;
    // Waking a waiting worker costs 30-200 us on a loaded VM: the worker polls every few ms, so
    // only wake it when a lot has accumulated (and whenever we are about to wait for it).
    if (++sinceNotify >= NOTIFY_EVERY && A_load(ctrl, C_WAITING) !== 0) wake();
  }

  let sinceNotify = 0;
  function wake(): void {
    sinceNotify = 0;
    A_notify(ctrl, C_W, 1);
  }

  function disable(): void {
    disabled = true;
    armed = false;
    wi = 0; bw = 0; limit = wordCap; blimit = byteCap;
  }

  /** Wait for the consumer to move read index `idx` away from `seen`. */
  let stallSince = 0;
  function waitRead(idx: number, seen: number): void {
    if (A_load(ctrl, C_DEAD) !== 0) { disable(); return; }
    wake();
    const now = DateNow();
    if (stallSince === 0) stallSince = now;
    else if (now - stallSince > stallMs) { disable(); return; }
    if (A_wait(ctrl, idx, seen, 20) !== 'timed-out') stallSince = 0;
  }

  /** Set `limit` for writing at wi; when there is no room: wait (block) or return false. */
  function ensureSpace(block: boolean): boolean {
    for (;;) {
      if (disabled) return true;
      const r = A_load(ctrl, C_R);
      let hard: number;
      if (wi >= r) {
        if (wi >= wordCap) {
          if (r > MAX_RECORD_WORDS + 1) {
            totalWords += wi;
            A_store(ctrl, C_WRAP, wi);
            wi = 0;
            publish(0, bw);
            continue;
          }
          if (!block) return false;
          waitRead(C_R, r);
          continue;
        }
        hard = wordCap;
      } else {
        hard = r - 1 - MAX_RECORD_WORDS;
        if (wi >= hard) {
          if (!block) return false;
          waitRead(C_R, r);
          continue;
        }
      }
      stallSince = 0;
      const pubAt = wi + BLOCK;
      armed = false;
      limit = pubAt < hard ? pubAt : hard;
      return true;
    }
  }

  function computeLimit(): void {
    if (!ensureSpace(!dropPolicy)) startDropping(wi, bw);
  }

  /** Everything before (fromW, fromB) is published; divert further records to the scratch area. */
  function startDropping(fromW: number, fromB: number): void {
    dropping = true;
    snap.forgetAllSent(); // a snapshot a later SameSnapshot would name may be among the dropped
    armed = false;
    resumeW = fromW; resumeB = fromB;
    wi = SCRATCH_W; bw = SCRATCH_B;
    limit = SCRATCH_W + BLOCK; blimit = SCRATCH_B + scratchBytes;
  }

  /** Count the records written to the scratch area since the last count. */
  function countDropped(): void {
    let i = SCRATCH_W;
    while (i < wi) {
      const k = ring[i] & 15;
      i += 1 + HAS_ARG[k];
      for (let v = N_VALUES[k]; v > 0; v--) {
        const t = ring[i++];
        i += t === T_DOUBLE ? 2 : (t === T_INT || t === T_STRING || t === T_JSON) ? 1 : 0;
      }
      dropped++;
    }
    wi = SCRATCH_W; bw = SCRATCH_B;
  }

  /** Leave the scratch area if the ring has room again: write Gap(dropped) where the hole is. */
  function tryResume(block: boolean): void {
    countDropped();
    wi = resumeW; bw = resumeB;
    dropping = false;
    blimit = 0; // recomputed by the next byte write
    if (!ensureSpace(block)) { startDropping(wi, bw); return; }
    if (dropped !== 0) { ring[wi] = K_GAP; ring[wi + 1] = dropped; wi += 2; dropped = 0; }
    publish(wi, bw);
    computeLimit();
  }

  /** A Clock record at wi, when it fits before `limit` (it does unless the ring is nearly full). */
  function clock(): number {
    if (wi + CLOCK_WORDS >= limit) return -1;
    const t = f64[0] = now();
    ring[wi] = K_CLOCK; ring[wi + 1] = T_DOUBLE; ring[wi + 2] = f64i[0]; ring[wi + 3] = f64i[1];
    wi += CLOCK_WORDS;
    return t;
  }

  function disarm(): void {
    if (armed) { armed = false; limit = armedLimit; }
  }

  /** The next event takes the slow path once (and gets a Clock after it). */
  function arm(t: number): void {
    if (!armed && !dropping && !disabled && limit > wi + 1) { armedLimit = limit; limit = wi + 1; armed = true; armedAt = t; }
  }

  /** After the synchronous part of the current task: when it ended. */
  function tail(): void {
    tailQueued = false;
    if (disabled || finished || dropping || armed) return;
    const t = clock();
    if (t >= 0 && t - armedAt >= ARM_MS) arm(t);
  }

  function queueTail(): void {
    if (defer && !tailQueued) { tailQueued = true; defer(tail); }
  }

  function slow(): void {
    if (disabled) { wi = 0; limit = wordCap; return; }
    if (dropping) { tryResume(false); return; }
    if (armed) {
      // The first event after an idle tick: when it ran, and (microtask) when its task is done.
      disarm();
      if (wi < limit) {
        clock();
        queueTail();
        if (wi < limit) return;
      }
    }
    publish(wi, bw);
    computeLimit();
    if (!dropping && !disabled) { clock(); queueTail(); }
  }

  function slowBytes(need: number): void {
    if (disabled) { bw = 0; blimit = byteCap; return; }
    if (dropping) { bw = SCRATCH_B; blimit = SCRATCH_B + scratchBytes; return; } // dropped bytes: reuse
    publish(recW, recB);
    for (;;) {
      const rb = A_load(ctrl, C_RB);
      if (bw >= rb) {
        if (byteCap - bw >= need) { blimit = byteCap; break; }
        if (rb > need) { A_store(ctrl, C_WRAPB, bw); bw = 0; blimit = rb - 1; break; }
      } else if (rb - 1 - bw >= need) { blimit = rb - 1; break; }
      if (dropPolicy) {
        // Drop the record in progress: move its words to the scratch area and go on there.
        const n = wi - recW;
        for (let k = 0; k < n; k++) ring[SCRATCH_W + k] = ring[recW + k];
        startDropping(recW, recB);
        wi = SCRATCH_W + n;
        return;
      }
      waitRead(C_RB, rb);
      if (disabled) { bw = 0; blimit = byteCap; return; }
    }
    stallSince = 0;
  }

  /** UTF-8 bytes of s into the byte ring; returns the byte count. */
  function putBytes(s: string): number {
    const len = s.length;
    const need = len * 3;
    if (bw + need > blimit) slowBytes(need);
    if (len < 48) {
      let i = 0;
      for (; i < len; i++) {
        const ch = s.charCodeAt(i);
        if (ch >= 0x80) break;
        u8[bw + i] = ch;
      }
      if (i === len) { bw += len; return len; }
    }
    const n = encodeInto(enc, s, u8sub(u8, bw, bw + need)).written;
    bw += n;
    return n;
  }

  function str(s: string): void {
    if (s.length > maxRead) { json(TRUNCATED); return; } // never read: see Snapshotter.maxRead
    const n = putBytes(snap.clip(s));
    ring[wi] = T_STRING; ring[wi + 1] = n; wi += 2;
  }

  function json(text: string): void {
    if (text.length > maxJsonChars) text = TRUNCATED;
    const n = putBytes(text);
    ring[wi] = T_JSON; ring[wi + 1] = n; wi += 2;
  }

  /**
   * A snapshot's JSON, written by the Snapshotter as UTF-8 and copied into the byte ring; an
   * object whose bytes are those of its last snapshot in the stream goes out as its id alone
   * (protocol/values.ts SameSnapshot; the reader puts the snapshot back).
   */
  function snapshot(v: unknown): void {
    if (sentUnsure) { sentUnsure = false; snap.forgetAllSent(); }
    const n = snap.encodeTo(v);
    if (n > maxJsonChars) { json(TRUNCATED); return; }
    const obj = typeof v === 'object' ? v as object : undefined;
    if (obj !== undefined && snap.sameAsSent(obj, n)) { json('{"s":' + snap.idOf(obj) + '}'); return; }
    if (bw + n > blimit) slowBytes(n);
    const src = snap.out;
    if (n < 64) for (let i = 0; i < n; i++) u8[bw + i] = src[i];
    else u8set(u8, u8sub(src, 0, n), bw);
    bw += n;
    ring[wi] = T_JSON; ring[wi + 1] = n; wi += 2;
    // A record diverted to the scratch area while its bytes were written is dropped.
    if (obj !== undefined) { if (dropping) snap.forgetSent(obj); else snap.sent(obj, n); }
  }

  function val(v: unknown): void {
    switch (typeof v) {
      case 'number': {
        const x = v as number;
        if ((x | 0) === x && (x !== 0 || 1 / x > 0)) { ring[wi] = T_INT; ring[wi + 1] = x; wi += 2; }
        else { f64[0] = x; ring[wi] = T_DOUBLE; ring[wi + 1] = f64i[0]; ring[wi + 2] = f64i[1]; wi += 3; }
        return;
      }
      case 'string': str(v as string); return;
      case 'boolean': ring[wi++] = v ? T_TRUE : T_FALSE; return;
      case 'undefined': ring[wi++] = T_UNDEF; return;
      case 'object': if (v === null) { ring[wi++] = T_NULL; return; } snapshot(v); return;
      default: snapshot(v); return;
    }
  }

  function markRedacted(base: number, path: string, count: number): void {
    let names: SiteName[] | undefined;
    try { names = cfg.siteNames ? cfg.siteNames(path) : undefined; } catch { names = undefined; }
    if (!names) return;
    const n = Math.min(names.length, count);
    for (let i = 0; i < n; i++) {
      const s = names[i];
      if (s && (s.kind === 3 || s.kind === 4) && typeof s.name === 'string' && s.name !== '' && snap.isSecret(s.name)) {
        if (redactBits.length < base + count) {
          const nb = new Uint8Array(Math.max(redactBits.length * 2, base + count, 1024));
          u8set(nb, redactBits, 0);
          redactBits = nb;
        }
        redactBits[base + i] = 1;
        anyRedact = true;
      }
    }
  }

  /** A PropWrite record for hooks.m: key undefined = the object's whole contents; value as JSON text. */
  function mutation(site: number, id: number, key: number | string | undefined, valueJson: string): void {
    recW = wi; recB = bw;
    try {
      ring[wi] = (site << 4) | K_PROPWRITE; ring[wi + 1] = id; wi += 2;
      if (key === undefined) json(CONTENTS); else val(key);
      json(valueJson);
      recEnd = wi;
      if (wi >= limit) slow();
    } catch { if (wi !== recEnd) { wi = recW; bw = recB; ring[wi] = K_GAP; ring[wi + 1] = 1; wi += 2; sentUnsure = true; } }
  }

  function isRedactedSite(site: number): boolean {
    return anyRedact && site < redactBits.length && redactBits[site] === 1;
  }

  const hooks: Hooks = {
    file(hash: string, path: string, siteCount: number): number {
      const base = siteBase;
      const count = siteCountOf(siteCount);
      siteBase += count;
      files++;
      markRedacted(base, path, count);
      recW = wi; recB = bw;
      ring[wi++] = (base << 4) | K_FILE;
      const text = '{"hash":' + jsonStr(typeof hash === 'string' ? hash : '') + ',"file":' + jsonStr(typeof path === 'string' ? path : '') + ',"count":' + count + '}';
      const n = putBytes(text.length > maxJsonChars ? '{}' : text);
      ring[wi] = T_STRING; ring[wi + 1] = n; wi += 2;
      if (wi >= limit) slow();
      else clock(); // loading and compiling it took time no event accounts for
      return base;
    },
    b(_base: number, siteCount: number): Float64Array {
      return budgetArray(siteCountOf(siteCount), Infinity); // no budget: every call is recorded
    },
    q: new Int32Array(1),
    s(site: number): void {
      ring[wi] = site << 4;
      if (++wi >= limit) slow();
    },
    c(site: number): number {
      const f = ++frameSeq;
      ring[wi] = (site << 4) | K_CALL; ring[wi + 1] = f;
      if ((wi += 2) >= limit) slow();
      return f;
    },
    e(site: number, frame: number): void {
      ring[wi] = (site << 4) | K_EXIT; ring[wi + 1] = frame;
      if ((wi += 2) >= limit) slow();
    },
    r<T>(site: number, value: T): T {
      recW = wi; recB = bw;
      try {
        ring[wi++] = (site << 4) | K_RETURN;
        val(value);
        recEnd = wi;
        if (wi >= limit) slow();
      } catch { if (wi !== recEnd) { wi = recW; bw = recB; ring[wi] = K_GAP; ring[wi + 1] = 1; wi += 2; sentUnsure = true; } }
      return value;
    },
    x(site: number, error: unknown): void {
      recW = wi; recB = bw;
      try {
        ring[wi++] = (site << 4) | K_THROW;
        val(error);
        recEnd = wi;
        if (wi >= limit) slow();
      } catch { if (wi !== recEnd) { wi = recW; bw = recB; ring[wi] = K_GAP; ring[wi + 1] = 1; wi += 2; sentUnsure = true; } }
    },
    w<T>(site: number, value: T): T {
      recW = wi; recB = bw;
      try {
        ring[wi++] = (site << 4) | K_WRITE;
        if (anyRedact && isRedactedSite(site)) json(REDACTED); else val(value);
        recEnd = wi;
        if (wi >= limit) slow();
      } catch { if (wi !== recEnd) { wi = recW; bw = recB; ring[wi] = K_GAP; ring[wi + 1] = 1; wi += 2; sentUnsure = true; } }
      return value;
    },
    p<T>(site: number, obj: unknown, key: unknown, value: T): T {
      if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return value;
      const kt = typeof key;
      if ((kt === 'string' || kt === 'symbol') && snap.tookSetter(obj as object, key as string | symbol)) {
        // A setter on the prototype chain took the assignment: the object has no own property
        // `key` to record. It is recorded as it now is, which also covers whatever a setter the
        // instrumenter did not see (a library's, a built-in's) changed. (Index keys are not
        // checked: array writes are the hot ones, and index setters on a prototype are unheard of.)
        snap.forgetSent(obj as object);
        mutation(site, snap.idOf(obj as object), undefined, snap.encode(obj));
        return value;
      }
      recW = wi; recB = bw;
      try {
        ring[wi] = (site << 4) | K_PROPWRITE; ring[wi + 1] = snap.idOf(obj as object); wi += 2;
        if (kt === 'string' || kt === 'number' || kt === 'symbol') val(key); else json(TRUNCATED);
        if ((kt === 'string' && snap.isSecret(key as string)) || (anyRedact && isRedactedSite(site))) json(REDACTED);
        else val(value);
        recEnd = wi;
        if (wi >= limit) slow();
      } catch { if (wi !== recEnd) { wi = recW; bw = recB; ring[wi] = K_GAP; ring[wi + 1] = 1; wi += 2; sentUnsure = true; } }
      return value;
    },
    m<T>(site: number, obj: unknown, result: T, appended: number): T {
      if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return result;
      const id = snap.idOf(obj as object);
      if (appended >= 0 && typeof result === 'number' && snap.isPlainArray(obj)) {
        // push: only the new elements (a whole snapshot per push would make loops quadratic).
        const end = result, shown = snap.limits.maxKeys;
        for (let i = end - appended < 0 ? 0 : end - appended; i < end && i < shown; i++) mutation(site, id, i, snap.element(obj, i));
        if (end > shown) mutation(site, id, 'length', jsonStr(end));
        return result;
      }
      snap.forgetSent(obj);
      mutation(site, id, undefined, snap.encode(obj));
      return result;
    },
    sp<T>(site: number, frame: number, value: T): T {
      ring[wi] = (site << 4) | K_SUSPEND; ring[wi + 1] = frame;
      if ((wi += 2) >= limit) slow();
      return value;
    },
    rs<T>(site: number, frame: number, value: T): T {
      ring[wi] = (site << 4) | K_RESUME; ring[wi + 1] = frame;
      if ((wi += 2) >= limit) slow();
      return value;
    },
  };

  computeLimit();
  if (!dropping) clock();

  return {
    hooks,
    tick(): void {
      if (disabled || finished) return;
      if (dropping) { tryResume(false); return; }
      disarm();
      if (wi === idleEnd) wi = idleAt; // nothing ran since our last idle Clock: replace it, keep one
      const at = wi;
      const active = wi !== lastPubW;
      const t = clock();
      if (active) {
        publish(wi, bw);
        computeLimit();
      } else {
        idleAt = at; idleEnd = wi;
      }
      arm(t);
      if (sinceNotify !== 0 && A_load(ctrl, C_WAITING) !== 0) wake();
    },
    flush(): void {
      if (disabled || finished || dropping) return;
      if (wi !== lastPubW) { publish(wi, bw); computeLimit(); }
      wake();
    },
    uncaught(error: unknown, rejection: boolean): void {
      if (disabled || finished) return;
      recW = wi; recB = bw;
      try {
        ring[wi++] = ((rejection ? 1 : 0) << 4) | K_UNCAUGHT;
        val(error);
        recEnd = wi;
        if (wi >= limit) slow();
      } catch { if (wi !== recEnd) { wi = recW; bw = recB; ring[wi] = K_GAP; ring[wi + 1] = 1; wi += 2; sentUnsure = true; } }
    },
    elided(site: number, count: number): void {
      if (disabled || finished) return;
      ring[wi] = (site << 4) | K_ELIDED; ring[wi + 1] = count > 0x7fffffff ? 0x7fffffff : count;
      if ((wi += 2) >= limit) slow();
    },
    finish(code: number, idleTimeoutMs: number): boolean {
      if (finished) return A_load(ctrl, C_DONE) !== 0;
      if (dropping && !disabled) {
        // Wait (bounded) for room to record the hole and the exit.
        const until = DateNow() + idleTimeoutMs;
        tryResume(false);
        while (dropping && DateNow() < until && A_load(ctrl, C_DEAD) === 0) {
          A_wait(ctrl, C_R, A_load(ctrl, C_R), 20);
          tryResume(false);
        }
      }
      if (!disabled && !dropping) {
        disarm();
        clock();
        recW = wi; recB = bw;
        ring[wi++] = K_PROCESS_EXIT; // site 0
        val(code);
        publish(wi, bw);
      }
      finished = true;
      // The worker has not connected yet (a short program, a loaded machine): do not wait for it to
      // boot; ship from this thread. The CAS decides between us and a worker connecting right now.
      if (cfg.spool && !disabled && !dropping && A_load(ctrl, C_OWNER) === 0 && Atomics.compareExchange(ctrl, C_OWNER, 0, OWNER_SPOOL) === 0) {
        let spooled = false;
        try { spooled = cfg.spool(); } catch { spooled = false; }
        if (spooled) {
          A_store(ctrl, C_EXIT, 1);
          A_notify(ctrl, C_W, 1);
          disable();
          return true;
        }
        A_store(ctrl, C_OWNER, 0); // nothing was spooled (the file is removed): the worker ships as usual
        A_notify(ctrl, C_OWNER);
      }
      A_store(ctrl, C_EXIT, 1);
      A_notify(ctrl, C_W, 1);
      // Wait while the worker makes progress; give up after idleTimeoutMs without any.
      let lastR = A_load(ctrl, C_R), lastRB = A_load(ctrl, C_RB);
      let deadline = DateNow() + idleTimeoutMs;
      const connectDeadline = DateNow() + Math.max(idleTimeoutMs, 10000);
      let ok = false;
      for (;;) {
        if (A_load(ctrl, C_DONE) !== 0) { ok = true; break; }
        if (A_load(ctrl, C_DEAD) !== 0) break;
        const now = DateNow();
        const r = A_load(ctrl, C_R), rb = A_load(ctrl, C_RB);
        if (r !== lastR || rb !== lastRB) { lastR = r; lastRB = rb; deadline = now + idleTimeoutMs; }
        // A worker still booting (slow, loaded machine) gets a longer grace period than a stalled socket.
        if (now >= deadline && (A_load(ctrl, C_CONNECTED) !== 0 || now >= connectDeadline)) break;
        A_wait(ctrl, C_DONE, 0, 20);
      }
      disable();
      return ok;
    },
    disable,
    stats() { return { words: totalWords + wi, files, frames: frameSeq }; },
  };
}
