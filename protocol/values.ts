/**
 * Recorded values: how the runtime describes a program value without changing the
 * program (no getter, proxy trap, toString/valueOf/toJSON is ever invoked).
 * JSON-compatible so it can cross the IPC channel and sit in the store as is.
 *
 * Finite numbers (except -0), strings, booleans and null are themselves. Everything
 * else is a one-key-tagged object:
 */
export type RecordedValue =
  | number | string | boolean | null
  | { u: 1 }                                   // undefined
  | { n: 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { b: string }                              // bigint, decimal digits
  | { y: string }                              // symbol description
  | { f: string; o: number }                   // function: name, object id
  | ObjectSnapshot
  | { r: number; c: string }                   // reference to an object beyond the depth limit: id, class
  | { x: 'redacted' }                          // secret, never left the program
  | { x: 'contents' }                          // property-write key: the whole object now looks like the value (a built-in changed it)
  | { t: 1; a?: 1 | 2 }                       // truncated (size limit), or uninitialized (TDZ); a: an accessor property (no value; 2: it has only a setter)
  | SameSnapshot
  ;

/**
 * On the wire and in the store only (the reader replaces it before anyone sees a value): the
 * object, written again, encoded to exactly the bytes of its last top-level snapshot in the
 * stream, so only its id was sent. A method's `this` is written at every call, and is most
 * often unchanged. The runtime sends it only while every event since that snapshot is kept.
 */
export interface SameSnapshot { s: number }

export function isSameSnapshot(v: RecordedValue): v is SameSnapshot {
  return typeof v === 'object' && v !== null && typeof (v as { s?: unknown }).s === 'number';
}

/**
 * The object id of a value's JSON text in bytes[start, end) when it is an object snapshot
 * (`{"o":<id>,...`), else -1. What the runtime may later send as a SameSnapshot and what the
 * store indexes as the snapshot it stands for are both decided by this one test.
 */
export function snapshotIdOfJson(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - i < 7 || bytes[i] !== 0x7b || bytes[i + 1] !== 0x22 || bytes[i + 2] !== 0x6f || bytes[i + 3] !== 0x22 || bytes[i + 4] !== 0x3a) return -1;
  let id = 0;
  for (i += 5; i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) id = id * 10 + (bytes[i] - 0x30);
  return i < end && bytes[i] === 0x2c ? id : -1;
}

export interface ObjectSnapshot {
  /** Stable object id within the recording (same object, same id). */
  o: number;
  /** Class/constructor name as seen by the program, e.g. "Object", "Array", "Invoice", "Map". */
  c: string;
  /** Shape used for rendering. */
  k: 'object' | 'array' | 'map' | 'set' | 'error' | 'date' | 'regexp' | 'promise' | 'typedarray' | 'proxy' | 'other';
  /** Own enumerable properties (array elements by index string), or Map entries [key, value], Set entries [index, value]. */
  p: Array<[string | RecordedValue, RecordedValue]>;
  /** Total number of properties/elements/entries (may be > p.length when truncated). */
  n: number;
  /** Extra rendering detail: Date ISO string, RegExp source, Error message. */
  d?: string;
  /**
   * Errors: the `name` Error.prototype.toString reads (own or inherited), when it is not `c` and
   * the runtime could read it without running code (an Error subclass that sets no name: "Error").
   */
  e?: string;
}

/** Ring encoding of one value: a tag word, then payload words (or a blob in the byte ring). */
export const enum RingValueTag {
  Undefined = 0,
  Null = 1,
  True = 2,
  False = 3,
  /** payload: 1 word, an int32. */
  Int = 4,
  /** payload: 2 words, a float64 (little-endian halves). */
  Double = 5,
  /** payload: 1 word = UTF-8 byte length; bytes follow in the byte ring. A plain string. */
  String = 6,
  /** payload: 1 word = UTF-8 byte length; bytes in the byte ring are the JSON of a RecordedValue. */
  Json = 7,
}

/** The key of a property write that replaces an object's recorded contents (after `arr.sort()`, `map.set(k, v)`, ...). */
export function isContentsKey(key: RecordedValue): boolean {
  return typeof key === 'object' && key !== null && (key as { x?: unknown }).x === 'contents';
}

/** Whether an own property key is an array index ("0", "12"; not "01" nor "-1"). */
export function isArrayIndex(key: unknown): boolean {
  return typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key);
}

/** An accessor property's value: none was recorded (a getter is never run). */
export function isAccessor(v: RecordedValue): boolean {
  return typeof v === 'object' && v !== null && 'a' in v;
}

/** An accessor with a setter and no getter (V8's previews leave those out). */
export function isSetterOnly(v: RecordedValue): boolean {
  return isAccessor(v) && (v as { a: number }).a === 2;
}

export function isObjectSnapshot(v: RecordedValue): v is ObjectSnapshot {
  return typeof v === 'object' && v !== null && 'k' in v && 'o' in v;
}
