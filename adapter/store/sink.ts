import type { EventKind } from '../../protocol/events';
import type { RecordedValue } from '../../protocol/values';
import type { WorkerIdentity } from '../../runtime/wire';

/**
 * A value the runtime sent as RecordedValue JSON, handed over as its UTF-8 bytes buf[start, end)
 * instead of parsed (only to sinks with `rawJson`). The bytes are those of the runtime's JSON
 * text, which parses to the RecordedValue; they are valid only during the `event` call.
 */
export class RawJson {
  constructor(readonly buf: Uint8Array, readonly start: number, readonly end: number) {}
}

/** What a sink receives for a value: the RecordedValue, or (sinks with `rawJson`) its JSON bytes. */
export type SinkValue = RecordedValue | RawJson;

/**
 * Where decoded runtime events go (implemented by the store writer).
 * One sink per recorded thread stream; calls arrive in the stream's order.
 */
export interface EventSink {
  /**
   * One event. `arg` is the record's argument word (frame id, object id, gap size) or 0.
   * `values` has valueCount(kind) entries (see protocol/events.ts), else is undefined.
   */
  event(kind: EventKind, site: number, arg: number, values: SinkValue[] | undefined): void;
  /** Optional fast path for the commonest event: the same as event(Step, site, 0, undefined). */
  step?(site: number): void;
  /**
   * True when the sink takes JSON values as RawJson bytes (it stores them as they are): the
   * decoder then neither parses them nor builds the objects. Strings and numbers stay decoded.
   */
  readonly rawJson?: boolean;
  /**
   * A wall-clock sample (ms since the program's time origin) taken after every event delivered so
   * far and before the next one. Not an event: it has no seq. Optional: sinks may ignore time.
   */
  clock?(ms: number): void;
  /** The connection said hello: what the runtime reported about itself. */
  hello(info: RuntimeHello): void;
  /**
   * Backpressure: a promise while the sink's own writes lag behind (the reader stops reading
   * the socket until it settles), or undefined when it can take more.
   */
  whenWritable?(): Promise<void> | undefined;
  /** The stream ended (END frame, or the connection closed). `clean` is false when it closed without END. */
  end(clean: boolean): Promise<void>;
}

/** Sent by the runtime as the first IPC frame (after the token). */
export interface RuntimeHello {
  pid: number;
  threadId: number;
  nodeVersion: string;
  argv: string[];
  cwd: string;
  startTime: number;
  /** performance.timeOrigin of the thread: its clock samples are ms after it (threads' clocks line up through it). */
  timeOrigin?: number;
  /** A program Worker's thread: what it was created with. */
  worker?: WorkerIdentity;
}
