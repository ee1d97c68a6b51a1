/**
 * `with` bodies under the real runtime: the program (test/fixtures/instrumenter/with.js: plain
 * objects, logging proxies, objects with properties named like the instrumentation's identifiers,
 * a proxy that claims every name, nested with, closures, loops with break/continue/return,
 * generators, async functions) plus error stacks thrown inside with bodies must print exactly
 * what plain Node prints, in every mode; and what ran inside the bodies is in the recording.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODES } from '../../protocol/events';
import { tempDir } from '../helpers/temp';
import { CLI, firstDifference, ROOT, runPlain, runRecorded, type Outcome } from './run';

const STACKS = `
function showStack(label, f) { try { f(); } catch (e) { console.log('## ' + label + '\\n' + e.stack); } }
showStack('throw inside with', function () { with (errObj) { bad.prop; } });
showStack('closure declared in with', function () {
  with (env) { var thrower = function () { throw new Error('in closure ' + n); }; }
  thrower();
});
showStack('with over null', function () { with (null) { console.log('never'); } });
showStack('nested with', function () { with (outer) { with (inner) { missing.call(); } } });
console.log('## source text of functions declared in with bodies\\n' + String(made[0]) + '\\n' + String(made[1]) + '\\n' + String(made[3]));
`;

interface Hit { seq: number; frame: number }

describe('equivalence: with statements', function () {
  this.timeout(300000);
  let root: string;
  let source: string;
  let plain: Outcome;
  const recs = new Map<string, string>();
  const outcomes = new Map<string, Outcome>();
  const program = join('src', 'with.js');

  before(() => {
    root = tempDir('es-with-');
    writeFileSync(join(root, 'package.json'), '{ "name": "with-probe", "private": true }\n');
    mkdirSync(join(root, 'src'));
    source = readFileSync(join(ROOT, 'test', 'fixtures', 'instrumenter', 'with.js'), 'utf8') + STACKS;
    writeFileSync(join(root, program), source);
    plain = runPlain(program, root);
    assert.equal(plain.code, 0, plain.stderr);
    for (const mode of MODES) {
      const out = join(root, `rec-${mode}`);
      outcomes.set(mode, runRecorded(program, root, out, mode));
      recs.set(mode, out);
    }
  });

  for (const mode of MODES) {
    it(`${mode}: same stdout (has-trap logs, stacks), stderr and exit code as plain node`, () => {
      const r = outcomes.get(mode)!;
      assert.equal(r.stdout, plain.stdout, firstDifference(plain.stdout, r.stdout));
      assert.equal(r.stderr, plain.stderr);
      assert.equal(r.code, plain.code);
      assert.match(plain.stdout, /^## with over null\nTypeError: Cannot convert undefined or null to object\n {4}at /m);
      assert.match(plain.stdout, /^function bump\(\) \{ n = n \+ step; return n; \}$/m);
    });
  }

  function query(mode: string, ...args: string[]): unknown {
    const r = spawnSync(process.execPath, [CLI, 'query', recs.get(mode)!, ...args, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }
  const lineOf = (marker: string): number => {
    const i = source.split('\n').findIndex((l) => l.includes(marker));
    assert.ok(i >= 0, marker);
    return i + 1;
  };
  const hits = (mode: string, marker: string): Hit[] => query(mode, 'hits', '--file', program, '--line', String(lineOf(marker))) as Hit[];

  it('balanced: statements inside with bodies are recorded (module level, functions, closures, loops, generators, async)', () => {
    assert.equal(hits('balanced', 'x = x + 1;').length, 1);
    assert.equal(hits('balanced', 'shared = \'set by inner\';').length, 1);
    assert.equal(hits('balanced', 'acc.push(i);').length, 2, 'i = 0 and 2 (1 continues, 3 breaks)');
    assert.equal(hits('balanced', 'if (i === 1) continue;').length, 4);
    assert.equal(hits('balanced', 'g = g + first;').length, 1);
    assert.equal(hits('balanced', 'a = (await Promise.resolve(a)) + 1;').length, 1);
    assert.equal(hits('balanced', 'for await (var chunk').length, 1);
    // A closure declared in a with body, called twice after the body was left.
    const bump = hits('balanced', 'function bump()');
    assert.equal(bump.length, 2, 'called twice');
    assert.equal(new Set(bump.map((h) => h.frame)).size, 2);
  });

  it('full: writes inside with bodies are recorded with their values', () => {
    type W = { value: string; line: number; function: string };
    // (the has/get traps' parameters are named k too: only the writes of the with bodies' functions)
    const writes = (name: string, fn = '<module>'): W[] => (query('full', 'writes', '--name', name, '--file', program) as W[]).filter((w) => w.function === fn);
    assert.deepEqual(writes('x').map((w) => [w.value, w.line]), [['2', lineOf('x = x + 1;')]]);
    assert.deepEqual(writes('k').map((w) => w.value), ['42']);
    assert.deepEqual(writes('n', 'bump').map((w) => w.value), ['2', '4']);
    assert.deepEqual(writes('g', 'gen').map((w) => w.value), ['15']);
    assert.deepEqual(writes('a', 'af').map((w) => w.value), ['2', '10', '11', '13']);
    assert.deepEqual(writes('blockLet').map((w) => w.value), ['undefined', '8']);
    assert.deepEqual(writes('c2').map((w) => w.value), ['8']);
  });
});
