/**
 * Describes program values as RecordedValue JSON text (protocol/values.ts) WITHOUT running any
 * program code: no getter, setter, proxy trap, toString/valueOf/toJSON/Symbol.toPrimitive is ever
 * invoked. Every builtin we use is captured when this module loads (at preload, before user code),
 * so monkey-patching by the program can neither trip nor break us.
 *
 * The JSON text is produced directly by string concatenation (no intermediate objects, so
 * Object.prototype setters / toJSON on the program side cannot interfere either).
 */
import { types } from 'node:util';
import { snapshotIdOfJson } from '../protocol/values';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyFn = (...args: any[]) => any;
const fnCall = Function.prototype.call;
const uncurry = <F extends AnyFn>(f: F): ((self: any, ...args: any[]) => any) => fnCall.bind(f) as any;

const GLOBAL: unknown = globalThis;
const isProxy = types.isProxy, isMap = types.isMap, isSet = types.isSet, isDate = types.isDate,
  isRegExp = types.isRegExp, isNativeError = types.isNativeError, isTypedArray = types.isTypedArray,
  isPromise = types.isPromise, isBoxedPrimitive = types.isBoxedPrimitive, isWeakMap = types.isWeakMap,
  isWeakSet = types.isWeakSet, isAnyArrayBuffer = types.isAnyArrayBuffer, isDataView = types.isDataView,
  isModuleNamespaceObject = types.isModuleNamespaceObject, isGeneratorObject = types.isGeneratorObject,
  isBigInt64Array = types.isBigInt64Array, isBigUint64Array = types.isBigUint64Array;
const ownKeys = Reflect.ownKeys, objectKeys = Object.keys, ownSymbols = Object.getOwnPropertySymbols, getProto = Reflect.getPrototypeOf, gopd = Reflect.getOwnPropertyDescriptor;
const isArray = Array.isArray;
const hasOwn = Object.hasOwn;
const propIsEnum = uncurry(Object.prototype.propertyIsEnumerable);
const jsonStr = JSON.stringify;
const strSlice = uncurry(String.prototype.slice);
const strCharCodeAt = uncurry(String.prototype.charCodeAt);
const numToString = uncurry(Number.prototype.toString);
const bigToString = uncurry(BigInt.prototype.toString);
const getterOf = (o: object, k: PropertyKey): AnyFn => uncurry((gopd(o, k) as PropertyDescriptor).get as AnyFn);
const symDescription = getterOf(Symbol.prototype, 'description');
const mapSize = getterOf(Map.prototype, 'size');
const setSize = getterOf(Set.prototype, 'size');
const mapEntries = uncurry(Map.prototype.entries);
const MapIterNext = uncurry((getProto(new Map().entries()) as any).next);
const setValues = uncurry(Set.prototype.values);
const SetIterNext = uncurry((getProto(new Set().values()) as any).next);
const dateGetTime = uncurry(Date.prototype.getTime);
const dateToISO = uncurry(Date.prototype.toISOString);
const reSource = getterOf(RegExp.prototype, 'source');
const reFlagGetters: Array<[string, AnyFn]> = [];
for (const [ch, name] of [['d', 'hasIndices'], ['g', 'global'], ['i', 'ignoreCase'], ['m', 'multiline'], ['s', 'dotAll'], ['u', 'unicode'], ['v', 'unicodeSets'], ['y', 'sticky']] as const) {
  const d = gopd(RegExp.prototype, name);
  if (d && d.get) reFlagGetters.push([ch, uncurry(d.get)]);
}
const TypedArrayProto = getProto(Uint8Array.prototype) as object;
const taLength = getterOf(TypedArrayProto, 'length');
const reExec = uncurry(RegExp.prototype.exec);
const WeakMapC = WeakMap, SetC = Set, MapC = Map;
const wmGet = uncurry(WeakMap.prototype.get), wmSet = uncurry(WeakMap.prototype.set), wmDelete = uncurry(WeakMap.prototype.delete);
const imul = Math.imul;
const mapGet = uncurry(Map.prototype.get), mapSet = uncurry(Map.prototype.set), mapSizeOf = mapSize;
const setHas = uncurry(Set.prototype.has), setAdd = uncurry(Set.prototype.add), setClear = uncurry(Set.prototype.clear);
const MathMin = Math.min, MathMax = Math.max;
const U8 = Uint8Array;
const I32 = Int32Array;
const u8set = uncurry(Uint8Array.prototype.set), u8sub = uncurry(Uint8Array.prototype.subarray);
const encoder = new TextEncoder(), decoder = new TextDecoder();
const encodeInto = uncurry(TextEncoder.prototype.encodeInto), utf8Encode = uncurry(TextEncoder.prototype.encode);
const utf8Decode = uncurry(TextDecoder.prototype.decode);
const NumberIsFinite = Number.isFinite;

/** Read an own DATA property without invoking anything; NONE when absent or an accessor. */
const NONE: unique symbol = Symbol('none');
export function ownData(o: object, k: PropertyKey): unknown {
  const d = gopd(o, k);
  if (d === undefined || !hasOwn(d, 'value')) return NONE;
  return d.value;
}

export interface SnapshotLimits {
  maxDepth: number;
  maxKeys: number;
  maxString: number;
  /** Keys (and variable names) matching this are redacted; null = no redaction. */
  redact: RegExp | null;
}

interface ProtoInfo { name: string; cls: string; clsB: Uint8Array; plain: boolean }

/**
 * Prototypes whose instances may be exotic or carry internal slots; an object whose prototype chain
 * has none of these (and no proxy) is snapshotted as an ordinary object without further type checks.
 * (Misclassifying an exotic object with a rewired prototype only shows fewer details: ordinary
 * treatment reads own property descriptors only, which never runs program code on a non-proxy.)
 */
const BUILTIN_PROTOS = new SetC<object>([
  Array.prototype, TypedArrayProto, Map.prototype, Set.prototype, WeakMap.prototype, WeakSet.prototype,
  Error.prototype, Date.prototype, RegExp.prototype, Promise.prototype, ArrayBuffer.prototype,
  SharedArrayBuffer.prototype, DataView.prototype, Boolean.prototype, Number.prototype, String.prototype,
  Symbol.prototype, BigInt.prototype, Function.prototype,
  getProto(function* () { /* */ }.prototype) as object, getProto(async function* () { /* */ }.prototype) as object,
]);

export const REDACTED = '{"x":"redacted"}';
export const TRUNCATED = '{"t":1}';
/** An accessor property: no value recorded (a getter is never run); SETTER_ONLY: one with no getter. */
export const ACCESSOR = '{"t":1,"a":1}';
export const SETTER_ONLY = '{"t":1,"a":2}';
/** Property-write key meaning "the object's whole contents" (protocol/values.ts isContentsKey). */
export const CONTENTS = '{"x":"contents"}';
/** Objects per encode tracked in a plain array before switching to a Set. */
const SEEN_LINEAR = 32;
/** Strings longer than this are quoted through a small memo (Snapshotter.quoteLong). */
const LONG = 256;
/** Strings longer than this (or 16 * maxString) are not read: Snapshotter.maxRead. */
const MAX_READ = 1 << 16;
/** Slots of the Date text cache (a power of two). */
const ISO_SLOTS = 256;
const NO_SYMBOLS: symbol[] = [];
const NULL_PROTO_INFO: ProtoInfo = { name: 'Object', cls: '"Object"', clsB: new Uint8Array([0x22, 0x4f, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x22]), plain: false };
const EMPTY = new Uint8Array(0);
/** Lowercase hex digits (as JSON.stringify writes \u escapes). */
const HEX = new Uint8Array([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
/** Thrown when a snapshot's text would pass MAX_OUT bytes: the whole value is then recorded as truncated. */
const OVERFLOW = { overflow: true };
const MAX_OUT = 1 << 26;
/** Snapshots shorter than this always go out in full (a SameSnapshot is ~12 bytes). */
const MIN_SAME_BYTES = 64;

/** Stable object ids + RecordedValue JSON encoding. One per recorded thread. */
export class Snapshotter {
  private ids = new WeakMapC<object, number>();
  private nextId = 1;
  /**
   * Objects already described in the current encode (a second sight is a reference): the first
   * SEEN_LINEAR in an array searched linearly (cheaper than a Set for the few objects of a usual
   * snapshot), all of them in `seen` beyond that. The array is preallocated and only overwritten,
   * so no write ever reaches a (possibly user-defined) index accessor on Array.prototype.
   */
  private seenArr: Array<object | null> = new Array<object | null>(SEEN_LINEAR).fill(null);
  private seenN = 0;
  private seenMany = false;
  private seen = new SetC<object>();
  private redactCache = new MapC<string, boolean>();
  /** Per property key: its JSON quoting as UTF-8, or null when the key is a secret (keys repeat a lot). */
  private quoted = new MapC<string, Uint8Array | null>();
  /** The last long strings quoted, and their JSON (the same long string is often seen again: a parser's input). */
  private longIn: string[] = ['', '', '', ''];
  private longOut: Uint8Array[] = [EMPTY, EMPTY, EMPTY, EMPTY];
  private longNext = 0;
  /** Per prototype: JSON-quoted class name, and whether the chain holds no builtin prototype. */
  private protoInfo = new WeakMapC<object, ProtoInfo>();

  constructor(public limits: SnapshotLimits) {}

  /** The stable id of an object or function (assigned on first sight, starting at 1). */
  idOf(o: object): number {
    let id = wmGet(this.ids, o) as number | undefined;
    if (id === undefined) { id = this.nextId++; wmSet(this.ids, o, id); }
    return id;
  }

  /** Whether a key / variable name must be redacted (cached per distinct name). */
  isSecret(name: string): boolean {
    const re = this.limits.redact;
    if (re === null) return false;
    let r = mapGet(this.redactCache, name) as boolean | undefined;
    if (r === undefined) {
      r = reExec(re, name) !== null;
      if (mapSizeOf(this.redactCache) < 10000) mapSet(this.redactCache, name, r);
    }
    return r;
  }

  /**
   * Strings longer than this are recorded as truncated ({t:1}) without reading them. Reading any
   * character of a string V8 holds as a rope (built by `s += x`) flattens it, a copy of the whole
   * string: a program growing a long string and writing it to a variable each time became
   * quadratic (papaparse's unparse: 51 s instead of 0.5 s).
   */
  get maxRead(): number { return MathMax(MAX_READ, this.limits.maxString * 16); }

  /** Truncate a string to maxString UTF-16 units (a trailing U+2026 marks the cut). */
  clip(s: string): string {
    const max = this.limits.maxString;
    if (s.length <= max) return s;
    if (s.length > this.maxRead) return '\u2026'; // never read (see maxRead)
    // Never cut a surrogate pair in half (a lone surrogate would not survive UTF-8).
    let cut = max;
    const last = strCharCodeAt(s, cut - 1) as number;
    if (last >= 0xd800 && last <= 0xdbff) cut--;
    return strSlice(s, 0, cut) + '\u2026';
  }

  /** JSON text of the RecordedValue for any value. Never throws, never runs program code. */
  /** Whether `o` is a real array (not a proxy of one): its elements can be read without running code. */
  isPlainArray(o: unknown): o is unknown[] {
    return isArray(o) && !isProxy(o);
  }

  /**
   * Whether the assignment `o[key] = v` that just ran went to a setter on the prototype chain (a
   * class's `set key`, `__proto__`): `key` is then no own property of `o` but an accessor further
   * up. Reads descriptors only; a proxy (on the object or its chain) is not asked, that would run
   * its traps. An own property (the usual case) is answered by Object.hasOwn alone.
   */
  tookSetter(o: object, key: string | symbol): boolean {
    if (isProxy(o) || hasOwn(o, key)) return false;
    for (let p = getProto(o); p !== null; p = getProto(p)) {
      if (isProxy(p)) return false;
      const d = gopd(p, key);
      if (d !== undefined) return !hasOwn(d, 'value');
    }
    return false;
  }

  /** The recorded value of element `i` of a plain array: a hole or an accessor shows as truncated. */
  element(a: unknown[], i: number): string {
    const d = gopd(a, i);
    if (d === undefined || !hasOwn(d, 'value')) return TRUNCATED;
    const v: unknown = d.value;
    if (typeof v === 'object' && v !== null) this.forgetSent(v); // its snapshot goes out other than by sent()
    return this.encode(v);
  }

  // ---- top-level snapshots sent again unchanged (protocol/values.ts SameSnapshot) ----------

  /**
   * Per object: length and two 32-bit hashes of its last top-level snapshot in the stream. Every
   * top-level object snapshot the store can see must go through sent() or forgetSent(), or a
   * SameSnapshot could name bytes that are not the object's last ones.
   */
  private sentHashes = new WeakMapC<object, Int32Array>();
  private h1 = 0;
  private h2 = 0;
  /** The length the hashes are of (-1: the last sameAsSent hashed nothing). */
  private hashed = -1;

  /**
   * Whether out[0, n) (just encoded from `o`) is byte for byte its last top-level snapshot, so
   * only its id needs to go out. Hashes the bytes for a following sent(o, n).
   */
  sameAsSent(o: object, n: number): boolean {
    const b = this.out;
    this.hashed = -1;
    // Only what the store indexes as a snapshot, and only where the id is much shorter than the bytes.
    if (n < MIN_SAME_BYTES || snapshotIdOfJson(b, 0, n) < 0) return false;
    // Four bytes at a time (snapshots run to kilobytes; hashing byte by byte was 7% of full mode).
    const w = this.out32, words = n >> 2;
    let h1 = 0x811c9dc5 | 0, h2 = n;
    for (let i = 0; i < words; i++) { const c = w[i]; h1 = imul(h1 ^ c, 16777619); h2 = (imul(h2, 31) + c) | 0; }
    for (let i = words << 2; i < n; i++) { const c = b[i]; h1 = imul(h1 ^ c, 16777619); h2 = (imul(h2, 31) + c) | 0; }
    this.h1 = h1; this.h2 = h2; this.hashed = n;
    const last = wmGet(this.sentHashes, o) as Int32Array | undefined;
    return last !== undefined && last[0] === n && last[1] === h1 && last[2] === h2;
  }

  /** out[0, n) of `o` went out in full (after sameAsSent(o, n) said it was not the same). */
  sent(o: object, n: number): void {
    if (this.hashed !== n) { this.forgetSent(o); return; }
    let last = wmGet(this.sentHashes, o) as Int32Array | undefined;
    if (last === undefined) { last = new Int32Array(3); wmSet(this.sentHashes, o, last); }
    last[0] = n; last[1] = this.h1; last[2] = this.h2;
  }

  /** `o` went out as a top-level snapshot some other way: its next one goes out in full. */
  forgetSent(o: object): void { wmDelete(this.sentHashes, o); }

  /** Events were dropped (their snapshots may be among them): every next snapshot goes out in full. */
  forgetAllSent(): void { this.sentHashes = new WeakMapC<object, Int32Array>(); }

  /** JSON text of the RecordedValue for any value. Never throws, never runs program code. */
  encode(v: unknown): string {
    const n = this.encodeTo(v);
    return utf8Decode(decoder, u8sub(this.out, 0, n)) as string;
  }

  /**
   * The same as encode(), as UTF-8 bytes in `out` [0, n); returns n. The text is written as bytes
   * while the value is walked: building it as a string (concatenations, then the flattening and
   * UTF-8 encoding of the result) was about a third of full mode's time, most of it garbage.
   */
  encodeTo(v: unknown): number {
    this.pos = 0;
    try {
      this.value(v, 0);
    } catch {
      this.pos = 0;
      this.ascii(TRUNCATED);
    } finally {
      const a = this.seenArr;
      for (let i = 0, n = this.seenN; i < n; i++) a[i] = null; // keep no program object alive
      this.seenN = 0;
      if (this.seenMany) { setClear(this.seen); this.seenMany = false; }
    }
    return this.pos;
  }

  /** Output of encodeTo (replaced when it grows: read it after the call). */
  out: Uint8Array = new U8(1 << 14);
  /** `out`'s whole words, for hashing. */
  private out32 = new I32(this.out.buffer, 0, this.out.length >> 2);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n > this.out.length) this.grow(n);
  }

  private grow(n: number): void {
    const need = this.pos + n;
    if (need > MAX_OUT) throw OVERFLOW;
    const bigger = new U8(MathMin(MathMax(need, this.out.length * 2), MAX_OUT));
    u8set(bigger, u8sub(this.out, 0, this.pos), 0);
    this.out = bigger;
    this.out32 = new I32(bigger.buffer, 0, bigger.length >> 2);
  }

  /** A string known to be ASCII (our own fragments, number texts). */
  private ascii(s: string): void {
    const len = s.length;
    this.room(len);
    const b = this.out;
    let p = this.pos;
    for (let i = 0; i < len; i++) b[p++] = strCharCodeAt(s, i) as number;
    this.pos = p;
  }

  private bytes(src: Uint8Array): void {
    const len = src.length;
    this.room(len);
    const b = this.out;
    let p = this.pos;
    if (len < 64) for (let i = 0; i < len; i++) b[p++] = src[i];
    else { u8set(b, src, p); p += len; }
    this.pos = p;
  }

  /** Any string as UTF-8. */
  private utf8(s: string): void {
    const max = s.length * 3;
    this.room(max);
    this.pos += (encodeInto(encoder, s, u8sub(this.out, this.pos, this.pos + max)) as { written: number }).written;
  }

  /**
   * JSON.stringify(s) as UTF-8, written directly: `"` and `\\` and the controls escaped as
   * JSON.stringify does (\b \f \n \r \t, else \u00xx), lone surrogates as \udxxx, everything else
   * as its UTF-8 bytes (6 bytes per unit at most).
   */
  private jstr(s: string): void {
    const len = s.length;
    this.room(len * 6 + 2);
    const b = this.out;
    let p = this.pos;
    b[p++] = 0x22;
    for (let i = 0; i < len; i++) {
      const c = strCharCodeAt(s, i) as number;
      if (c >= 0x20 && c < 0x7f) {
        if (c === 0x22 || c === 0x5c) { b[p++] = 0x5c; b[p++] = c; } else b[p++] = c;
      } else if (c < 0x20) {
        b[p++] = 0x5c;
        const e = c === 8 ? 0x62 : c === 9 ? 0x74 : c === 10 ? 0x6e : c === 12 ? 0x66 : c === 13 ? 0x72 : 0;
        if (e !== 0) b[p++] = e;
        else { b[p++] = 0x75; b[p++] = 0x30; b[p++] = 0x30; b[p++] = HEX[c >> 4]; b[p++] = HEX[c & 15]; }
      } else if (c < 0x800) {
        if (c === 0x7f) b[p++] = c;
        else { b[p++] = 0xc0 | (c >> 6); b[p++] = 0x80 | (c & 63); }
      } else if (c < 0xd800 || c > 0xdfff) {
        b[p++] = 0xe0 | (c >> 12); b[p++] = 0x80 | ((c >> 6) & 63); b[p++] = 0x80 | (c & 63);
      } else {
        const d = i + 1 < len ? strCharCodeAt(s, i + 1) as number : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          b[p++] = 0xf0 | (cp >> 18); b[p++] = 0x80 | ((cp >> 12) & 63); b[p++] = 0x80 | ((cp >> 6) & 63); b[p++] = 0x80 | (cp & 63);
          i++;
        } else {
          // A lone surrogate: JSON.stringify escapes it (well-formed JSON.stringify).
          b[p++] = 0x5c; b[p++] = 0x75;
          b[p++] = HEX[c >> 12]; b[p++] = HEX[(c >> 8) & 15]; b[p++] = HEX[(c >> 4) & 15]; b[p++] = HEX[c & 15];
        }
      }
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  /** A number's JSON (finite, not -0). */
  private num(x: number): void {
    if ((x | 0) === x && x >= 0) {
      if (x < 10) { this.room(1); this.out[this.pos++] = 0x30 + x; return; }
      if (x < 100) { this.room(2); const b = this.out, p = this.pos; b[p] = 0x30 + ((x / 10) | 0); b[p + 1] = 0x30 + (x % 10); this.pos = p + 2; return; }
    }
    this.ascii(numToString(x) as string);
  }

  private value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        if (NumberIsFinite(v) && !(v === 0 && 1 / (v as number) < 0)) { this.num(v as number); return; }
        this.ascii(v !== v ? '{"n":"NaN"}' : v === 0 ? '{"n":"-0"}' : (v as number) > 0 ? '{"n":"Infinity"}' : '{"n":"-Infinity"}');
        return;
      case 'string':
        if ((v as string).length > LONG) {
          if ((v as string).length > this.maxRead) this.ascii(TRUNCATED); else this.bytes(this.quoteLong(v as string));
        } else this.jstr(this.clip(v as string));
        return;
      case 'boolean': this.ascii(v ? 'true' : 'false'); return;
      case 'undefined': this.ascii('{"u":1}'); return;
      case 'bigint': this.ascii('{"b":'); this.jstr(this.clip(bigToString(v))); this.ascii('}'); return;
      case 'symbol': {
        const d = symDescription(v);
        this.ascii('{"y":'); this.jstr(d === undefined ? '' : this.clip(d)); this.ascii('}');
        return;
      }
      case 'function': this.func(v as AnyFn); return;
      default:
        if (v === null) { this.ascii('null'); return; }
        // The global object is `this` of every sloppy-mode plain call: a reference, never a snapshot.
        if (v === GLOBAL) { this.ascii('{"r":'); this.num(this.idOf(v as object)); this.ascii(',"c":"global"}'); return; }
        this.object(v as object, depth);
    }
  }

  private func(f: AnyFn): void {
    const id = this.idOf(f);
    let name = '';
    if (!isProxy(f)) {
      const n = ownData(f, 'name');
      if (typeof n === 'string') name = n;
    }
    this.ascii('{"f":'); this.jstr(this.clip(name)); this.ascii(',"o":'); this.num(id); this.ascii('}');
  }

  private wasSeen(o: object): boolean {
    if (this.seenMany) return setHas(this.seen, o) as boolean;
    const a = this.seenArr;
    for (let i = 0, n = this.seenN; i < n; i++) if (a[i] === o) return true;
    return false;
  }

  private markSeen(o: object): void {
    if (this.seenMany) { setAdd(this.seen, o); return; }
    const n = this.seenN;
    if (n < SEEN_LINEAR) { this.seenArr[n] = o; this.seenN = n + 1; return; }
    const a = this.seenArr;
    for (let i = 0; i < n; i++) setAdd(this.seen, a[i]);
    setAdd(this.seen, o);
    this.seenMany = true;
  }

  /** Constructor name as the program sees it, read only through data properties. */
  className(o: object): string {
    if (isProxy(o)) return 'Proxy';
    return this.info(o).name;
  }

  /** Class name (JSON-quoted) and plainness of a non-proxy object, cached per prototype. */
  private info(o: object): ProtoInfo {
    const proto = getProto(o);
    if (proto === null) return NULL_PROTO_INFO;
    let info = wmGet(this.protoInfo, proto) as ProtoInfo | undefined;
    if (info === undefined) {
      let cls = 'Object';
      let plain = true;
      if (isProxy(proto)) plain = false;
      else {
        const ctor = ownData(proto, 'constructor');
        if (typeof ctor === 'function' && !isProxy(ctor)) {
          const n = ownData(ctor, 'name');
          if (typeof n === 'string' && n !== '') cls = n;
        }
        for (let p: object | null = proto; p !== null; p = getProto(p)) {
          if (isProxy(p) || setHas(BUILTIN_PROTOS, p)) { plain = false; break; }
        }
      }
      const q = jsonStr(cls) as string;
      info = { name: cls, cls: q, clsB: utf8Encode(encoder, q) as Uint8Array, plain };
      wmSet(this.protoInfo, proto, info);
    }
    return info;
  }

  /**
   * toISOString of a valid Date whose time value is `t`, through a small direct-mapped cache by time
   * value (the same Date is described again with each call it takes part in; toISOString was the
   * largest item of describing one). The text depends on the time value only.
   */
  private isoT = new Float64Array(ISO_SLOTS).fill(NaN);
  private isoS: string[] = new Array<string>(ISO_SLOTS).fill('');
  private iso(d: object, t: number): string {
    const slot = (t % ISO_SLOTS) & (ISO_SLOTS - 1);
    if (this.isoT[slot] === t) return this.isoS[slot];
    const s = dateToISO(d) as string;
    this.isoT[slot] = t; this.isoS[slot] = s;
    return s;
  }

  /** JSON of a string value longer than LONG (clipped) as UTF-8, remembered for the next few calls. */
  private quoteLong(s: string): Uint8Array {
    const ins = this.longIn;
    for (let i = 0; i < 4; i++) if (ins[i] === s) return this.longOut[i];
    const q = utf8Encode(encoder, jsonStr(this.clip(s))) as Uint8Array;
    const at = this.longNext;
    ins[at] = s; this.longOut[at] = q;
    this.longNext = (at + 1) & 3;
    return q;
  }

  /** The JSON quoting of a property key as UTF-8, or null when it is a secret (isSecret). */
  private quoteKey(k: string): Uint8Array | null {
    let q = mapGet(this.quoted, k) as Uint8Array | null | undefined;
    if (q === undefined) {
      q = this.isSecret(k) ? null : utf8Encode(encoder, jsonStr(k)) as Uint8Array;
      if (mapSizeOf(this.quoted) < 10000) mapSet(this.quoted, k, q);
    }
    return q;
  }

  private object(o: object, depth: number): void {
    const id = this.idOf(o);
    if (isProxy(o)) {
      // Any reflective operation on a proxy (even a revoked one) would trap or throw: show it opaque.
      this.ascii('{"o":'); this.num(id); this.ascii(',"c":"Proxy","k":"proxy","p":[],"n":0}');
      return;
    }
    const info = this.info(o);
    if (depth >= this.limits.maxDepth || this.wasSeen(o)) {
      this.ascii('{"r":'); this.num(id); this.ascii(',"c":'); this.bytes(info.clsB); this.ascii('}');
      return;
    }
    this.markSeen(o);
    const maxKeys = this.limits.maxKeys;
    const d1 = depth + 1;
    let n = 0;
    let detail: string | undefined;
    let errorName: string | undefined;
    this.ascii('{"o":'); this.num(id); this.ascii(',"c":'); this.bytes(info.clsB);
    if (info.plain) {
      this.ascii(',"k":"object","p":[');
      n = this.ownProps(o, d1, true);
    } else if (isArray(o)) {
      this.ascii(',"k":"array","p":[');
      const len = ownData(o, 'length') as number;
      n = len;
      const lim = MathMin(len, maxKeys);
      let first = true;
      for (let i = 0; i < lim; i++) {
        const d = gopd(o, i);
        if (d === undefined) continue; // hole
        this.ascii(first ? '["' : ',["'); first = false;
        this.num(i); this.ascii('",');
        if (hasOwn(d, 'value')) this.value(d.value, d1); else this.ascii(TRUNCATED);
        this.ascii(']');
      }
    } else if (isTypedArray(o)) {
      this.ascii(',"k":"typedarray","p":[');
      const len = taLength(o) as number;
      n = len;
      const lim = MathMin(len, maxKeys);
      const big = isBigInt64Array(o) || isBigUint64Array(o);
      const ta = o as unknown as ArrayLike<number | bigint>;
      for (let i = 0; i < lim; i++) {
        const x = ta[i]; // integer-indexed exotic: never consults the prototype, never runs code
        this.ascii(i ? ',["' : '["'); this.num(i); this.ascii('",');
        if (big) { this.ascii('{"b":"'); this.ascii(bigToString(x)); this.ascii('"}'); } else this.value(x, d1);
        this.ascii(']');
      }
    } else if (isMap(o)) {
      this.ascii(',"k":"map","p":[');
      n = mapSize(o);
      const it = mapEntries(o);
      for (let i = 0; i < maxKeys; i++) {
        const r = MapIterNext(it) as { done: boolean; value: [unknown, unknown] };
        if (r.done) break;
        const k = r.value[0], v = r.value[1];
        const secret = typeof k === 'string' && this.isSecret(k);
        this.ascii(i ? ',[' : '['); this.value(k, d1); this.ascii(',');
        if (secret) this.ascii(REDACTED); else this.value(v, d1);
        this.ascii(']');
      }
    } else if (isSet(o)) {
      this.ascii(',"k":"set","p":[');
      n = setSize(o);
      const it = setValues(o);
      for (let i = 0; i < maxKeys; i++) {
        const r = SetIterNext(it) as { done: boolean; value: unknown };
        if (r.done) break;
        this.ascii(i ? ',[' : '['); this.num(i); this.ascii(','); this.value(r.value, d1); this.ascii(']');
      }
    } else {
      let kind: string;
      let namespace = false;
      if (isNativeError(o)) {
        kind = 'error';
        const m = ownData(o, 'message');
        detail = typeof m === 'string' ? m : '';
        errorName = this.errorName(o);
      } else if (isDate(o)) {
        kind = 'date';
        const t = dateGetTime(o) as number;
        detail = t === t ? this.iso(o, t) : 'Invalid Date';
      } else if (isRegExp(o)) {
        kind = 'regexp';
        let flags = '';
        for (const [ch, g] of reFlagGetters) if (g(o)) flags += ch;
        detail = '/' + reSource(o) + '/' + flags;
      } else if (isPromise(o)) {
        kind = 'promise';
      } else if (isModuleNamespaceObject(o)) {
        kind = 'other';
        namespace = true;
      } else if (isBoxedPrimitive(o) || isWeakMap(o) || isWeakSet(o) || isAnyArrayBuffer(o) || isDataView(o) || isGeneratorObject(o)) {
        kind = 'other';
      } else {
        kind = 'object';
      }
      this.ascii(',"k":"'); this.ascii(kind); this.ascii('","p":[');
      // A namespace object's keys go one by one (reading a binding in its TDZ throws).
      n = this.ownProps(o, d1, !namespace);
    }
    this.ascii('],"n":'); this.num(n);
    if (detail !== undefined) { this.ascii(',"d":'); this.jstr(this.clip(detail)); }
    if (errorName !== undefined && errorName !== info.name) { this.ascii(',"e":'); this.jstr(this.clip(errorName)); }
    this.ascii('}');
  }

  /**
   * The `name` Error.prototype.toString would read from error `o` (the head of its stack, which is
   * what debuggers show): the first `name` on its prototype chain, own or inherited, 'Error' when
   * there is none or it is undefined. Undefined when only code could tell (an accessor, a proxy, an
   * object value).
   */
  private errorName(o: object): string | undefined {
    for (let p: object | null = o; p !== null; p = getProto(p)) {
      if (isProxy(p)) return undefined;
      const d = gopd(p, 'name');
      if (d === undefined) continue;
      if (!hasOwn(d, 'value')) return undefined;
      const v: unknown = d.value;
      switch (typeof v) {
        case 'string': return v as string;
        case 'undefined': return 'Error';
        case 'number': return numToString(v);
        case 'boolean': return v ? 'true' : 'false';
        default: return undefined;
      }
    }
    return 'Error';
  }

  /** Own enumerable properties as JSON pairs, reading descriptors only (no getter ever runs); returns their count. */
  private ownProps(o: object, d1: number, byKeys: boolean): number {
    const maxKeys = this.limits.maxKeys;
    const bound = maxKeys * 16 + 64;
    let keys: ArrayLike<string | symbol> | undefined;
    let syms: ArrayLike<symbol> = NO_SYMBOLS;
    if (byKeys) {
      // Not a module namespace: Object.keys (V8's enum cache, ~20x cheaper than Reflect.ownKeys, which
      // was the largest single cost of full mode) filters by the enumerable attribute without
      // reading any value; the symbols follow, as in ownKeys. (Not merged into one array: an
      // element store could reach an index setter on Array.prototype.)
      const strs = objectKeys(o);
      if (strs.length <= bound) { keys = strs; syms = ownSymbols(o); }
    }
    if (keys === undefined) keys = ownKeys(o);
    const ns = keys.length;
    const nk = ns + syms.length;
    // Counting enumerable keys exactly costs one check per key; beyond a bound, report the key count.
    const scan = MathMin(nk, bound);
    let n = 0;
    let shown = 0;
    for (let i = 0; i < scan; i++) {
      const k = i < ns ? keys[i] : syms[i - ns];
      const start = this.pos;
      try {
        // A lazily formatted `stack` (errors, captureStackTrace) would run Error.prepareStackTrace
        // when its descriptor is read: check enumerability first (it is not enumerable).
        if (k === 'stack' && !propIsEnum(o, k)) continue;
        const d = gopd(o, k);
        if (d === undefined || !d.enumerable) continue;
        n++;
        if (shown >= maxKeys) continue;
        this.ascii(shown ? ',[' : '[');
        if (typeof k === 'string') {
          const key = this.quoteKey(k);
          if (key === null) { this.jstr(k); this.ascii(','); this.ascii(REDACTED); } else {
            this.bytes(key); this.ascii(',');
            if (hasOwn(d, 'value')) this.value(d.value, d1); else this.ascii(d.get === undefined ? SETTER_ONLY : ACCESSOR);
          }
        } else {
          this.value(k, d1); this.ascii(',');
          if (hasOwn(d, 'value')) this.value(d.value, d1); else this.ascii(d.get === undefined ? SETTER_ONLY : ACCESSOR);
        }
        this.ascii(']');
      } catch (e) {
        if (e === OVERFLOW) throw e;
        // e.g. a module namespace binding still in its TDZ
        this.pos = start;
        n++;
        if (shown >= maxKeys) continue;
        this.ascii(shown ? ',[' : '[');
        if (typeof k === 'string') this.jstr(k); else this.value(k, d1);
        this.ascii(','); this.ascii(TRUNCATED); this.ascii(']');
      }
      shown++;
    }
    if (scan < nk) n += nk - scan;
    return n;
  }
}
