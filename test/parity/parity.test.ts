/**
 * Parity: the same program, the same breakpoint and the same steps, under Node's own inspector
 * (what vscode-js-debug drives) and under ElixirScope (recorded, then stepped over DAP). The
 * sequence of stop lines must be the same, and so must the value of every local both show.
 *
 * Deliberate differences between the two are explicit, named normalisations (normalise.ts):
 *   V8 side:          v8-function-end, v8-loop-head-revisit, v8-same-statement, return-to-caller
 *   ElixirScope side: return-to-caller
 * Each makes its driver step on past such a pause; the pauses stepped past are kept on the next
 * stop (`skipped`) and printed with any failure. Locals are compared by name for the names both
 * sides show (V8 also shows `exports`, `require`, ...; ElixirScope also shows declared names
 * before their scope is entered, and closure variables a frame wrote). Everything else that
 * differs fails: those failures are what this suite is for.
 *
 * (A locals check compares only the stops before the lines first differ.)
 *
 * PARITY_REPORT=1 prints both sides of every sequence, stop by stop.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { runUnderInspectorDetailed, type InspectorRun, type Step, type Stop } from './inspector';
import { runUnderElixirScopeDetailed, type ElixirScopeRun } from './elixirscope';
import { ELIXIRSCOPE_RULES, V8_RULES } from './normalise';
import { lineOf } from '../helpers/example';
import { packageRoot } from '../../adapter/targets/paths';

const PROGRAMS = realpathSync(join(packageRoot(), 'test', 'parity', 'programs'));

const times = (n: number, step: Step): Step[] => Array<Step>(n).fill(step);

interface Sequence { name: string; at: string; steps: Step[] }
interface Case { program: string; about: string; sequences: Sequence[] }

const CASES: Case[] = [
  {
    program: 'loops.js', about: 'for loops (nested), a while loop, a do-while loop',
    sequences: [
      { name: 'next through a for loop and out of the function', at: 'let total = 0;', steps: times(12, 'next') },
      { name: 'stepIn/next/stepOut through both functions and the while loop', at: 'const a = sumTo(3);', steps: ['stepIn', 'next', 'next', 'stepOut', 'next', 'stepIn', 'next', 'next', 'next', 'stepOut', 'next', 'next', 'next', 'next', 'next', 'next'] },
      // V8 has no break position at 'do {': neither may ElixirScope stop there.
      { name: 'next through a do-while loop', at: 'let count = 0;', steps: times(8, 'next') },
    ],
  },
  {
    program: 'calls.js', about: 'nested calls feeding expressions',
    sequences: [
      { name: 'stepIn all the way down and back', at: 'const first = hypotenuseSquared(point);', steps: times(16, 'stepIn') },
      // The last stepOut leaves sumOfSquares(1, 2) for a statement with another call still to make.
      { name: 'stepIn then stepOut at each level', at: 'const first = hypotenuseSquared(point);', steps: ['stepIn', 'stepIn', 'stepIn', 'stepOut', 'next', 'stepIn', 'stepOut', 'stepIn', 'next', 'stepOut', 'next'] },
    ],
  },
  {
    program: 'classes.js', about: 'a class: constructor, methods calling methods, a static method',
    sequences: [
      { name: 'next over the module', at: "const bob = new Account('bob', 5);", steps: times(5, 'next') },
      { name: 'stepIn through constructor and methods', at: "const bob = new Account('bob', 5);", steps: times(20, 'stepIn') },
    ],
  },
  {
    program: 'closures.js', about: 'a closure over a counter, arrow callbacks through map/reduce',
    sequences: [
      { name: 'stepIn into the closure and the callbacks', at: 'const counter = makeCounter(10);', steps: times(20, 'stepIn') },
      // A known gap (NATIVE_CALLER below): V8 steps out of a callback into its next invocation by map.
      { name: 'stepOut of a map callback', at: 'const twice = n * 2;', steps: ['next', 'stepOut', 'next', 'next', 'next'] },
    ],
  },
  {
    program: 'errors.js', about: 'try/catch/finally, a throw two frames down',
    sequences: [
      // V8 has no break position at 'try {': neither may ElixirScope stop there.
      { name: 'next over the try statement', at: 'let cleaned = false;', steps: times(6, 'next') },
      { name: 'into the throw and on to catch and finally', at: "outcome = 'parsing';", steps: ['next', 'stepIn', 'next', 'next', 'stepIn', 'next', 'next', 'next', 'next', 'stepIn', 'next', 'next', 'next', 'next'] },
    ],
  },
  {
    program: 'previews.js', about: 'one-line previews: array holes and named properties, functions and accessors in objects, a date, a typed array',
    sequences: [{ name: 'next over the module', at: 'const holes = [1, , 3];', steps: times(12, 'next') }],
  },
  {
    program: 'recursion.js', about: 'recursion, an if / else-if chain',
    sequences: [
      { name: 'stepIn down the recursion and up again', at: 'const f = factorial(4);', steps: times(14, 'stepIn') },
      { name: 'stepOut from the base case, level by level', at: 'return 1;', steps: ['stepOut', 'next', 'stepOut', 'stepOut', 'next', 'next', 'next', 'stepIn', 'next', 'next', 'next'] },
      { name: 'continue between hits of a breakpoint in the if chain', at: 'return kind;', steps: times(5, 'continue') },
    ],
  },
  {
    program: 'blocks.js', about: 'let/const in for loops and blocks, a hoisted helper, switch, a labelled loop',
    sequences: [
      { name: 'next through block-scoped loops and a block', at: 'const parts = [];', steps: times(12, 'next') },
      { name: 'stepIn into the hoisted helper and its switch', at: 'parts.push(label(v));', steps: times(10, 'stepIn') },
      { name: 'next through a labelled break out of nested loops', at: 'let found = null;', steps: times(10, 'next') },
      { name: 'next through a module-level for-of block', at: "for (const word of ['x', 'y']) {", steps: times(6, 'next') },
    ],
  },
  {
    program: 'destructuring.js', about: 'destructuring, default parameters, optional chaining, templates, Map/Set',
    sequences: [
      { name: 'next over the module', at: "const user = { name: 'Ada', profile: { city: 'London' } };", steps: times(8, 'next') },
      { name: 'stepIn into destructured and default parameters', at: "const line = greet(user, ['a', 'b', 'c']);", steps: times(8, 'stepIn') },
      { name: 'stepIn into a Map/Set tally', at: 'const { counts, size } = tally(', steps: times(12, 'stepIn') },
    ],
  },
  {
    program: 'inheritance.js', about: 'classes with extends and super, a getter and a setter, a static field',
    sequences: [
      { name: 'next over the module', at: 'const r = new Rect(2, 3);', steps: times(4, 'next') },
      { name: 'stepIn through constructors, super and the setter', at: 'const r = new Rect(2, 3);', steps: times(16, 'stepIn') },
      { name: 'stepIn through overridden methods and a getter', at: 'const lines = [r.describe(), s.describe()];', steps: times(20, 'stepIn') },
    ],
  },
  {
    program: 'async.js', about: 'async/await across functions, a generator',
    sequences: [
      { name: 'next over awaits in a loop', at: 'const users = [];', steps: times(8, 'next') },
      { name: 'stepIn into an async function and over its await', at: 'const user = await fetchUser(id);', steps: ['stepIn', 'next', 'next', 'next', 'next', 'next'] },
      { name: 'stepIn into a generator', at: 'const seen = [];', steps: times(14, 'stepIn') },
    ],
  },
  {
    program: 'callbacks.js', about: 'callbacks called by forEach, filter, reduce, sort',
    sequences: [
      { name: 'stepIn through the forEach callback', at: 'words.forEach((w) => {', steps: times(12, 'stepIn') },
      { name: 'stepOut of a forEach callback', at: 'scores.push(s);', steps: ['stepOut', 'next', 'stepOut', 'next', 'next'] },
      { name: 'stepOut of a reduce callback', at: 'const next = sum + s;', steps: ['stepOut', 'stepOut', 'next'] },
      { name: 'next over the module', at: 'const words = ', steps: times(6, 'next') },
    ],
  },
  {
    program: 'setters.js', about: 'setters of a class, inherited, of an object literal and of a prototype object; Error subclasses with and without a name',
    sequences: [
      { name: 'next over the module', at: 'const t = new Temperature(10);', steps: times(11, 'next') },
      { name: 'stepIn through the setters', at: 't.fahrenheit = 212;', steps: times(15, 'stepIn') },
      { name: 'stepIn through the error constructors', at: "const missing = new NotFound('user');", steps: times(7, 'stepIn') },
    ],
  },
  {
    program: 'generators.js', about: 'generators driven by next() and by for await, a generator left suspended',
    sequences: [
      { name: 'next from a yield to where the generator resumes', at: 'yield n;', steps: times(6, 'next') },
      { name: 'stepIn from a yield to where the generator resumes', at: 'yield n;', steps: times(7, 'stepIn') },
      { name: 'stepOut at a yield', at: 'yield n;', steps: ['stepOut', 'stepIn', 'stepIn'] },
      { name: 'next from a yield of an async generator', at: 'yield i;', steps: times(4, 'next') },
      { name: 'next from a yield the generator is never resumed from', at: "yield 'first';", steps: times(2, 'next') },
    ],
  },
  {
    program: 'rethrow.js', about: 'an error thrown two frames down, wrapped and rethrown by a catch, a finally on the way out',
    sequences: [
      { name: 'next from the throw to the catch and the finally', at: "throw new Error('no id');", steps: times(3, 'next') },
      { name: 'stepIn from the throw to the catch and the finally', at: "throw new Error('no id');", steps: times(3, 'stepIn') },
      { name: 'next on out of the finally', at: "throw new Error('no id');", steps: times(5, 'next') },
    ],
  },
  {
    program: 'throws.js', about: 'an error thrown three frames down, rethrown, finally on the way out',
    sequences: [
      { name: 'stepIn down to the throw', at: 'result = importAll([{ id: 1 }, {}]);', steps: times(16, 'stepIn') },
      { name: 'next from the throw', at: "throw new ValidationError('id');", steps: times(6, 'next') },
    ],
  },
];

const REPORT = !!process.env.PARITY_REPORT;

// Differences this harness found that are not fixed yet, each named with its cause. Skipped (so
// they show in the skipped count), not loosened: remove an entry when its cause is fixed.
const NATIVE_CALLER = 'stepping out of a callback that a built-in (map, forEach, reduce) called stops at the caller\'s return point; V8 returns into the built-in, which is not JavaScript it can pause in, and goes on into the callback\'s next invocation (in map and reduce at its first statement; in forEach inside `score`, the first function that invocation calls). The recording cannot tell the two apart: `arr.map(cb)` and `f(a) + f(b)` both show a Call with the same parent right after the previous Exit. It needs a marker from the instrumented caller when a call returns to it (none after an Exit means native code called on)';
const V8_LOST_STEP = 'V8 loses a step that waits for a frame which never runs again: from a `yield` it waits for that generator to resume (if it never is, the program runs on); over an exception, when the first frame up the stack with a handler is not the one that catches it: a for...of loop\'s iterator-closing handler (here in validate) or a finally block rethrows, which V8 does not report as a throw, so its one-shot breaks sit in a frame that never runs again and the program runs on (here to the finally, which throws anew; then to the end). ElixirScope stops in the catch block that takes the exception, as V8 does when no such frame is in between (errors.js, rethrow.js)';
const ASYNC_GENERATOR_LOOP = 'resumed at a `yield` inside a for loop of an async generator, V8 pauses at the loop\'s update `i++`, which the harness\'s v8-loop-head-revisit rule does not recognise: the resumed frame runs on a new stack (a microtask), so the rule cannot tell it is the frame of the previous pause; and when the async generator then completes, V8 loses the step (the program runs to its end) where ElixirScope goes on to the for await loop';
const GENERATOR_OBJECT = 'a generator object reads as `{}`; V8 shows its function\'s name and internal state, `countdown {[[GeneratorState]]: "suspended"}`, which the runtime cannot read without running code';
const ERROR_STACK_OBSERVED = 'V8 describes an error by its stack, whose first line is formatted when something first reads it: the inspector did so in the constructor, before `this.name = \'Conflict\'` ran, so V8 goes on showing `Error: order exists`; ElixirScope shows `name: message` as they are (`Conflict: order exists`), as V8 does when the error was not looked at before (the "next over the module" sequence)';
const V8_RETURN_SCOPE = 'V8 pauses at `return quoted;` only at its return position (after the expression), where its scope chain no longer lists the block\'s `quoted`; ElixirScope stops at the statement, inside the block';
const KNOWN_GAPS: Record<string, string> = {
  'closures.js|stepOut of a map callback|lines': NATIVE_CALLER,
  'callbacks.js|stepOut of a forEach callback|lines': NATIVE_CALLER,
  'callbacks.js|stepOut of a reduce callback|lines': NATIVE_CALLER,
  'blocks.js|stepIn into the hoisted helper and its switch|scope': V8_RETURN_SCOPE,
  'async.js|stepIn into a generator|locals': GENERATOR_OBJECT,
  'setters.js|stepIn through the error constructors|locals': ERROR_STACK_OBSERVED,
  'generators.js|next from a yield to where the generator resumes|locals': GENERATOR_OBJECT,
  'generators.js|stepIn from a yield to where the generator resumes|locals': GENERATOR_OBJECT,
  'generators.js|stepOut at a yield|locals': GENERATOR_OBJECT,
  'generators.js|next from a yield of an async generator|lines': ASYNC_GENERATOR_LOOP,
  'generators.js|next from a yield the generator is never resumed from|lines': V8_LOST_STEP,
  'rethrow.js|next on out of the finally|lines': V8_LOST_STEP,
  'throws.js|stepIn down to the throw|lines': V8_LOST_STEP,
  'throws.js|next from the throw|lines': V8_LOST_STEP,
};
const check = (program: string, sequence: string, what: 'lines' | 'locals' | 'scope', title: string, fn: () => void) => {
  const gap = KNOWN_GAPS[`${program}|${sequence}|${what}`];
  (gap ? it.skip : it)(gap ? `${title} (known gap: ${gap})` : title, fn);
};

describe('parity with Node\'s inspector: stop lines and locals', function () {
  this.timeout(120000);

  for (const c of CASES) {
    describe(`${c.program}: ${c.about}`, () => {
      const program = join(PROGRAMS, c.program);
      for (const seq of c.sequences) {
        describe(seq.name, () => {
          let v8: InspectorRun;
          let es: ElixirScopeRun;
          before(async () => {
            const line = lineOf(program, seq.at);
            v8 = await runUnderInspectorDetailed(program, line, seq.steps, V8_RULES);
            es = await runUnderElixirScopeDetailed(program, line, seq.steps, ELIXIRSCOPE_RULES);
            if (REPORT) console.log(`\n${c.program} — ${seq.name} (breakpoint line ${line}; steps ${seq.steps.join(' ')})\n${table(seq.steps, v8, es, true)}`);
          });

          check(c.program, seq.name, 'lines', 'stops at the same lines', () => {
            // After the normalisations each step is one stop on both sides, so the sequences are
            // compared whole: one side ending (the program finished) earlier is a difference too.
            assert.deepEqual(es.stops.map((s) => s.line), v8.stops.map((s) => s.line), `stop lines differ (V8 | ElixirScope):\n${table(seq.steps, v8, es, false)}`);
          });

          check(c.program, seq.name, 'locals', 'shows the same values for the locals both show', () => {
            // One line per distinct difference (name, V8 value, ElixirScope value), with the stops it is seen at.
            const diffs = new Map<string, string[]>();
            let note = '';
            const n = Math.min(v8.stops.length, es.stops.length);
            for (let i = 0; i < n; i++) {
              const a = v8.stops[i], b = es.stops[i];
              if (a.line !== b.line) { note = `\n(stops ${i} and after not compared: the stop lines differ from there)`; break; }
              for (const name of Object.keys(a.locals)) {
                if (!(name in b.locals) || a.locals[name] === b.locals[name]) continue;
                const key = `${name} is ${a.locals[name]} in V8, ${b.locals[name]} in ElixirScope`;
                diffs.set(key, [...(diffs.get(key) ?? []), `${i} (line ${a.line}, after ${i ? seq.steps[i - 1] : 'breakpoint'})`]);
              }
            }
            const text = [...diffs].map(([key, at]) => `${key} — at stop ${at.join(', ')}`).join('\n');
            assert.equal(diffs.size, 0, `locals differ:\n${text}${note}`);
          });

          check(c.program, seq.name, 'scope', 'shows no local that is out of scope in V8', () => {
            // ElixirScope may show more than V8's Local and Block scopes (closure variables its
            // frame wrote, a function's names before their declaration runs), but never a name
            // V8 has in no scope at all there: a block's names after the block ended, or before it began.
            const extra = new Map<string, string[]>();
            const n = Math.min(v8.stops.length, es.stops.length);
            for (let i = 0; i < n; i++) {
              const a = v8.stops[i], b = es.stops[i];
              if (a.line !== b.line) break;
              const visible = new Set(a.visible ?? Object.keys(a.locals));
              for (const name of Object.keys(b.locals)) {
                if (visible.has(name)) continue;
                extra.set(name, [...(extra.get(name) ?? []), `${i} (line ${a.line})`]);
              }
            }
            const text = [...extra].map(([name, at]) => `${name} — at stop ${at.join(', ')}`).join('\n');
            assert.equal(extra.size, 0, `ElixirScope shows names V8 has no scope for:\n${text}`);
          });
        });
      }
    });
  }
});

/** Both runs side by side, one row per stop; with `locals`, each stop's locals under it. */
function table(steps: Step[], v8: InspectorRun, es: ElixirScopeRun, locals: boolean): string {
  const rows: string[] = [];
  const where = (s: Stop | undefined) => (s ? `${s.line}:${s.column} ${s.functionName || '(no name)'}${s.skipped ? ` [past ${s.skipped.map((k) => `${k.line}:${k.column} ${k.rule}`).join(', ')}]` : ''}` : '—');
  const n = Math.max(v8.stops.length, es.stops.length);
  for (let i = 0; i < n; i++) {
    const a = v8.stops[i], b = es.stops[i];
    rows.push(`${a && b && a.line === b.line ? ' ' : '≠'} ${String(i).padStart(2)} ${(i ? steps[i - 1] : 'bp').padEnd(7)} ${where(a).padEnd(70)} | ${where(b)}`);
    if (locals) {
      const show = (s: Stop | undefined) => (s ? Object.entries(s.locals).filter(([k]) => !MODULE_NAMES.has(k)).map(([k, v]) => `${k}=${v}`).join(' ') : '');
      rows.push(`        V8: ${show(a)}`, `        ES: ${show(b)}`);
    }
  }
  rows.push(`  V8: ${v8.done ? 'all steps done' : 'program ended'}; ElixirScope: ${es.ended ? 'program ended (end of the recording)' : 'all steps done'}`);
  return rows.join('\n');
}

/** The CommonJS wrapper's parameters, which V8 shows in a module's Local scope. */
const MODULE_NAMES = new Set(['exports', 'require', 'module', '__filename', '__dirname']);
