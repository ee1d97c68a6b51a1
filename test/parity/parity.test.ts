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
      // Fails (as of this commit): ElixirScope stops at 'do {', where V8 has no break position.
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
      // Fails (as of this commit): V8 steps out of a callback into its next invocation by map;
      // ElixirScope steps out to the statement that called map, and then past the whole map call.
      { name: 'stepOut of a map callback', at: 'const twice = n * 2;', steps: ['next', 'stepOut', 'next', 'next', 'next'] },
    ],
  },
  {
    program: 'errors.js', about: 'try/catch/finally, a throw two frames down',
    sequences: [
      // Fails (as of this commit): ElixirScope stops at 'try {', where V8 has no break position.
      { name: 'next over the try statement', at: 'let cleaned = false;', steps: times(6, 'next') },
      { name: 'into the throw and on to catch and finally', at: "outcome = 'parsing';", steps: ['next', 'stepIn', 'next', 'next', 'stepIn', 'next', 'next', 'next', 'next', 'stepIn', 'next', 'next', 'next', 'next'] },
    ],
  },
  {
    program: 'recursion.js', about: 'recursion, an if / else-if chain',
    sequences: [
      { name: 'stepIn down the recursion and up again', at: 'const f = factorial(4);', steps: times(14, 'stepIn') },
      { name: 'stepOut from the base case, level by level', at: 'return 1;', steps: ['stepOut', 'next', 'stepOut', 'stepOut', 'next', 'next', 'next', 'stepIn', 'next', 'next', 'next'] },
      { name: 'continue between hits of a breakpoint in the if chain', at: 'return kind;', steps: times(5, 'continue') },
    ],
  },
];

const REPORT = !!process.env.PARITY_REPORT;

// Differences this harness found that are not fixed yet, each named with its cause. Skipped (so
// they show in the skipped count), not loosened: remove an entry when its cause is fixed.
const NATIVE_CALLER = 'stepping out of a callback that a built-in (Array.prototype.map) called stops at the caller\'s return point; V8 goes on to the next invocation';
const KNOWN_GAPS: Record<string, string> = {
  'closures.js|stepOut of a map callback|lines': NATIVE_CALLER,
};
const check = (program: string, sequence: string, what: 'lines' | 'locals', title: string, fn: () => void) => {
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
