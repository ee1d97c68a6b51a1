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

describe('engine: objects changed by built-in methods show their current contents', function () {
  this.timeout(120000);
  let locals: Record<string, string>;
  before(() => {
    const rec = recordWithCli(PROGRAM, join(tempDir(), 'rec'));
    const [hit] = query(rec, 'hits', '--file', PROGRAM, '--line', String(lineOf(PROGRAM, 'console.log('))) as Array<{ seq: number }>;
    locals = (query(rec, 'state', '--seq', String(hit.seq)) as { stack: Array<{ locals: Record<string, string> }> }).stack[0].locals;
  });

  it('push, sort and pop on an array', () => assert.equal(locals.list, '(3) [4, 3, 2]'));
  it('Map set and delete', () => assert.equal(locals.names, 'Map(1) {"b" => 2}'));
  it('Set add', () => assert.equal(locals.tags, 'Set(2) {"x", "y"}'));
  it('pushes past the snapshot limit keep the length right', () => assert.match(locals.big, /^\(149\) \[0, 1, 2, .*, 99, …\]$/));
  it('a nested array emptied by a length write', () => assert.equal(locals.holder, '{items: Array(0)}'));
});
