/** DAP custom requests and launch arguments: defined once, used by adapter/ and extension/. */
import type { Mode } from './events';

export interface ElixirScopeLaunchArgs {
  /** Program to record (a .ts or .js file). */
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  stopOnEntry?: boolean;
  mode?: Mode;
  /** Path of an existing recording to open for replay instead of running a program. */
  recording?: string;
  /** Where the recording is written (default: <workspace>/.elixirscope/recordings/<timestamp>). */
  out?: string;
  /** Path to the node executable that runs the program. */
  runtimeExecutable?: string;
  noDebug?: boolean;
  /** Extra globs (relative to the workspace root) to instrument, e.g. "node_modules/lodash/**". */
  include?: string[];
  /** Globs not to instrument. */
  exclude?: string[];
  /** Case-insensitive regular expressions: keys and variables matching one are recorded as [redacted]. */
  redact?: string[];
  /** Keep only the newest N recordings in the recordings folder (applied by the extension). */
  retention?: number;
  /** Bounds of object snapshots. */
  snapshot?: Partial<SnapshotLimits>;
  /**
   * Calls recorded per function, then a tenth of it per second; the others (and everything
   * inside them) are counted, not recorded. 0 records every call. Default: DEFAULT_CALL_BUDGET in
   * minimal mode, 0 otherwise.
   */
  callBudget?: number;
}

/** The minimal plan's call budget: enough calls of each function to see how it is used, few enough that hot helpers cost a counter. */
export const DEFAULT_CALL_BUDGET = 1000;

/** Calls per second a function's spent call budget gets back (runtime/call-budget.ts). */
export function callBudgetRefill(budget: number): number { return Math.max(1, Math.floor(budget / 10)); }

export interface SnapshotLimits { maxDepth: number; maxKeys: number; maxString: number }

export const CustomRequest = {
  seek: 'elixirscope/seek',
  valueHistory: 'elixirscope/valueHistory',
  timeline: 'elixirscope/timeline',
  origin: 'elixirscope/origin',
  info: 'elixirscope/info',
  reverseStepIn: 'elixirscope/reverseStepIn',
  reverseStepOut: 'elixirscope/reverseStepOut',
} as const;

/** Travel to a point in time; the adapter answers, then sends a `stopped` event (reason "goto"). */
export interface SeekArgs { seq: number }

/** Every value a variable (or `a.b` property path) had, in time order. Default frame: the top frame of the current stop. */
export interface ValueHistoryArgs { name: string; frameId?: number }
export interface ValueHistoryEntry { seq: number; value: string; file: string; line: number; function?: string; current?: boolean }
export interface ValueHistoryResponse { name: string; entries: ValueHistoryEntry[]; note?: string }

/** Activity per kind in `buckets` slices of [from, to) (default: the whole recording). */
export interface TimelineArgs { from?: number; to?: number; buckets?: number }
export interface TimelineResponse {
  from: number; to: number; total: number; position: number;
  /** fromMs/toMs: when the bucket's first and last events ran, ms since the recording started (absent in recordings without time samples). */
  buckets: Array<{ from: number; to: number; counts: Record<string, number>; fromMs?: number; toMs?: number }>;
  functions: Array<{ name: string; file: string; line: number; calls: number }>;
  /** Per bucket: hits of the breakpoints that stop without a condition (line and function breakpoints). */
  breakpointHits?: number[];
}

/** Where did this value come from: a variable in a frame (default: current), or the return value of the Return event at `returnSeq`. */
export interface OriginArgs { name?: string; frameId?: number; frame?: number; seq?: number; returnSeq?: number }
export interface OriginResponse {
  name: string; seq: number; frame: number; file: string; line: number; column: number; value: string;
  via: 'assignment' | 'declaration' | 'parameter' | 'return' | 'property' | 'catch' | 'receiver';
  statement: string;
  inputs: Array<{ name: string; frame: number; seq: number; line?: number; value?: string; kind: 'variable' | 'return' }>;
}

/** `ms`: when the current position ran, in ms since the recording started (absent without clock samples). */
export interface RecordingInfo { dir: string; events: number; bytes: number; seq: number; live: boolean; ms?: number }
