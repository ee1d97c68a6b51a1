import assert from 'node:assert/strict';
import * as path from 'node:path';
import { MODES } from '../../protocol/events';
import { checkRecording, lineOf, runFixture, steppedLines, writesOf, type FixtureRun } from './harness';

const FIXTURE_FILES = [
  'functions.ts', 'control.ts', 'tsfeatures.ts', 'decorators-legacy.ts', 'decorators-standard.ts', 'writes.ts',
  'destructuring.ts', 'async.ts', 'tdz.ts', 'sloppy.js', 'reserved.ts', 'esm.mts', 'misc.tsx',
];

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
