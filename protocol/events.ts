/**
 * The event model: the contract between runtime/ (producer) and adapter/ (consumer).
 *
 * An event is (seq, kind, site, frame, value). `seq` is implicit (position in the
 * thread's stream). `site` indexes the recording's site table. `frame` is the call
 * instance. Static facts (file, line, names) live only in the site table.
 *
 * Ring record layout (Int32 words, written by the runtime hot path):
 *   word0 = (site << KIND_BITS) | kind
 *   then kind-specific words (see RECORD_ARGS) and, for kinds in KINDS_WITH_VALUE,
 *   one encoded value (see values.ts: RING_VALUE_TAG).
 */
export const KIND_BITS = 4;
export const KIND_MASK = (1 << KIND_BITS) - 1;

export const enum EventKind {
  /** A statement is about to run. site = statement site. */
  Step = 0,
  /** A function (or module) body was entered. site = function site; arg word = new frame id. */
  Call = 1,
  /** The current frame's body is left (return, throw or generator close). site = function site; arg word = frame id. */
  Exit = 2,
  /** A `return` statement's value. site = return statement site; value. Precedes Exit. */
  Return = 3,
  /** An exception leaves the current frame. site = function site; value = the exception. Precedes Exit. */
  Throw = 4,
  /** A variable/parameter/catch binding got a value. site = write site (names the variable); value. */
  Write = 5,
  /** A property write `o.k = v` / `o[k] = v`. site = write site; words: object id; values: key, then value. */
  PropWrite = 6,
  /** The current frame is suspended at `await`/`yield`. site = the await/yield site; arg word = frame id. */
  Suspend = 7,
  /** A suspended frame continues. site = the await/yield site; arg word = frame id. */
  Resume = 8,
  /** A module file was loaded: site = base site id of its site table; value = string JSON {hash, file, count}. */
  FileLoaded = 9,
  /** Text the program wrote to stdout/stderr/console. site = 0 (stdout) or 1 (stderr); value = string. */
  Output = 10,
  /** The program's process ends. site = 0; value = exit code. */
  ProcessExit = 11,
  /** The runtime dropped events (drop-oldest policy). arg word = how many. */
  Gap = 12,
  /**
   * A wall-clock sample (ms since the process's time origin, as the value), written by the runtime
   * once per published block and on its idle tick. Not an event of the stream: it gets no seq and
   * is never stored in a chunk; the writer keeps it in the seq→time index (clock: keys).
   */
  Clock = 13,
  /**
   * An exception reached Node's uncaught handling (before any 'uncaughtException' listener runs):
   * site = 0 for a thrown exception, 1 for a promise rejection nothing handled; value = the
   * exception. Tells which Throw chain the program did not catch, which the frames alone cannot
   * (a promise chain, an awaiting caller or code outside the recording may catch it).
   */
  Uncaught = 14,
  /**
   * Calls of function `site` that the call budget left out (runtime/call-budget.ts): arg word =
   * how many. Written once per such function, before ProcessExit; the calls it counts came after
   * the function's last recorded Call.
   */
  Elided = 15,
}

export const KIND_NAMES: readonly string[] = [
  'step', 'call', 'exit', 'return', 'throw', 'write', 'propWrite',
  'suspend', 'resume', 'fileLoaded', 'output', 'processExit', 'gap', 'clock', 'uncaught', 'elided',
];

/** Kinds whose ring record carries one int32 argument word after word0 (frame id, object id or count). */
export const KINDS_WITH_ARG: ReadonlySet<EventKind> = new Set([
  EventKind.Call, EventKind.Exit, EventKind.Suspend, EventKind.Resume, EventKind.PropWrite, EventKind.Gap, EventKind.Elided,
]);

/** Kinds whose ring record carries encoded values after the fixed words (PropWrite carries two: key, value). */
export function valueCount(kind: EventKind): number {
  switch (kind) {
    case EventKind.Return: case EventKind.Throw: case EventKind.Write:
    case EventKind.FileLoaded: case EventKind.Output: case EventKind.ProcessExit: case EventKind.Clock: case EventKind.Uncaught:
      return 1;
    case EventKind.PropWrite:
      return 2;
    default:
      return 0;
  }
}

/** Per kind (0..15), for the hot loops that walk ring records: 1 where the record has an argument word. */
export const ARG_WORDS: Uint8Array = Uint8Array.from({ length: 1 << KIND_BITS }, (_, k) => (KINDS_WITH_ARG.has(k as EventKind) ? 1 : 0));
/** Per kind (0..15): valueCount(kind). */
export const VALUE_COUNTS: Uint8Array = Uint8Array.from({ length: 1 << KIND_BITS }, (_, k) => valueCount(k as EventKind));

/** Instrumentation plans, from cheapest to most complete. */
export type Mode = 'minimal' | 'balanced' | 'full';
export const MODES: readonly Mode[] = ['minimal', 'balanced', 'full'];
