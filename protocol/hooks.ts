/**
 * The hook API: what instrumented code calls. instrumenter/ emits calls to these;
 * runtime/ implements them. The runtime object is reached through the
 * non-enumerable global HOOKS_GLOBAL; each instrumented file starts with
 *
 *   var $$es = globalThis[HOOKS_GLOBAL], $$s = $$es.file("<hash>", "<abs source path>", <siteCount>);
 *
 * `$$s` is the file's base site id in this run; every hook receives `$$s + local`. In minimal
 * mode the declaration goes on with `$$b = $$es.b($$s, <siteCount>), $$q = $$es.q`.
 * Every hook that takes a value returns it unchanged, so it can wrap expressions.
 */
export const HOOKS_GLOBAL = '__elixirscope_hooks__';
/** Prefix of the identifiers the instrumenter adds; where user code uses such names, ours are renamed (`$$es_1_`…). */
export const RESERVED_PREFIX = '$$es';

/**
 * The call budget of a file's functions, read and written by minimal-mode code itself
 * (runtime/call-budget.ts): per local site k, slot BUDGET_SLOTS * k + BUDGET_LEFT is how many
 * more calls may be recorded, + BUDGET_ELIDED how many were left out.
 */
export const BUDGET_SLOTS = 2;
export const BUDGET_LEFT = 0;
export const BUDGET_ELIDED = 1;

export interface Hooks {
  /** Register a loaded file; returns its base site id. */
  file(hash: string, path: string, siteCount: number): number;
  /** The call budget of the file registered at `base` (BUDGET_SLOTS per site). */
  b(base: number, siteCount: number): Float64Array;
  /**
   * [0]: how many elided calls are on this thread's stack. Minimal-mode code raises it on entering
   * an elided call and lowers it on leaving; while it is not 0 nothing is recorded.
   */
  readonly q: Int32Array;
  /** Step: statement `site` is about to run. */
  s(site: number): void;
  /** Call: entering function/module `site`; returns the new frame id. */
  c(site: number): number;
  /** Exit: frame `frame` of function `site` is left (emitted in a finally). */
  e(site: number, frame: number): void;
  /** Return value of `return` statement `site`; returns value. */
  r<T>(site: number, value: T): T;
  /** Throw: exception `error` leaves function `site` (emitted in a catch that rethrows). */
  x(site: number, error: unknown): void;
  /** Write: variable `site` now holds value; returns value. */
  w<T>(site: number, value: T): T;
  /** Property write: `obj[key]` was assigned; `value` is the assignment's result, returned. */
  p<T>(site: number, obj: unknown, key: unknown, value: T): T;
  /**
   * Mutation: a method that may change its receiver in place (`push`, `sort`, `set`, ...; site =
   * the call) returned `result`; `obj` is the receiver after the call. `appended` is how many
   * arguments a `push` appended (-1 otherwise). Recorded as property writes; returns result.
   */
  m<T>(site: number, obj: unknown, result: T, appended: number): T;
  /** Suspend: frame `frame` is about to await/yield `value` at `site`; returns value. */
  sp<T>(site: number, frame: number, value: T): T;
  /**
   * Resume: frame `frame` continues at `site` with `value` (the await/yield result); returns value.
   * Also emitted at the start of catch/finally blocks of async functions and generators with the
   * function's site, in case an await or yield was abandoned (rejection, generator throw/return):
   * a resume of a frame that is not suspended is a no-op.
   */
  rs<T>(site: number, frame: number, value: T): T;
}
