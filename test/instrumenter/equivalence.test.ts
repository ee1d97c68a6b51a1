import assert from 'node:assert/strict';
import * as path from 'node:path';
import { MODES } from '../../protocol/events';
import { checkRecording, lineOf, runFixture, siteOf, steppedLines, writesOf, type FixtureRun } from './harness';

const FIXTURE_FILES = [
  'functions.ts', 'control.ts', 'tsfeatures.ts', 'decorators-legacy.ts', 'decorators-standard.ts', 'writes.ts',
  'destructuring.ts', 'async.ts', 'tdz.ts', 'sloppy.js', 'reserved.ts', 'esm.mts', 'misc.tsx',
  'this.ts', 'this-sloppy.js', 'this-es2015.ts', 'with.js',
];

/** Values recorded for `this` in functions named `fn` (in call order). */
function thisOf(run: FixtureRun, fn: string): unknown[] {
  return run.rec.events.filter((e) => {
    if (e[0] !== 'w') return false;
    const s = run.table.sites[e[1]]!;
    return s.name === 'this' && run.table.sites[s.fn]!.name === fn;
  }).map((e) => e[2]);
}

function assertSameOutput(run: FixtureRun): void {
  assert.equal(run.inst.stderr, run.base.stderr, 'stderr differs');
  assert.equal(run.inst.stdout, run.base.stdout, 'stdout differs');
  assert.equal(run.inst.status, run.base.status, 'exit code differs');
}

describe('instrumenter: instrumented programs behave like the originals', function () {
  this.timeout(120_000);
  for (const name of FIXTURE_FILES) {
    for (const mode of MODES) {
      it(`${name} (${mode})`, () => {
        const run = runFixture(name, mode);
        assert.equal(run.base.status, 0, `baseline failed:\n${run.base.stderr}`);
        assert.ok(run.base.stdout.length > 0, 'baseline printed nothing');
        assertSameOutput(run);
        assert.deepEqual(checkRecording(run), []);
        const kinds = new Set(run.rec.events.map((e) => e[0]));
        assert.ok(kinds.has('c') && kinds.has('e'), 'no call/exit events');
        assert.equal(kinds.has('s'), mode !== 'minimal', 'step events iff balanced/full');
        assert.equal(kinds.has('w'), mode === 'full', 'write events iff full');
      });
    }
  }

  it('an uncaught error: same message and exit code, and the recording closes the module frame with a throw', () => {
    const run = runFixture('throws.ts', 'full');
    assert.equal(run.inst.status, run.base.status);
    assert.notEqual(run.inst.status, 0);
    const msg = (s: string) => s.split('\n').filter((l) => /^Error: /.test(l));
    assert.deepEqual(msg(run.inst.stderr), msg(run.base.stderr));
    assert.deepEqual(msg(run.inst.stderr), ['Error: boom at depth 3']);
    assert.deepEqual(checkRecording(run), []);
    const throws = run.rec.events.filter((e) => e[0] === 'x').map((e) => run.table.sites[e[1]]!.name);
    assert.deepEqual(throws, ['level', 'start', '<module>']);
  });

  it('stack traces of instrumented code point at the original file, line and column (--enable-source-maps)', () => {
    const run = runFixture('throws.ts', 'full', ['--enable-source-maps']);
    const line = lineOf(run.text, 'THROW_LINE');
    assert.match(run.inst.stderr, new RegExp(`at level \\(${escapeRe(run.source)}:${line}:9\\)`), run.inst.stderr);
    const startLine = lineOf(run.text, 'function start()');
    assert.match(run.inst.stderr, new RegExp(`at start \\(${escapeRe(run.source)}:${startLine}:20\\)`), run.inst.stderr);
  });

  it('control.ts: steps land on the lines that ran and never on lines that did not', () => {
    const run = runFixture('control.ts', 'balanced');
    const stepped = steppedLines(run);
    const lines = run.text.split('\n');
    lines.forEach((l, i) => {
      if (l.includes('// hit') || l.includes("console.log('ij'") || l.includes("console.log('k is 1')")) assert.ok(stepped.has(i + 1), `line ${i + 1} should have run: ${l}`);
    });
    for (const e of run.rec.events.filter((ev) => ev[0] === 's')) {
      const site = run.table.sites[e[1]]!;
      const text = lines[site.line - 1]!.slice(site.column - 1);
      assert.ok(!/^console\.log\('never'\)/.test(text), `a 'never' statement ran at line ${site.line}`);
    }
    // The switch fall-through: case 1 runs both pushes.
    const one = lineOf(run.text, "case 1: out.push('one')");
    assert.ok(stepped.has(one) && stepped.has(one + 1));
  });

  it('writes.ts: write events carry the values the program computed', () => {
    const run = runFixture('writes.ts', 'full');
    assertSameOutput(run);
    assert.deepEqual(writesOf(run, 'total'), [0, 40, 42]);
    assert.deepEqual(writesOf(run, 'c'), [4]);
    assert.deepEqual(writesOf(run, 'big'), [{ b: '10' }, { b: '11' }, { b: '121' }]);
    assert.deepEqual(writesOf(run, 'm'), [5, 6, 7, 8]);
    assert.deepEqual(writesOf(run, 'fnRef'), [{ f: 1 }]);
    assert.deepEqual(writesOf(run, 'u'), [{ u: 1 }, 3, 3]);
    const props = run.rec.events.filter((e) => e[0] === 'p').map((e) => [run.table.sites[e[1]]!.name, e[2], e[3]]);
    assert.ok(props.some(([n, k, v]) => n === 'k' && k === 'k' && v === 5), JSON.stringify(props));
    assert.ok(props.some(([n, k, v]) => n === '' && k === 'k2' && v === 6), JSON.stringify(props));
    assert.ok(props.some(([n, k, v]) => n === '' && k === 1 && v === 12), JSON.stringify(props));
    // Parameters and for-of variables.
    const d = runFixture('destructuring.ts', 'full');
    assert.deepEqual(writesOf(d, 'third'), [30]);
    assert.deepEqual(writesOf(d, 'fourth'), ['def']);
    assert.deepEqual(writesOf(d, 'k'), ['one', 'two']);
    assert.deepEqual(writesOf(d, 'code'), [7]);
    assert.deepEqual(writesOf(d, 'n1').slice(0, 3), [{ u: 1 }, 20, 7]);
    const params = d.table.sites.filter((s) => s.name === 'params' && s.kind === 1)[0]!;
    assert.deepEqual(params.params, ['a', 'b', 'h', 'tail', 'more']);
  });

  it("this.ts: each non-arrow function records its receiver at entry; derived constructors after super()", () => {
    const run = runFixture('this.ts', 'full');
    assertSameOutput(run);
    const obj = { o: 1, tag: 'obj' };
    const other = { o: 1, tag: 'other' };
    // Strict mode: no receiver is undefined, primitives stay primitives, bind/call/Reflect.get receivers.
    assert.deepEqual(thisOf(run, 'plain'), [{ u: 1 }, 42, other]);
    assert.deepEqual(thisOf(run, 'fexpr'), ['str']);
    assert.deepEqual(thisOf(run, 'obj.m'), [obj, other]);
    assert.deepEqual(thisOf(run, 'obj.g'), [obj, other]);
    assert.deepEqual(thisOf(run, 'obj.s'), [obj]);
    assert.deepEqual(thisOf(run, 'obj.gen'), [obj]);
    assert.deepEqual(thisOf(run, 'obj.am'), [obj]);
    assert.deepEqual(thisOf(run, 'obj.arrowIn'), [obj]);
    assert.deepEqual(thisOf(run, 'nested'), [{ u: 1 }]);
    assert.deepEqual(thisOf(run, 'gen'), [{ u: 1 }]);
    // Static block and static method: the class (tagged after its definition).
    assert.deepEqual(thisOf(run, 'Base.<static>'), [{ f: 1 }]);
    assert.deepEqual(thisOf(run, 'Base.make'), [{ f: 1, tag: 'Base' }]);
    // Base constructor: the new instance at entry (tagged later in its body).
    assert.deepEqual(thisOf(run, 'Base.constructor'), Array(7).fill({ o: 1 }));
    assert.deepEqual(thisOf(run, 'Base.describe'), [{ o: 1, tag: 'instance-1' }, { o: 1, tag: 'instance-2' }, { o: 1, tag: 'instance-7' }]);
    // Derived constructors: after super() (the base constructor has tagged the instance by then).
    assert.deepEqual(thisOf(run, 'Derived.constructor'), [{ o: 1, tag: 'instance-2' }]);
    assert.deepEqual(thisOf(run, 'Branchy.constructor'), [{ o: 1, tag: 'instance-1' }, { o: 1, tag: 'instance-2' }]);
    // super() inside an expression or an arrow, or no super() at all: not recorded.
    assert.deepEqual(thisOf(run, 'Nested.constructor'), []);
    assert.deepEqual(thisOf(run, 'Arrowy.constructor'), []);
    assert.deepEqual(thisOf(run, 'Returns.constructor'), []);
    // Arrows never record `this`; the module frame neither.
    const thisSites = run.table.sites.filter((s) => s.name === 'this' && s.binding === 'this');
    assert.ok(thisSites.every((s) => s.kind === 3 && s.fn !== 0), 'this sites are write sites of functions');
    assert.ok(thisSites.every((s) => run.table.sites[s.fn]!.name !== 'init'), 'no this site in an arrow');

    const sloppy = runFixture('this-sloppy.js', 'full');
    assertSameOutput(sloppy);
    const g = { o: 1, tag: 'global' };
    // who(), who.call(5), who.call('s'), who.call(null), who.call(undefined), o.who(), o['who']()
    assert.deepEqual(thisOf(sloppy, 'who'), [g, { o: 1 }, { o: 1 }, g, g, { o: 1, tag: 'o' }, { o: 1, tag: 'o' }]);
    assert.deepEqual(thisOf(sloppy, '<anonymous>'), [g]);

    const lowered = runFixture('this-es2015.ts', 'full');
    assertSameOutput(lowered);
    assert.deepEqual(thisOf(lowered, 'Base.<static>'), [{ f: 1 }]);
    assert.deepEqual(thisOf(lowered, 'D.<static>'), [{ f: 1 }]);
    assert.deepEqual(thisOf(lowered, 'D.constructor'), [{ o: 1 }]);
    assert.deepEqual(thisOf(lowered, 'Base.am'), [{ o: 1 }]);
  });

  it('with.js: with bodies are recorded: steps, calls of functions declared there, writes needing no second lookup', () => {
    const run = runFixture('with.js', 'full');
    assertSameOutput(run);
    assert.deepEqual(checkRecording(run), []);
    const stepped = steppedLines(run);
    for (const marker of ['a = a + b;', 'x = x + 1;', 'v = v * 2;', 'k = k + 41;', "shared = 'set by inner';", 'acc.push(i);',
      'g = g + first;', 'a = (await Promise.resolve(a)) + 1;', 'function bump()', 'blockLet = q + r;']) {
      assert.ok(stepped.has(lineOf(run.text, marker)), `no step on the line of ${marker}`);
    }
    const called = new Set(run.rec.events.filter((e) => e[0] === 'c').map((e) => run.table.sites[e[1]]!.name));
    for (const fn of ['bump', 'arrow', 'obj.twice', 'obj.m', 'K.value', 'gen', 'af']) assert.ok(called.has(fn), `${fn} not called`);
    const at = (name: string, fn: string) => run.rec.events.filter((e) => e[0] === 'w' && siteOf(run, e).name === name
      && run.table.sites[siteOf(run, e).fn]!.name === fn).map((e) => e[2]);
    assert.deepEqual(at('x', '<module>'), [2]);
    assert.deepEqual(at('k', '<module>'), [42]);
    assert.deepEqual(at('n', 'bump'), [2, 4]);
    assert.deepEqual(at('blockLet', '<module>'), [{ u: 1 }, 8]);
    assert.deepEqual(at('c1', '<module>'), [2]);
    assert.deepEqual(at('post', '<module>'), [1]);
    // A second read of the variable would look it up through the object again: not recorded.
    assert.deepEqual(at('q', '<module>'), [], 'destructuring assignment / used postfix inside with');
    assert.deepEqual(at('len', '<module>'), [], 'var destructuring inside with');
    assert.deepEqual(at('r', '<module>'), [], 'for-of assignment target inside with');
    assert.deepEqual(at('a', 'af'), [2, 10, 11, 13]);
  });

  it('functions.ts: function sites have display names and flavors', () => {
    const run = runFixture('functions.ts', 'minimal');
    const fns = run.table.sites.filter((s) => s.kind === 1);
    const byName = (n: string) => fns.find((s) => s.name === n);
    assert.equal(byName('total')?.line, 2);
    assert.deepEqual(byName('total')?.params, ['a', 'b', 'rest']);
    assert.ok(byName('Base.describe'));
    assert.ok(byName('Derived.constructor'));
    assert.ok(byName('Base.<static>'));
    assert.ok(byName('obj.m'));
    assert.equal(byName('counter')?.flavor, 'generator');
    assert.equal(byName('agen')?.flavor, 'async-generator');
    assert.equal(byName('af')?.flavor, 'async');
    assert.equal(byName('arrow')?.flavor, undefined);
    assert.ok(fns.some((s) => s.name === '<anonymous>'));
    // Every function that ran was entered as often as it was exited, generator frames included.
    assert.deepEqual(checkRecording(run), []);
  });

  it('the module site is index 0 and every site names its enclosing function', () => {
    const run = runFixture('functions.ts', 'full');
    assert.equal(run.table.sites[0]!.kind, 0);
    assert.equal(run.table.sites[0]!.name, '<module>');
    for (const s of run.table.sites) {
      const fn = run.table.sites[s.fn]!;
      assert.ok(fn.kind === 0 || fn.kind === 1, `site at ${s.line}:${s.column} has fn ${s.fn} of kind ${fn.kind}`);
    }
    assert.equal(path.isAbsolute(run.table.file), true);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
