/**
 * Live mode (a debug session records the program): the program's thread really pauses.
 *
 * The adapter decides what is a stop; this only makes the thread wait, at or before every possible
 * target, until the adapter releases it: at a breakpoint site (per-site flags built from the spec
 * area), at the first statement of a function with a function breakpoint, or wherever the worker's
 * LiveMode asks (any statement, the watched frame's next statement, anything after it exited, or
 * for a pause request also the idle tick, so a program waiting for I/O pauses too).
 * A pause publishes the ring, tells the worker (which sends PAUSED once everything before it is on
 * the socket) and blocks on C_PAUSED with Atomics.wait until the worker clears it.
 *
 * The wrapped hooks keep a stack of the frames on this thread's stack (suspended async functions
 * and generators leave it), which is what step over and step out filter on.
 */
import type { Hooks } from '../protocol/hooks';
import { siteCountOf, type Recorder } from './recorder';
import { readSpec } from './live-spec';
import {
  C_DEAD, C_LIVE_FRAME, C_LIVE_MODE, C_PAUSED, C_PAUSE_ID, C_W,
  LIVE_ANY, LIVE_OUT, LIVE_OVER, LIVE_PAUSE, LIVE_SPEC_DIRTY, type LiveBreakpoints,
} from './wire';

// Captured at load, and no method calls on our own arrays: the program may replace builtins.
const A_load = Atomics.load, A_store = Atomics.store, A_wait = Atomics.wait, A_notify = Atomics.notify, A_and = Atomics.and, A_or = Atomics.or;
const hasOwn = Function.prototype.call.bind(Object.prototype.hasOwnProperty) as (o: object, k: string) => boolean;
const isArray = Array.isArray;
const perfNow = performance.now.bind(performance) as () => number;
/** Longest single wait before re-checking that the worker is still alive (ms). */
const WAIT_SLICE_MS = 1000;

interface LoadedFile { path: string; base: number; count: number }

/** `onPaused(ms)` is told how long each pause lasted. */
export function installLiveControl(rec: Recorder, ctrl: Int32Array, area: SharedArrayBuffer, onPaused: (ms: number) => void): void {
  const hooks: Hooks = rec.hooks;
  const files: LoadedFile[] = [];
  let flags = new Uint8Array(1024);
  let spec: LiveBreakpoints = { sites: {} };
  let forceNext = 0;
  const stack: number[] = [];
  const suspended: Record<number, true> = Object.create(null) as Record<number, true>;
  let top = 0;
  let watchedExited = false;

  function setFlags(f: LoadedFile): void {
    const local = hasOwn(spec.sites, f.path) ? spec.sites[f.path] : undefined;
    if (!isArray(local)) return;
    for (let i = 0; i < local.length; i++) {
      const k = local[i];
      if (typeof k === 'number' && k >= 0 && k < f.count) flags[f.base + k] = 1;
    }
  }

  function loadSpec(): void {
    const next = readSpec(area);
    if (next === undefined) { A_or(ctrl, C_LIVE_MODE, LIVE_SPEC_DIRTY); return; } // mid-write: later
    spec = next;
    flags = new Uint8Array(flags.length);
    for (let i = 0; i < files.length; i++) setFlags(files[i]);
  }

  function pickUpSpec(): void {
    if ((A_load(ctrl, C_LIVE_MODE) & LIVE_SPEC_DIRTY) === 0) return;
    A_and(ctrl, C_LIVE_MODE, ~LIVE_SPEC_DIRTY);
    loadSpec();
  }

  function pause(): void {
    if (A_load(ctrl, C_DEAD) !== 0) return;
    rec.flush();
    A_store(ctrl, C_PAUSE_ID, A_load(ctrl, C_PAUSE_ID) + 1);
    A_store(ctrl, C_PAUSED, 1);
    A_notify(ctrl, C_W, 1);
    const start = perfNow();
    while (A_load(ctrl, C_PAUSED) === 1 && A_load(ctrl, C_DEAD) === 0) A_wait(ctrl, C_PAUSED, 1, WAIT_SLICE_MS);
    onPaused(perfNow() - start);
    watchedExited = false;
    forceNext = 0;
  }

  function shouldPause(site: number): boolean {
    const mode = A_load(ctrl, C_LIVE_MODE);
    if ((mode & LIVE_SPEC_DIRTY) !== 0) pickUpSpec();
    if (flags[site] === 1 || forceNext !== 0) return true;
    switch (mode & ~LIVE_SPEC_DIRTY) {
      case LIVE_ANY: case LIVE_PAUSE: return true;
      case LIVE_OVER: return watchedExited || top === A_load(ctrl, C_LIVE_FRAME);
      case LIVE_OUT: return watchedExited;
      default: return false;
    }
  }

  function enter(frame: number): void {
    stack[stack.length] = frame;
    top = frame;
  }

  function leave(frame: number): void {
    let at = stack.length - 1;
    while (at >= 0 && stack[at] !== frame) at--;
    if (at >= 0) stack.length = at;
    top = stack.length ? stack[stack.length - 1] : 0;
  }

  const { file, s, c, e, sp, rs, w, p, x } = hooks;
  hooks.file = function (hash: string, path: string, siteCount: number): number {
    const base = file(hash, path, siteCount);
    const f: LoadedFile = { path, base, count: siteCountOf(siteCount) };
    if (base + f.count > flags.length) {
      const bigger = new Uint8Array(Math.max(base + f.count, flags.length * 2));
      for (let i = 0; i < flags.length; i++) bigger[i] = flags[i];
      flags = bigger;
    }
    files[files.length] = f;
    pickUpSpec();
    setFlags(f);
    return base;
  };
  hooks.s = function (site: number): void {
    s(site);
    if ((flags[site] | ctrl[C_LIVE_MODE] | forceNext) !== 0 && shouldPause(site)) pause();
  };
  hooks.c = function (site: number): number {
    const frame = c(site);
    enter(frame);
    if (flags[site] === 1) forceNext = 1; // a function breakpoint stops at the function's first statement
    return frame;
  };
  hooks.e = function (site: number, frame: number): void {
    e(site, frame);
    leave(frame);
    if (frame === A_load(ctrl, C_LIVE_FRAME)) watchedExited = true;
  };
  // A data breakpoint stops after the write: at the next statement.
  hooks.w = function <T>(site: number, value: T): T {
    const v = w(site, value);
    if (flags[site] === 1) forceNext = 1;
    return v;
  };
  hooks.p = function <T>(site: number, obj: unknown, key: unknown, value: T): T {
    const v = p(site, obj, key, value);
    if (flags[site] === 1) forceNext = 1;
    return v;
  };
  hooks.x = function (site: number, error: unknown): void {
    x(site, error);
    if (spec.throws === true) pause();
  };
  hooks.sp = function <T>(site: number, frame: number, value: T): T {
    const v = sp(site, frame, value);
    leave(frame);
    suspended[frame] = true;
    return v;
  };
  hooks.rs = function <T>(site: number, frame: number, value: T): T {
    const v = rs(site, frame, value);
    if (suspended[frame] === true) { delete suspended[frame]; enter(frame); }
    return v;
  };
  // Paused before Node reports it (and, unless the program handles it, ends the process).
  const uncaught = rec.uncaught;
  rec.uncaught = function (error: unknown, rejection: boolean): void {
    uncaught(error, rejection);
    if (spec.uncaught === true) pause();
  };
  // The idle tick runs only when the event loop turns: a pause requested then stops the program there.
  const tick = rec.tick;
  rec.tick = function (): void {
    tick();
    if ((A_load(ctrl, C_LIVE_MODE) & ~LIVE_SPEC_DIRTY) === LIVE_PAUSE) pause();
  };
  loadSpec();
}
