/**
 * Child process of the parity harness's V8 side (see inspector.ts): runs one program under
 * Node's own inspector, the way vscode-js-debug drives it, and records where each step stops.
 *
 *   node harness-child.js <program.js> <breakpointLine> <steps-json> <result.json> [<rules-json>]
 *
 * The main thread only runs the program. A worker thread holds an inspector session on the
 * main thread (`connectToMainThread`), so it can pause the main thread and keep talking to V8
 * while the main thread sits in the pause loop. Order of events:
 *   1. worker: Debugger.enable, Runtime.enable, skip <node_internals> (blackbox `node:` URLs,
 *      which is how js-debug implements skipFiles), breakpoint by URL regex + line;
 *   2. worker: signals "ready" through a SharedArrayBuffer; the main thread, blocked in
 *      Atomics.wait (inspector requests are still served), wakes and `require`s the program;
 *   3. worker, on every Debugger.paused: a pause in node internals is stepped out of (or
 *      resumed); a pause a normalisation rule names (normalise.ts; none unless asked) is
 *      stepped past; otherwise it records the top frame (file, line, column, function, stack,
 *      locals), rewrites the whole result file synchronously (so the record survives the
 *      program ending at any moment), then sends the next step (stepOver/stepInto/stepOut/
 *      resume). After the last step it deactivates breakpoints and resumes: the program runs
 *      to its end.
 * The worker is unref'd: the process ends when the program does (a program that ends before
 * all steps are done simply leaves fewer stops; `done` says which).
 */
import { Session } from 'node:inspector';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Stop, Step } from './inspector';
import { followUp, MAX_FOLLOW_UPS, Normaliser, type Place, type Rule } from './normalise';

interface Args { program: string; line: number; steps: Step[]; result: string; rules: Rule[] }

/** What the result file holds. */
export interface ChildResult { stops: Stop[]; done: boolean; error?: string; skippedInternalPauses: number; internalPauses?: string[] }

interface RemoteObject { type: string; subtype?: string; className?: string; value?: unknown; unserializableValue?: string; description?: string; objectId?: string; preview?: ObjectPreview }
interface ObjectPreview { type: string; subtype?: string; description?: string; overflow: boolean; properties: PropertyPreview[] }
interface PropertyPreview { name: string; type: string; subtype?: string; value?: string }
interface PropertyDescriptor { name: string; value?: RemoteObject; get?: RemoteObject; isOwn?: boolean }
interface Scope { type: string; object: RemoteObject; name?: string }
interface CallFrame { callFrameId: string; functionName: string; location: { scriptId: string; lineNumber: number; columnNumber?: number }; url: string; scopeChain: Scope[]; this: RemoteObject; returnValue?: RemoteObject }

if (isMainThread) main();
else worker();

function main(): void {
  const [program, line, stepsJson, result, rulesJson] = process.argv.slice(2);
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const args: Args = { program, line: Number(line), steps: JSON.parse(stepsJson) as Step[], result, rules: JSON.parse(rulesJson ?? '[]') as Rule[] };
  const fail = (error: string) => { writeFileSync(result, JSON.stringify({ stops: [], done: false, error, skippedInternalPauses: 0 })); process.exit(3); };
  const w = new Worker(__filename, { workerData: { args, ready } });
  w.on('error', (err) => fail(`worker: ${err.stack ?? err}`));
  w.unref();
  // Block until the worker has the breakpoint in place (the main thread still serves the
  // worker's inspector requests while it waits), then run the program.
  if (Atomics.wait(ready, 0, 0, 10000) === 'timed-out') fail('inspector worker did not become ready');
  require(program);
}

function worker(): void {
  const { args, ready } = workerData as { args: Args; ready: Int32Array };
  const session = new Session();
  session.connectToMainThread();
  // A worker thread ends when its own event loop is empty, and pending session requests do
  // not count; this keeps it alive until the process ends (the worker is unref'd there).
  setInterval(() => undefined, 1 << 30);
  const post = <T = unknown>(method: string, params: object = {}) => new Promise<T>((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));

  const out: ChildResult = { stops: [], done: false, skippedInternalPauses: 0 };
  const save = () => writeFileSync(args.result, JSON.stringify(out));
  let next = 0;
  let finished = false;

  // Call frames name their script by id (their `url` field is deprecated and often empty).
  const urls = new Map<string, string>();
  session.on('Debugger.scriptParsed', (message: { params: { scriptId: string; url: string } }) => { urls.set(message.params.scriptId, message.params.url); });
  const urlOf = (f: CallFrame) => urls.get(f.location.scriptId) || f.url;

  session.on('Debugger.paused', (message: { params: { callFrames: CallFrame[]; reason: string } }) => {
    void onPaused(message.params.callFrames, message.params.reason).catch((err: Error) => {
      out.error = `while paused: ${err.stack ?? err.message}`;
      save();
      void post('Debugger.resume').catch(() => undefined);
    });
  });

  const normaliser = new Normaliser(args.rules);
  /** The step in progress (undefined before the breakpoint is hit) and the pauses it stepped past. */
  let current: Step | undefined;
  let skipped: Array<Place & { rule: Rule }> = [];

  const command = (step: Step) => (step === 'next' ? 'Debugger.stepOver' : step === 'stepIn' ? 'Debugger.stepInto' : step === 'stepOut' ? 'Debugger.stepOut' : 'Debugger.resume');
  const placeOf = (f: CallFrame): Place => ({ file: fileOf(urlOf(f)), line: f.location.lineNumber + 1, column: (f.location.columnNumber ?? 0) + 1, functionName: f.functionName });

  async function onPaused(frames: CallFrame[], reason: string): Promise<void> {
    const top = frames[0];
    if (finished) { await post('Debugger.resume'); return; }
    if (isInternal(urlOf(top))) {
      // skipFiles <node_internals>: never show a pause there; leave to the caller, or run on.
      out.skippedInternalPauses++;
      (out.internalPauses ??= []).push(`${reason} ${urlOf(top)}:${top.location.lineNumber + 1} ${top.functionName} <- ${frames.slice(1, 4).map((f) => `${f.functionName}@${urlOf(f)}:${f.location.lineNumber + 1}`).join(' <- ')}`);
      await post(frames.some((f) => !isInternal(urlOf(f))) ? 'Debugger.stepOut' : 'Debugger.resume');
      return;
    }
    const stack = frames.map(placeOf);
    const rule = normaliser.classify({ ...stack[0], stack });
    // A breakpoint hit (the first stop, or where `continue` arrives) is always kept.
    if (rule && current && current !== 'continue' && skipped.length < MAX_FOLLOW_UPS) {
      skipped.push({ ...stack[0], rule });
      await post(command(followUp(current)));
      return;
    }
    out.stops.push({ ...stack[0], locals: await localsOf(top), visible: await visibleOf(top), stack, ...(skipped.length ? { skipped } : {}) });
    skipped = [];
    if (next >= args.steps.length) {
      finished = true;
      out.done = true;
      save();
      await post('Debugger.setBreakpointsActive', { active: false });
      await post('Debugger.resume');
      return;
    }
    save();
    current = args.steps[next++];
    await post(command(current));
  }

  /**
   * The names VS Code's variables view shows for the top frame's own scopes: `this` (js-debug
   * adds it to the Local scope), then the `block` and `catch` scopes (innermost first) and the
   * `local` scope. Closure, script, module and global scopes are not "locals".
   */
  async function localsOf(frame: CallFrame): Promise<Record<string, string>> {
    const locals: Record<string, string> = {};
    if (frame.this) locals.this = await renderThis(frame);
    for (const scope of frame.scopeChain) {
      if (scope.type !== 'local' && scope.type !== 'block' && scope.type !== 'catch') continue;
      if (!scope.object.objectId) continue;
      const { result } = await post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true, generatePreview: true });
      for (const p of result) {
        if (p.name in locals) continue;
        locals[p.name] = !p.value ? '<value unavailable>' : p.value.type === 'function' ? `ƒ ${(await nameOf(p.value)) || 'anonymous'}` : render(p.value);
      }
      if (scope.type === 'local') break;
    }
    return locals;
  }

  /** Every name the top frame's scopes hold short of the global scope (closure, module, script scopes included). */
  async function visibleOf(frame: CallFrame): Promise<string[]> {
    const names = new Set<string>(['this']);
    for (const scope of frame.scopeChain) {
      if (scope.type === 'global' || !scope.object.objectId) continue;
      const { result } = await post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true });
      for (const p of result) names.add(p.name);
    }
    return [...names];
  }

  /** `this`, with the preview that call frames do not carry for it. */
  async function renderThis(frame: CallFrame): Promise<string> {
    if (frame.this.type !== 'object' || frame.this.subtype === 'null') return render(frame.this);
    const { result } = await post<{ result: RemoteObject }>('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'this', generatePreview: true, throwOnSideEffect: true, silent: true });
    return render(result);
  }

  /** A function's `name` property (what js-debug shows; arrow functions get theirs from the binding). */
  async function nameOf(fn: RemoteObject): Promise<string> {
    if (!fn.objectId) return functionName(fn.description ?? '');
    const { result } = await post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: fn.objectId, ownProperties: true });
    const name = result.find((p) => p.name === 'name')?.value?.value;
    return typeof name === 'string' ? name : functionName(fn.description ?? '');
  }

  void (async () => {
    try {
      await post('Debugger.enable');
      await post('Runtime.enable');
      await post('Debugger.setBlackboxPatterns', { patterns: ['^node:'] });
      await post('Debugger.setBreakpointByUrl', { urlRegex: `${escapeRegex(basename(args.program))}$`, lineNumber: args.line - 1 });
    } catch (err) {
      out.error = `setup: ${(err as Error).message}`;
      save();
    }
    save();
    Atomics.store(ready, 0, 1);
    Atomics.notify(ready, 0);
  })();
}

const isInternal = (url: string) => url === '' || url.startsWith('node:');
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const fileOf = (url: string) => (url.startsWith('file:') ? fileURLToPath(url) : url);

/**
 * A value as VS Code's variables view shows it, simplified (the same rules as ElixirScope's
 * renderer, adapter/engine/render.ts, so that equal values read equal):
 *   numbers, booleans plain; strings in double quotes; undefined; null; bigint `1n`;
 *   functions `ƒ name`; arrays `(3) [1, 2, 3]`; plain objects `{a: 1, b: "x"}`; instances of a
 *   class `ClassName {a: 1}`; Map/Set `Map(1) {"k" => 1}` / `Set(2) {1, 2}`; errors
 *   `TypeError: message`; a nested object inside a preview is `{…}`, `Array(n)` or its class name.
 *   V8's preview is cut after a few properties; the cut shows as `, …`.
 */
function render(v: RemoteObject): string {
  switch (v.type) {
    case 'undefined': return 'undefined';
    case 'number': return v.unserializableValue ?? String(v.value);
    case 'boolean': return String(v.value);
    case 'string': return JSON.stringify(v.value);
    case 'bigint': return v.unserializableValue ?? String(v.description);
    case 'symbol': return v.description ?? 'Symbol()';
    case 'function': return `ƒ ${functionName(v.description ?? '') || 'anonymous'}`;
  }
  if (v.subtype === 'null') return 'null';
  if (v.subtype === 'error') return (v.description ?? '').split('\n')[0];
  if (v.subtype === 'regexp' || v.subtype === 'date') return v.description ?? '';
  const p = v.preview;
  if (!p) return v.description ?? v.className ?? 'Object';
  const more = p.overflow ? ', …' : '';
  if (v.subtype === 'array' || v.subtype === 'typedarray') return arrayPreview(v, p);
  const items = p.properties.map((q) => `${key(q.name)}: ${nested(q)}`).join(', ');
  if (v.subtype === 'map' || v.subtype === 'set') {
    const entries = (p as ObjectPreview & { entries?: Array<{ key?: ObjectPreview; value: ObjectPreview }> }).entries ?? [];
    const one = (e: ObjectPreview) => (e.type === 'string' ? JSON.stringify(e.description ?? '') : e.type === 'object' ? (e.subtype === 'array' ? e.description ?? 'Array' : '{…}') : e.description ?? '');
    const list = entries.map((e) => (e.key ? `${one(e.key)} => ${one(e.value)}` : one(e.value))).join(', ');
    return `${v.description} {${list}${more}}`;
  }
  return `${v.className === 'Object' ? '' : `${v.className} `}{${items}${more}}`;
}

/**
 * An array as vscode-js-debug renders V8's preview: elements in index order, `…` for a run of
 * holes or the rest past the preview, then the other properties by name (a typed array's preview
 * has only its elements); a typed array is named by its class.
 */
function arrayPreview(v: RemoteObject, p: ObjectPreview): string {
  const n = Number(/\((\d+)\)/.exec(v.description ?? '')?.[1] ?? p.properties.length);
  const isIndex = (name: string) => /^(0|[1-9]\d*)$/.test(name);
  const parts: string[] = [];
  let last = -1;
  for (const q of p.properties) {
    if (!isIndex(q.name)) continue;
    if (Number(q.name) > last + 1) parts.push('…');
    last = Number(q.name);
    parts.push(nested(q));
  }
  if (n > last + 1) parts.push('…');
  if (v.subtype === 'array') for (const q of p.properties) if (!isIndex(q.name)) parts.push(`${key(q.name)}: ${nested(q)}`);
  return `${v.subtype === 'array' ? '' : v.className ?? ''}(${n}) [${parts.join(', ')}]`;
}

function nested(q: PropertyPreview): string {
  switch (q.type) {
    case 'accessor': return '<accessor>'; // as vscode-js-debug renders an accessor's preview (it has no value)
    case 'string': return JSON.stringify(q.value ?? '');
    case 'function': return 'ƒ';
    case 'object':
      if (q.subtype === 'null') return 'null';
      if (q.subtype === 'array') return q.value ?? 'Array';
      return q.value === 'Object' ? '{…}' : q.value ?? '{…}';
    default: return q.value ?? '';
  }
}

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

/** The name of a function from V8's description (its source text). */
function functionName(description: string): string {
  const m = /^(?:async\s+)?(?:function\s*\*?\s*([\w$]+)|class\s+([\w$]+)|([\w$]+)\s*\()/.exec(description);
  return m ? m[1] ?? m[2] ?? m[3] : '';
}
