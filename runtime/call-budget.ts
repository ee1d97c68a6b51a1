/**
 * Call budget (the `minimal` plan's default): each function's first N calls are recorded; later
 * calls are counted, not recorded, and neither is anything that runs inside them, so a hot helper
 * called millions of times costs a counter instead of two events and their storage. The budget
 * refills to N/10 calls every second (on the runtime's tick), so a long-running program's later
 * activity (a server's request an hour in) is still recorded, at a bounded rate per function. The stack
 * stays true: a recorded call is never shown under a caller that was left out, because everything
 * below an elided call is elided with it. At exit, one Elided record per function says how many
 * of its calls were left out (protocol/events.ts EventKind.Elided).
 *
 * Mechanism: an elided call gets a negative frame id and raises `quiet` (how many elided frames
 * are on this thread's stack) until its exit. An elided async function or generator lowers it
 * while suspended. Code instrumented in minimal mode does this itself for its plain functions
 * (instrumenter/transform.ts budgetedCall): the budget and `quiet` are typed arrays it shares with
 * the hooks here (Hooks.b, Hooks.q), so an elided call costs no hook call at all. Two kinds of
 * frame are recorded even inside an elided call, with `quiet` parked until they leave the stack:
 * a module body (its top level defines what the rest of the program calls) and a recorded
 * generator or async function that resumes there.
 */
import type { Hooks } from '../protocol/hooks';
import { BUDGET_ELIDED, BUDGET_LEFT, BUDGET_SLOTS } from '../protocol/hooks';
import { budgetArray, siteCountOf, type Recorder } from './recorder';
import { callBudgetRefill } from '../protocol/requests';

const MAX_BUDGET = 0x7fffffff;
const REFILL_MS = 1000;
const perfNow = performance.now.bind(performance) as () => number;

export function installCallBudget(rec: Recorder, budget: number): void {
  const hooks: Hooks = rec.hooks;
  const { file, s, c, e, r, x, w, p, m, sp, rs } = hooks;
  // Each file's budget (Hooks.b): minimal-mode code reads and writes it inline; the hooks below
  // find it by site for the functions that call them. A file's local site 0 is its module body.
  const files: Float64Array[] = [];
  const budgetOf: Float64Array[] = [];
  const baseOf: number[] = [];
  const quiet = hooks.q; // [0]: elided frames on this thread's stack
  let quietFrames = 0;
  const suspendedQuiet = new Set<number>();
  const setAdd = Set.prototype.add, setDelete = Set.prototype.delete;
  // Recorded frames running inside an elided call, with the `quiet` to restore when each leaves.
  const parkedFrames: number[] = [];
  const parkedQuiet: number[] = [];
  let parkedTop = 0;
  const refill = callBudgetRefill(budget);
  let refilledAt = perfNow();

  function park(frame: number): void {
    parkedFrames[parkedFrames.length] = frame;
    parkedQuiet[parkedQuiet.length] = quiet[0];
    parkedTop = frame;
    quiet[0] = 0;
  }

  function unpark(): void {
    quiet[0] = parkedQuiet[parkedQuiet.length - 1];
    parkedFrames.length--;
    parkedQuiet.length--;
    parkedTop = parkedFrames.length ? parkedFrames[parkedFrames.length - 1] : 0;
  }

  function quietCall(site: number, budgets: Float64Array, slot: number): number {
    if (site === baseOf[site]) { const f = c(site); park(f); return f; }
    quiet[0]++;
    budgets[slot + BUDGET_ELIDED]++;
    quietFrames = quietFrames === MAX_BUDGET ? 1 : quietFrames + 1;
    return -quietFrames;
  }

  hooks.file = function (hash: string, path: string, siteCount: number): number {
    const base = file(hash, path, siteCount);
    const count = siteCountOf(siteCount);
    const budgets = budgetArray(count, budget);
    for (let i = 0; i < count; i++) { budgetOf[base + i] = budgets; baseOf[base + i] = base; }
    if (count > 0) budgets[BUDGET_LEFT] = Infinity; // the module body
    files[files.length] = budgets;
    return base;
  };
  hooks.b = function (base: number): Float64Array {
    return budgetOf[base] ?? new Float64Array(0);
  };
  hooks.c = function (site: number): number {
    const budgets = budgetOf[site];
    if (budgets === undefined) return c(site);
    const slot = BUDGET_SLOTS * (site - baseOf[site]);
    if (quiet[0] === 0 && --budgets[slot + BUDGET_LEFT] >= 0) return c(site);
    return quietCall(site, budgets, slot);
  };
  hooks.e = function (site: number, frame: number): void {
    if (frame < 0) { quiet[0]--; return; }
    e(site, frame);
    if (frame === parkedTop) unpark();
  };
  hooks.sp = function <T>(site: number, frame: number, value: T): T {
    if (frame < 0) { quiet[0]--; Reflect.apply(setAdd, suspendedQuiet, [frame]); return value; }
    const v = sp(site, frame, value);
    if (frame === parkedTop) unpark();
    return v;
  };
  hooks.rs = function <T>(site: number, frame: number, value: T): T {
    if (frame < 0) { if (Reflect.apply(setDelete, suspendedQuiet, [frame]) === true) quiet[0]++; return value; }
    if (quiet[0] !== 0 && frame !== parkedTop) park(frame);
    return rs(site, frame, value);
  };
  hooks.s = function (site: number): void { if (quiet[0] === 0) s(site); };
  hooks.r = function <T>(site: number, value: T): T { return quiet[0] === 0 ? r(site, value) : value; };
  hooks.x = function (site: number, error: unknown): void { if (quiet[0] === 0) x(site, error); };
  hooks.w = function <T>(site: number, value: T): T { return quiet[0] === 0 ? w(site, value) : value; };
  hooks.p = function <T>(site: number, obj: unknown, key: unknown, value: T): T { return quiet[0] === 0 ? p(site, obj, key, value) : value; };
  hooks.m = function <T>(site: number, obj: unknown, result: T, appended: number): T { return quiet[0] === 0 ? m(site, obj, result, appended) : result; };

  const tick = rec.tick;
  rec.tick = function (): void {
    tick();
    const now = perfNow();
    if (now - refilledAt < REFILL_MS) return;
    refilledAt = now;
    for (const budgets of files) {
      for (let at = BUDGET_LEFT; at < budgets.length; at += BUDGET_SLOTS) if (budgets[at] < refill) budgets[at] = refill;
    }
  };

  // Before the process-exit record: how many calls of each function were left out.
  const finish = rec.finish;
  let reported = false;
  rec.finish = function (code: number, idleTimeoutMs: number): boolean {
    if (!reported) {
      reported = true;
      for (let site = 0; site < budgetOf.length; site++) {
        const n = budgetOf[site]?.[BUDGET_SLOTS * (site - baseOf[site]) + BUDGET_ELIDED] ?? 0;
        if (n > 0) rec.elided(site, n);
      }
    }
    return finish(code, idleTimeoutMs);
  };
}
