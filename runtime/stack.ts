/**
 * error.stack text as plain Node prints it for instrumented code.
 *
 * Instrumented files are compiled with an inline source map and Node's source maps are on (the
 * uncaught-exception source line needs them). But Node's source-map stack formatter writes frames
 * its own way, not V8's: `at <anonymous> (file:l:c)` where V8 writes `at file:l:c`, `Object.get g`
 * for `get g [as g]`, `Function.s` for `C.s`, `C.#p` for `#p`, eval origins unmapped. So the
 * default `Error.prepareStackTrace` (Node >= 20 exposes it as a writable function,
 * ErrorPrepareStackTrace) is replaced by a stand-in with the same name, length and source text
 * that writes each frame as V8 does (CallSite.prototype.toString) with the position — and the
 * positions in eval origins — mapped back to the original file when the frame is in an
 * instrumented file. Traces without instrumented frames go to Node's own function untouched.
 *
 * Not covered: a program that sets Error.prepareStackTrace to a non-function (Node's formatter
 * then runs, with its naming), and a program's own prepareStackTrace, which receives V8's
 * CallSites with instrumented positions (their methods are non-writable, non-configurable: they
 * cannot be mapped in place).
 */
import Module from 'node:module';
import { fileURLToPath } from 'node:url';

interface Entry { originalLine?: number; originalColumn?: number; originalSource?: string }
interface SourceMapLike { findEntry(line: number, column: number): Entry }
type CallSite = NodeJS.CallSite;

const AT = '\n    at ';

/**
 * Install the stand-in. `isInstrumented(path)` says whether a file (absolute path) was loaded
 * instrumented; `preset(fn, text)` makes Function.prototype.toString answer `text` for `fn`.
 * `loaderFrame`: the frame of our require hook (file, function name) is shown as `text`, the frame
 * of Node's own `.js` handler, which it stands in for.
 */
export function installStackFormatting(isInstrumented: (file: string) => boolean, preset?: (fn: object, text: string) => void,
  loaderFrame?: { file: string; name: string; text: string }, ownFile?: string): void {
  const E = Error;
  const d = Object.getOwnPropertyDescriptor(E, 'prepareStackTrace');
  if (!d || typeof d.value !== 'function' || !d.writable || !d.configurable) return;
  const orig = d.value as (error: unknown, trace: unknown[]) => unknown;
  const findSourceMap = (Module as unknown as { findSourceMap?: (p: string) => SourceMapLike | undefined }).findSourceMap;
  if (typeof findSourceMap !== 'function') return;
  // V8's CallSite methods, taken once (the program may replace nothing here, but stay safe).
  let proto: Record<string, (this: CallSite) => unknown> | undefined;
  try {
    E.prepareStackTrace = (_e: unknown, cs: CallSite[]) => cs;
    const cs = (new E() as unknown as { stack: CallSite[] }).stack;
    proto = Object.getPrototypeOf(cs[0]) as Record<string, (this: CallSite) => unknown>;
  } catch { proto = undefined; } finally { E.prepareStackTrace = orig; }
  if (!proto) return;
  const apply = Reflect.apply;
  const csToString = proto.toString!;
  const csFile = proto.getFileName!;
  const csLine = proto.getLineNumber!;
  const csCol = proto.getColumnNumber!;
  const csIsEval = proto.isEval!;
  const csEvalOrigin = proto.getEvalOrigin!;
  const csScriptName = proto.getScriptNameOrSourceURL!;
  const csFunction = proto.getFunctionName!;
  const isArray = Array.isArray;
  const endsWith = String.prototype.endsWith;
  const startsWith = String.prototype.startsWith;
  const sliceS = String.prototype.slice;
  const indexOf = String.prototype.indexOf;
  const replaceS = String.prototype.replace;

  const known = new Map<string, boolean>();
  const instrumented = (file: unknown): boolean => {
    if (typeof file !== 'string' || file === '') return false;
    let k = known.get(file);
    if (k === undefined) {
      let p = file;
      try { if (apply(startsWith, file, ['file:'])) p = fileURLToPath(file); } catch { p = ''; }
      k = p !== '' && isInstrumented(p);
      known.set(file, k);
    }
    return k;
  };
  /** Original [line, column] (1-based) of an instrumented position, or undefined. */
  const mapPos = (file: string, line: number, col: number): [number, number] | undefined => {
    const sm = findSourceMap(file);
    if (!sm) return undefined;
    const e = sm.findEntry(line - 1, col - 1);
    if (!e || typeof e.originalLine !== 'number' || typeof e.originalColumn !== 'number') return undefined;
    return [e.originalLine + 1, e.originalColumn + 1];
  };
  /** `(file:l:c)` groups of an eval origin, mapped where the file is instrumented. */
  const mapOrigin = (origin: string): string => apply(replaceS, origin, [/\(([^()]*):(\d+):(\d+)\)/g,
    (all: string, file: string, l: string, c: string): string => {
      if (!instrumented(file)) return all;
      const m = mapPos(file, Number(l), Number(c));
      return m ? `(${file}:${m[0]}:${m[1]})` : all;
    }]) as string;

  const frameText = (cs: CallSite): string => {
    let s: string;
    try { s = apply(csToString, cs, []) as string; } catch { return `${cs as unknown}`; }
    try {
      const file = apply(csFile, cs, []);
      // Our require hook compiling an instrumented file, where Node's own `.js` handler would: show Node's frame.
      if (loaderFrame && isHook(cs)) return loaderFrame.text;
      if (instrumented(file)) {
        const l = apply(csLine, cs, []) as number | null;
        const c = apply(csCol, cs, []) as number | null;
        const name = apply(csScriptName, cs, []);
        if (typeof l === 'number' && typeof c === 'number' && typeof name === 'string') {
          const m = mapPos(file as string, l, c);
          const loc = `${name}:${l}:${c}`;
          if (m) {
            const to = `${name}:${m[0]}:${m[1]}`;
            if (apply(endsWith, s, [loc + ')'])) s = (apply(sliceS, s, [0, s.length - loc.length - 1]) as string) + to + ')';
            else if (apply(endsWith, s, [loc])) s = (apply(sliceS, s, [0, s.length - loc.length]) as string) + to;
          }
        }
      }
      if (apply(csIsEval, cs, [])) {
        const o = apply(csEvalOrigin, cs, []);
        if (typeof o === 'string') {
          const o2 = mapOrigin(o);
          const at = o2 === o ? -1 : apply(indexOf, s, [o]) as number;
          if (at >= 0) s = (apply(sliceS, s, [0, at]) as string) + o2 + (apply(sliceS, s, [at + o.length]) as string);
        }
      }
    } catch { /* the native text */ }
    return s;
  };
  const nativeText = (cs: unknown): string | undefined => {
    try { return apply(csToString, cs, []) as string; } catch { return undefined; }
  };
  const isHook = (cs: unknown): boolean => {
    try { return !!loaderFrame && apply(csFile, cs, []) === loaderFrame.file && apply(csFunction, cs, []) === loaderFrame.name; } catch { return false; }
  };
  /** A frame of the runtime's own (its process.emit wrapper under a listener): not in the program's stack. */
  const isOwn = (cs: unknown): boolean => {
    try { return ownFile !== undefined && apply(csFile, cs, []) === ownFile && !isHook(cs); } catch { return false; }
  };
  const needsUs = (cs: unknown): boolean => {
    try {
      const file = apply(csFile, cs, []);
      if (isHook(cs) || isOwn(cs)) return true;
      if (instrumented(file)) return true;
      if (apply(csIsEval, cs, [])) { const o = apply(csEvalOrigin, cs, []); return typeof o === 'string' && mapOrigin(o) !== o; }
    } catch { /* not a CallSite */ }
    return false;
  };

  // A plain function like Node's (same name and length, a prototype, constructible).
  const fn = function ErrorPrepareStackTrace(this: unknown, error: unknown, trace: unknown[]): unknown {
    let ours = false;
    if (isArray(trace)) for (let i = 0; i < trace.length && !ours; i++) ours = needsUs(trace[i]);
    if (!ours) return apply(orig, this, [error, trace]);
    // Node's own header: `Name: message`, or `Name [CODE]: message` for Node's errors.
    let out = apply(orig, this, [error, []]) as string;
    for (let i = 0; i < trace.length; i++) {
      // Our require hook handing a file to Node's own handler: that frame (just above) is Node's already.
      if (loaderFrame && i > 0 && isHook(trace[i]) && nativeText(trace[i - 1]) === loaderFrame.text) continue;
      if (isOwn(trace[i])) continue;
      out += AT + frameText(trace[i] as CallSite);
    }
    return out;
  };
  try { preset?.(fn, Function.prototype.toString.call(orig)); } catch { /* keeps its own text */ }
  Object.defineProperty(E, 'prepareStackTrace', { value: fn, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable });
}

/** The frame Node's `.js` extension handler shows while loading the current module (we are loaded through it by `-r`). */
export function nodeJsLoaderFrame(): string | undefined {
  const E = Error;
  const d = Object.getOwnPropertyDescriptor(E, 'prepareStackTrace');
  const lim = E.stackTraceLimit;
  try {
    E.stackTraceLimit = 50;
    E.prepareStackTrace = (_e: unknown, cs: CallSite[]) => cs;
    const cs = (new E() as unknown as { stack: CallSite[] }).stack;
    for (const c of cs) {
      const t = String(c);
      if (c.getFileName()?.startsWith('node:internal/modules/cjs/') && /^Module\._extensions\.\.js /.test(t)) return t;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (d) Object.defineProperty(E, 'prepareStackTrace', d); else delete (E as { prepareStackTrace?: unknown }).prepareStackTrace;
    E.stackTraceLimit = lim;
  }
}
