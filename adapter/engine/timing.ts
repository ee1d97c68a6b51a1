import { SiteKind } from '../../protocol/sites';
import { BLOCK } from '../store/frames';
import type { RecordingReader } from '../store/reader';
import type { SiteIndex } from './site-index';

export interface FunctionTiming {
  /** Global site id of the function (or module). */
  site: number;
  name: string;
  file: string;
  line: number;
  column: number;
  /** Recorded calls. */
  calls: number;
  /** Calls the call budget counted but did not record (their time is in their callers' selfMs). */
  elided?: number;
  /**
   * Wall-clock ms from call to exit summed over the calls, not counting a call made while another
   * call of the same function is on its stack (recursion), so it never exceeds the time spent.
   * An async function's calls include the time they waited. Undefined without clock samples, or
   * when every call fell inside one opaque sample interval (the clock cannot tell its duration).
   */
  totalMs?: number;
  /** Summed over every call: its time minus its direct callees' time. */
  selfMs?: number;
}

/**
 * A sample interval longer than this was mostly spent outside recorded code (idle, I/O, native
 * calls, startup): spreading it evenly over its few events says nothing about any one of them.
 */
const OPAQUE_INTERVAL_MS = 1;

const FIELDS = 6;

/**
 * Wall-clock time, reconstructed: event seqs are mapped to ms through the clock samples
 * (clock-index.ts), and per-call durations come from the frames table's entry and exit seqs.
 */
export class Timing {
  constructor(private readonly reader: RecordingReader, private readonly sites: SiteIndex) {}

  /** ms since the recording's first clock sample at which event `seq` ran (undefined: no samples). */
  async timeAt(seq: number): Promise<number | undefined> {
    const clocks = await this.reader.clocks();
    const t = clocks.timeAt(seq);
    return t === undefined ? undefined : t - clocks.startMs!;
  }

  /**
   * When event `seq` ran on the thread's own clock (ms after its performance.timeOrigin, as the
   * runtime sampled it); undefined without samples. Threads' streams line up through this.
   */
  async clockAt(seq: number): Promise<number | undefined> {
    return (await this.reader.clocks()).timeAt(seq);
  }

  /** The last event that ran at or before `ms` on the thread's own clock (-1: none yet; timeAt is non-decreasing in seq). */
  async lastAtOrBefore(ms: number): Promise<number> {
    const clocks = await this.reader.clocks();
    let lo = -1, hi = this.reader.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((clocks.timeAt(mid) ?? Infinity) <= ms) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The program's run time by its own clock: first to last sample (undefined: no samples). */
  async elapsedMs(): Promise<number | undefined> {
    const clocks = await this.reader.clocks();
    return clocks.size ? clocks.endMs! - clocks.startMs! : undefined;
  }

  /** Calls and time of every function (and module) that ran, in site order. One pass over the frames table. */
  async functions(): Promise<FunctionTiming[]> {
    const clocks = await this.reader.clocks();
    const timed = clocks.size > 0;
    // Every frame: fn, parent, entry, exit (frame ids are dense from 1, so blocks are contiguous).
    const blocks: Int32Array[] = [];
    for (let index = 0; ; index++) {
      const block = await this.reader.frameBlock(index);
      if (!block) break;
      blocks.push(block);
    }
    const n = blocks.length * BLOCK;
    const fn = new Int32Array(n).fill(-1), parent = new Int32Array(n), dur = new Float64Array(n);
    // A call that starts and ends inside one opaque interval has no measured duration.
    const unresolved = new Uint8Array(n);
    const end = this.reader.length;
    for (let b = 0; b < blocks.length; b++) {
      const data = blocks[b];
      for (let i = 0; i < BLOCK; i++) {
        const at = i * FIELDS;
        if (data[at] < 0) continue;
        const id = b * BLOCK + i;
        fn[id] = data[at];
        parent[id] = data[at + 1];
        if (timed) {
          const exit = data[at + 3] >= 0 ? data[at + 3] : end; // still open when the recording ended
          dur[id] = Math.max(0, clocks.timeAt(exit)! - clocks.timeAt(data[at + 2])!);
          const i = clocks.interval(data[at + 2]);
          if (i === clocks.interval(exit) && clocks.widthMs(i) > OPAQUE_INTERVAL_MS) unresolved[id] = 1;
        }
      }
    }
    // The call tree (children in id order), walked depth first with a per-function count of its
    // frames on the current path: a call only adds to its function's total when it is the outermost.
    const firstChild = new Int32Array(n), nextSibling = new Int32Array(n), childMs = new Float64Array(n);
    const roots: number[] = [];
    for (let id = n - 1; id > 0; id--) {
      if (fn[id] < 0) continue;
      const p = parent[id];
      if (p > 0 && p < n && fn[p] >= 0) { nextSibling[id] = firstChild[p]; firstChild[p] = id; childMs[p] += dur[id]; }
      else roots.push(id);
    }
    const calls = new Map<number, { calls: number; total: number; self: number; resolved: boolean }>();
    const onPath = new Map<number, number>();
    const stack = roots; // reversed ids: pops in ascending order
    while (stack.length) {
      const x = stack.pop()!;
      if (x < 0) { const f = fn[-x]; onPath.set(f, onPath.get(f)! - 1); continue; }
      const f = fn[x];
      let c = calls.get(f);
      if (!c) calls.set(f, (c = { calls: 0, total: 0, self: 0, resolved: false }));
      c.calls++;
      if (!unresolved[x]) c.resolved = true;
      const depth = onPath.get(f) ?? 0;
      if (depth === 0) c.total += dur[x];
      c.self += Math.max(0, dur[x] - childMs[x]);
      onPath.set(f, depth + 1);
      stack.push(-x);
      const children: number[] = [];
      for (let ch = firstChild[x]; ch; ch = nextSibling[ch]) children.push(ch);
      for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]);
    }
    const elided = new Map((this.reader.stats.elided ?? []).map((e) => [e.site, e.calls]));
    for (const site of elided.keys()) if (!calls.has(site)) calls.set(site, { calls: 0, total: 0, self: 0, resolved: false });
    const out: FunctionTiming[] = [];
    for (const [site, c] of [...calls].sort((a, b) => a[0] - b[0])) {
      const s = this.sites.site(site);
      out.push({
        site, name: s?.kind === SiteKind.Module ? '<module>' : s?.name ?? '<anonymous>', file: this.sites.file(site),
        line: s?.line ?? 0, column: s?.column ?? 0, calls: c.calls,
        ...(elided.has(site) ? { elided: elided.get(site) } : {}),
        ...(timed && c.resolved ? { totalMs: round3(c.total), selfMs: round3(c.self) } : {}),
      });
    }
    return out;
  }
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;
