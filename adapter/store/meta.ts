import { callBudgetRefill } from '../../protocol/requests';
import type { Mode } from '../../protocol/events';

/** Bumped whenever the key layout or chunk encoding changes; readers refuse versions not in READABLE_FORMATS. */
export const FORMAT_VERSION = 6;
/**
 * 5 is 6 with exact postings for statement sites instead of per-chunk step postings; 4 is 5 without
 * SameSnapshot values (and their snapshot postings): both read as they are.
 */
export const READABLE_FORMATS: readonly number[] = [4, 5, FORMAT_VERSION];
/** The first format whose statement sites have step postings (keys.ts `steps:`). */
export const STEP_POSTINGS_FORMAT = 6;

export interface RecordingMeta {
  format: number;
  program: string;
  args: string[];
  cwd: string;
  root: string;
  mode: Mode;
  /** Calls recorded per function (runtime/call-budget.ts); absent or 0: every call. */
  callBudget?: number;
  nodeVersion: string;
  startTime: number;
  pid?: number;
  /** performance.timeOrigin of the recorded thread (ms since the epoch, fractional): aligns the clocks of threads. */
  timeOrigin?: number;
  /**
   * Set in the recording of a worker thread (`<main recording>/threads/<threadId>/`): the
   * program's Worker, by Node's threadId, its options' `name` and its script.
   */
  thread?: { id: number; name?: string; filename: string };
}

export interface RecordingStats {
  events: number;
  frames: number;
  chunks: number;
  /** Wall-clock time from the runtime's hello to the end of the stream. */
  durationMs: number;
  /** False while recording, or when the program died without the runtime's END frame. */
  complete: boolean;
  exitCode?: number;
  /** Events the runtime dropped (drop-oldest policy) and where. */
  dropped: number;
  gaps: Array<{ seq: number; count: number }>;
  /** Functions whose later calls the call budget left out (global site id, how many calls); absent when none were. */
  elided?: Array<{ site: number; calls: number }>;
  /** Seqs of the Uncaught events (absent in recordings made before they were recorded). */
  uncaught?: number[];
  /**
   * Step postings (keys.ts `steps:`) are stored for the chunks before this seq; readers find the
   * statements of later chunks in the chunks themselves (a recording in progress, or killed).
   */
  stepsPostedTo?: number;
}

/** A call instance. `exit` is -1 while the frame is still open (or when the recording ended inside it). */
export interface FrameRecord {
  id: number;
  /** Global site id of the function (or module). */
  fn: number;
  /** The caller frame at call time (0 for frames entered from the event loop). */
  parent: number;
  entry: number;
  exit: number;
  depth: number;
  /** How many times the frame resumed after await/yield; 0 means it ran in one piece and can be skipped as a whole. */
  resumes: number;
}

/** One loaded file's site table with its base site id in this recording. */
export interface LoadedFile {
  base: number;
  file: string;
  hash: string;
  count: number;
}

/** How many calls the call budget left out, over all functions. */
export function elidedCalls(elided: RecordingStats['elided']): number {
  return (elided ?? []).reduce((sum, e) => sum + e.calls, 0);
}

/** What the call budget left out of a recording, in a sentence; undefined when nothing was. */
export function elisionSummary(elided: RecordingStats['elided'], callBudget: number | undefined): string | undefined {
  if (!elided?.length) return undefined;
  const calls = elidedCalls(elided);
  const after = callBudget ? `beyond each function's budget (its first ${callBudget} calls, then ${callBudgetRefill(callBudget)} a second), ` : '';
  return `${after}${calls.toLocaleString('en-US')} call${calls === 1 ? '' : 's'} of ${elided.length} function${elided.length === 1 ? '' : 's'} (and what ran inside them) ${calls === 1 ? 'was' : 'were'} counted, not recorded`;
}
