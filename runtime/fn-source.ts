/**
 * Function.prototype.toString as plain Node would answer it: instrumented functions and classes
 * show the source text plain Node runs (the original JavaScript, or the TypeScript transpiled
 * without instrumentation), everything else the native result.
 *
 * The instrumenter puts `/*@es:K*\/` right before and `/*@ee:*\/` right after every function and
 * class of its output and stores, per marker K, the plain text span in the file's site table
 * (FileSiteTable.plain). V8's native text of an instrumented function is the slice of the
 * instrumented file between such markers (after `export`/`default`/`static`): we look it up among
 * the files loaded so far.
 */
import { readFileSync } from 'node:fs';
import type { BuildEntry, FileSiteTable } from '../protocol/sites';

/** Candidates are indexed by the first LONG characters of their text, and by the first SHORT (texts shorter than LONG). */
const LONG = 48;
const SHORT = 6;
const V8_SKIPPED = /^(?:export|default|static|declare|abstract|public|private|protected|override|readonly|accessor)\s+(?![\s(=;:<!?,)}])/;

function v8Start(text: string, pos: number): number {
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    const m = V8_SKIPPED.exec(text.slice(pos, pos + 40));
    if (!m) return pos;
    pos += m[0].length;
  }
}

/** The instrumenter writes ` /*@ee:*\/` right after every marked function or class. */
function endsAt(code: string, at: number): boolean {
  while (at < code.length && (code[at] === ' ' || code[at] === '\n' || code[at] === '\r' || code[at] === '\t')) at++;
  return code.startsWith('/*@ee:*/', at);
}

interface Candidate { code: string; pos: number; plain: string; start: number; end: number }

/** Texts fixed in advance for some of our own functions (a stand-in shows the text of what it replaces). */
const presets = new WeakMap<object, string>();

export function presetSourceText(fn: object, text: string): void {
  presets.set(fn, text);
}

/**
 * Replace Function.prototype.toString (indistinguishable from the native one: name, length,
 * descriptor, not a constructor, its own source text, its TypeError). Returns the callback the
 * `file()` hook calls when an instrumented file registers.
 */
export function installFunctionToString(entryOf: (file: string) => BuildEntry | undefined): (hash: string, file: string) => void {
  const FP = Function.prototype;
  const d = Object.getOwnPropertyDescriptor(FP, 'toString');
  if (!d || typeof d.value !== 'function' || !d.configurable) return () => undefined;
  const native = d.value as (this: unknown) => string;
  const apply = Reflect.apply;
  const mapGet = Map.prototype.get;
  const weakGet = WeakMap.prototype.get;
  const weakSet = WeakMap.prototype.set;
  const startsWith = String.prototype.startsWith;
  const slice = String.prototype.slice;
  const pending: Array<[string, string]> = [];
  const long = new Map<string, Candidate[]>();
  const short = new Map<string, Candidate[]>();
  const all: Candidate[] = [];
  const add = (m: Map<string, Candidate[]>, key: string, c: Candidate): void => {
    const list = m.get(key);
    if (list) list.push(c); else m.set(key, [c]);
  };
  const cache = new WeakMap<object, string>();

  const indexFile = (hash: string, file: string): void => {
    try {
      const e = entryOf(file);
      if (!e || e.hash !== hash) return;
      const table = JSON.parse(readFileSync(e.sites, 'utf8')) as FileSiteTable;
      const plain = table.plain;
      if (!plain || typeof plain.text !== 'string' || !Array.isArray(plain.spans)) return;
      const code = readFileSync(e.out, 'utf8');
      const re = /\/\*@es:(\d+)\*\//g;
      for (let m = re.exec(code); m; m = re.exec(code)) {
        const k = Number(m[1]);
        const start = plain.spans[2 * k];
        const end = plain.spans[2 * k + 1];
        if (typeof start !== 'number' || typeof end !== 'number' || start < 0 || end < start) continue;
        const pos = v8Start(code, m.index + m[0].length);
        const c: Candidate = { code, pos, plain: plain.text, start, end };
        add(long, code.slice(pos, pos + LONG), c);
        add(short, code.slice(pos, pos + SHORT), c);
        all.push(c);
      }
    } catch { /* that file keeps its native text */ }
  };

  const lookup = (text: string): string => {
    while (pending.length > 0) { const [h, f] = pending.shift()!; indexFile(h, f); }
    if (all.length === 0) return text;
    const n = text.length;
    const list = n >= LONG ? apply(mapGet, long, [apply(slice, text, [0, LONG])]) as Candidate[] | undefined
      : n >= SHORT ? apply(mapGet, short, [apply(slice, text, [0, SHORT])]) as Candidate[] | undefined
        : all;
    if (list) {
      for (const c of list) {
        if (apply(startsWith, c.code, [text, c.pos]) && endsAt(c.code, c.pos + n)) return apply(slice, c.plain, [c.start, c.end]) as string;
      }
    }
    return text;
  };

  const replacement = {
    toString(this: unknown): string {
      if (this === replacement) return apply(native, native, []) as string;
      const text = apply(native, this, []) as string; // the native TypeError for non-functions
      const preset = apply(weakGet, presets, [this]) as string | undefined;
      if (preset !== undefined) return preset;
      const known = apply(weakGet, cache, [this]) as string | undefined;
      if (known !== undefined) return known;
      let r = text;
      try { r = lookup(text); } catch { r = text; }
      apply(weakSet, cache, [this, r]);
      return r;
    },
  }.toString;

  Object.defineProperty(FP, 'toString', { value: replacement, writable: d.writable, enumerable: d.enumerable, configurable: true });
  return (hash: string, file: string): void => { pending.push([hash, file]); };
}
