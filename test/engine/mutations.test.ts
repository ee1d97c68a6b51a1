import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../adapter/targets/paths';
import { lineOf, PROGRAMS } from '../helpers/example';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

const PROGRAM = join(PROGRAMS, 'mutations.js');

function query(...args: string[]): unknown {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'query', ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The locals at the last line of `program`, as `query state` renders them. */
function lastLineLocals(program: string): Record<string, string> {
  const rec = recordWithCli(program, join(tempDir(), 'rec'));
  const [hit] = query(rec, 'hits', '--file', program, '--line', String(lineOf(program, 'console.log('))) as Array<{ seq: number }>;
  return (query(rec, 'state', '--seq', String(hit.seq)) as { stack: Array<{ locals: Record<string, string> }> }).stack[0].locals;
}

describe('engine: objects changed by built-in methods show their current contents', function () {
  this.timeout(120000);
  let locals: Record<string, string>;
  before(() => { locals = lastLineLocals(PROGRAM); });

  it('push, sort and pop on an array', () => assert.equal(locals.list, '(3) [4, 3, 2]'));
  it('Map set and delete', () => assert.equal(locals.names, 'Map(1) {"b" => 2}'));
  it('Set add', () => assert.equal(locals.tags, 'Set(2) {"x", "y"}'));
  it('pushes past the snapshot limit keep the length right', () => assert.match(locals.big, /^\(149\) \[0, 1, 2, .*, 99, …\]$/));
  it('a nested array emptied by a length write', () => assert.equal(locals.holder, '{items: Array(0)}'));
});

describe('engine: one-line previews read as VS Code shows them (the parity program previews.js)', function () {
  this.timeout(120000);
  let locals: Record<string, string>;
  before(() => { locals = lastLineLocals(join(packageRoot(), 'test', 'parity', 'programs', 'previews.js')); });

  it('a hole filled keeps the length and the order', () => assert.equal(locals.holes, '(3) [1, 2, 3]'));
  it('an element written into an empty array of length 3: holes show as …', () => assert.equal(locals.grown, '(3) […, "b", …]'));
  it('a named property of an array follows the elements, the length unchanged', () => assert.equal(locals.tagged, '(2) [1, 2, extra: "x"]'));
  it('a function inside a preview is ƒ', () => assert.equal(locals.withFns, '{f: null, g: ƒ}'));
  it('an accessor with a getter is <accessor> (the getter never runs); one with only a setter is left out, as V8 previews them', () => {
    assert.equal(locals.withGetter, '{lazy: <accessor>, plain: 1}');
    assert.equal(locals.withSetter, '{plain: 1}');
  });
  it('a date as Date.prototype.toString reads', () => assert.equal(locals.when, new Date(0).toString()));
  it('a typed array like an array, named by its class', () => assert.equal(locals.bytes, 'Uint8Array(3) [1, 2, 3]'));
});
