/**
 * Equivalence of stack trace TEXT: error.stack of errors thrown from many function shapes
 * (anonymous functions, arrows, methods, accessors, class members, `new`, eval, async frames,
 * Node's own errors), formatted by Node's default Error.prepareStackTrace, must read exactly as
 * plain Node prints it: same function names, same original files, lines and columns, same frames
 * (Node's module-loading frames included). One CommonJS program and one ES module print one
 * section per shape; each section is compared on its own.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp';
import { firstDifference, runPlain, runRecorded, type Outcome } from './run';

const SHAPES = `
function show(label, f) {
  try { f(); } catch (e) { out(label, e); }
}
function out(label, e) { process.stdout.write('## ' + label + '\\n' + e.stack + '\\n'); }
show('anonymous function expression', function () { throw new Error('a'); });
show('arrow', () => { throw new Error('b'); });
show('arrow in a callback', () => { [1].map((x) => { throw new Error('c' + x); }); });
show('expression-bodied arrow', () => [1].map((x) => null[x]));
const named = function () { throw new Error('d'); };
show('function named by its variable', named);
const o = {
  m() { throw new Error('e'); },
  get g() { throw new Error('f'); },
  set s(v) { throw new Error('s' + v); },
  p: function () { throw new Error('g'); },
  q: () => { throw new Error('h'); },
  ['comp' + 'uted']() { throw new Error('comp'); },
  async am() { await null; throw new Error('am'); },
};
show('object method', () => o.m());
show('getter', () => o.g);
show('setter', () => { o.s = 1; });
show('setter, computed key and spaced operator', () => { const k = 's'; o[k]  =  2; });
show('setter, logical assignment', () => { o.s ??= 3; });
show('getter of a compound assignment', () => { o.g += 1; });
show('getter of a prefix update', () => { ++o.g; });
show('getter of a postfix update', () => { o['g']--; });
show('property function', () => o.p());
show('property arrow', () => o.q());
show('computed method', () => o.computed());
class Base { constructor(x) { if (x) throw new Error('base'); } }
class C extends Base {
  constructor(x, y) { super(x); if (y) throw new Error('ctor'); }
  m() { throw new Error('j'); }
  static s() { throw new Error('k'); }
  #p() { throw new Error('l'); }
  callP() { this.#p(); }
  f = () => { throw new Error('field'); };
  get acc() { throw new Error('acc'); }
  static { try { throw new Error('static block'); } catch (e) { out('static block', e); } }
}
show('new (constructor)', () => new C(0, 1));
show('new (super constructor)', () => new C(1, 0));
show('class method', () => new C().m());
show('static method', () => C.s());
show('private method', () => new C().callP());
show('field arrow', () => new C().f());
show('class getter', () => new C().acc);
show('anonymous class', () => new (class { constructor() { throw new Error('anon class'); } })());
show('eval', () => eval('(function () { throw new Error("ev"); })()'));
show('indirect eval', () => (0, eval)('(() => { throw new Error("iev"); })()'));
show('new Function', () => new Function('throw new Error("nf")')());
show('IIFE', () => (function () { throw new Error('iife'); })());
show('named IIFE', () => (function iife() { throw new Error('iife2'); })());
show('forEach callback', () => [1].forEach(function () { throw new Error('cb'); }));
o.late = function () { throw new Error('late'); };
show('function assigned to a property', () => o.late());
show('generator', () => { function* g() { yield 1; throw new Error('gen'); } const it = g(); it.next(); it.next(); });
show('runtime TypeError', () => { const z = null; return z.prop; });
show('Node error with a code', () => require('fs').readFileSync(12345n));
show('custom error class', () => { class MyErr extends Error { constructor(m) { super(m); this.name = 'MyErr'; } } throw new MyErr('mine'); });
show('captureStackTrace(obj, fn)', () => { function hide() { const h = {}; Error.captureStackTrace(h, hide); throw h; } (function outer() { hide(); })(); });
show('stackTraceLimit 2', () => { const l = Error.stackTraceLimit; Error.stackTraceLimit = 2; try { (() => { throw new Error('lim'); })(); } finally { Error.stackTraceLimit = l; } });
show('error without frames', () => { const l = Error.stackTraceLimit; Error.stackTraceLimit = 0; try { throw new Error('none'); } finally { Error.stackTraceLimit = l; } });
show('bound function', () => (function bf() { throw new Error('bound'); }).bind(null)());
show('Reflect.apply', () => Reflect.apply(function ra() { throw new Error('ra'); }, null, []));
show('prepareStackTrace saved and restored', () => { const old = Error.prepareStackTrace; Error.prepareStackTrace = (e, cs) => cs.length; const n = new Error('x').stack; Error.prepareStackTrace = old; throw new Error('after ' + typeof n); });
show('delegating prepareStackTrace', () => { const old = Error.prepareStackTrace; Error.prepareStackTrace = (e, cs) => old(e, cs); try { (() => { throw new Error('deleg'); })(); } finally { Error.prepareStackTrace = old; } });
{ const p = Error.prepareStackTrace; const d = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace'); process.stdout.write('## default Error.prepareStackTrace\\n' + JSON.stringify([typeof p, p.name, p.length, String(p), typeof p.prototype, d.writable, d.enumerable, d.configurable, Object.keys(Error)]) + '\\n'); }
async function af() { await null; throw new Error('async'); }
async function ag() { await af(); }
ag().catch((e) => out('async function chain', e));
(async () => { await null; throw new Error('async arrow'); })().catch((e) => out('async arrow', e));
o.am().catch((e) => out('async method', e));
Promise.all([(async () => { await null; throw new Error('all'); })()]).catch((e) => out('Promise.all', e));
new Promise((_, reject) => setTimeout(function timer() { reject(new Error('timer')); }, 1)).catch((e) => out('timer callback', e));
`;

const ESM = `
function out(label, e) { process.stdout.write('## ' + label + '\\n' + e.stack + '\\n'); }
const arrow = () => { throw new Error('esm arrow'); };
try { arrow(); } catch (e) { out('esm arrow', e); }
try { [1].forEach(function () { throw new Error('esm anon'); }); } catch (e) { out('esm anonymous', e); }
class K { static m() { throw new Error('esm static'); } }
try { K.m(); } catch (e) { out('esm static', e); }
await null;
try { (() => { throw new Error('after await'); })(); } catch (e) { out('esm after top-level await', e); }
`;

const UNCAUGHT = `
const o = {
  run() {
    [1].forEach(() => { null.x; });
  },
};
o.run();
`;

function sections(o: Outcome): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of o.stdout.split(/^## /m).slice(1)) {
    const nl = part.indexOf('\n');
    m.set(part.slice(0, nl), part.slice(nl + 1));
  }
  return m;
}

describe('equivalence: stack trace text (error.stack) of recorded programs', function () {
  this.timeout(300000);
  let plain: Map<string, string>;
  let recorded: Map<string, string>;
  let root: string;
  before(() => {
    root = tempDir('es-stacks-');
    writeFileSync(join(root, 'package.json'), '{ "name": "stacks-probe", "private": true }\n');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'shapes.js'), SHAPES);
    writeFileSync(join(root, 'src', 'esm.mjs'), ESM);
    writeFileSync(join(root, 'src', 'uncaught.js'), UNCAUGHT);
    plain = new Map();
    recorded = new Map();
    for (const prog of ['shapes.js', 'esm.mjs']) {
      const a = runPlain(join('src', prog), root);
      assert.equal(a.code, 0, a.stderr);
      const b = runRecorded(join('src', prog), root, join(root, `rec-${prog}`), 'full');
      assert.equal(b.code, 0, b.stderr);
      for (const [k, v] of sections(a)) plain.set(k, v);
      for (const [k, v] of sections(b)) recorded.set(k, v);
    }
  });

  const labels = [
    'anonymous function expression', 'arrow', 'arrow in a callback', 'expression-bodied arrow', 'function named by its variable',
    'object method', 'getter', 'setter', 'setter, computed key and spaced operator', 'setter, logical assignment',
    'getter of a compound assignment', 'getter of a prefix update', 'getter of a postfix update', 'property function', 'property arrow', 'computed method', 'static block',
    'new (constructor)', 'new (super constructor)', 'class method', 'static method', 'private method', 'field arrow',
    'class getter', 'anonymous class', 'eval', 'indirect eval', 'new Function', 'IIFE', 'named IIFE', 'forEach callback',
    'function assigned to a property', 'generator', 'runtime TypeError', 'Node error with a code', 'custom error class',
    'captureStackTrace(obj, fn)', 'stackTraceLimit 2', 'error without frames', 'bound function', 'Reflect.apply',
    'prepareStackTrace saved and restored', 'delegating prepareStackTrace', 'default Error.prepareStackTrace',
    'async function chain', 'async arrow', 'async method', 'Promise.all', 'timer callback',
    'esm arrow', 'esm anonymous', 'esm static', 'esm after top-level await',
  ];
  // Known, documented differences (runtime/README.md, instrumenter/README.md). Skipped, so they stay visible in the count.
  const TICK = 'the runtime starts its drain Worker at preload and Node queues process.nextTick(emit "worker") for it, so promise jobs left by the main module run under process.processTicksAndRejections, an extra frame';
  const knownGaps = new Map([
    ['async arrow', TICK], ['async method', TICK], ['async function chain', TICK], ['Promise.all', TICK],
  ]);
  for (const label of labels) {
    const gap = knownGaps.get(label);
    (gap ? it.skip : it)(gap ? `${label} (known gap: ${gap})` : label, () => {
      assert.ok(plain.has(label), `plain run printed no section "${label}"`);
      const p = plain.get(label)!;
      const r = recorded.get(label) ?? '<missing>';
      assert.equal(r, p, firstDifference(p, r));
    });
  }

  it('an uncaught exception: same exit code and the same stack trace on stderr', () => {
    const a = runPlain(join('src', 'uncaught.js'), root);
    const b = runRecorded(join('src', 'uncaught.js'), root, join(root, 'rec-uncaught'), 'full');
    assert.equal(b.code, a.code);
    const stack = (s: string) => s.slice(s.indexOf('TypeError:'));
    assert.equal(stack(b.stderr), stack(a.stderr), firstDifference(stack(a.stderr), stack(b.stderr)));
  });

  // Known gap: an exception leaving an instrumented function is caught and rethrown by its
  // wrapper (to record it), and V8 puts the "source line + ^" Node prints above an uncaught
  // exception at the LAST throw: the outermost instrumented rethrow, mapped to a nearby line.
  it.skip('an uncaught exception: the source line and ^ above the trace (known gap: the wrappers rethrow, V8 reports the last throw site)', () => {
    const a = runPlain(join('src', 'uncaught.js'), root);
    const b = runRecorded(join('src', 'uncaught.js'), root, join(root, 'rec-uncaught2'), 'full');
    assert.equal(b.stderr, a.stderr);
  });
});
