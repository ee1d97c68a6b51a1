import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Level } from 'level';
import { packageRoot } from '../../adapter/targets/paths';
import { PROGRAMS } from '../helpers/example';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

const PROGRAM = join(PROGRAMS, 'same-receiver.js');

function query(...args: string[]): unknown {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'query', ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** How many values in the stored chunks are SameSnapshot references, and how many full object snapshots. */
async function storedValues(dir: string): Promise<{ same: number; full: number }> {
  const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
  let same = 0, full = 0;
  try {
    for await (const [key, value] of db.iterator({ gte: 'chunk:', lt: 'chunk;' })) {
      const text = value.toString('latin1');
      same += text.match(/\{"s":\d+\}/g)?.length ?? 0;
      full += text.match(/\{"o":\d+,/g)?.length ?? 0;
      void key;
    }
  } finally { await db.close(); }
  return { same, full };
}

describe('store: an object written again unchanged is sent as its id, and read back whole', function () {
  this.timeout(120000);
  let dir: string;
  let writes: Array<{ seq: number; value: string }>;
  before(() => {
    dir = recordWithCli(PROGRAM, join(tempDir(), 'rec'));
    writes = query(dir, 'writes', '--name', 'this', '--file', PROGRAM) as Array<{ seq: number; value: string }>;
  });

  it('most `this` writes went out as references to the last snapshot', async () => {
    const { same, full } = await storedValues(dir);
    // 11 method calls on one object; it changes twice (bump, the label write).
    assert.ok(same >= 7, `${same} references, ${full} full snapshots`);
  });

  it('every `this` shows the state the object had at that call', () => {
    const counts = writes.map((w) => /count: (\d+)/.exec(w.value)?.[1]);
    const labels = writes.map((w) => /label: "([^"]*)"/.exec(w.value)?.[1]);
    // The constructor's `this` (empty), 5 reads at 0, bump at 0, 3 reads at 1, then the read after the label changed.
    assert.deepEqual(counts, [undefined, '0', '0', '0', '0', '0', '0', '1', '1', '1', '1']);
    assert.equal(labels.at(-1), 'changed');
    assert.ok(labels.slice(1, -1).every((l) => l?.startsWith('a label long enough')), labels.join(' | '));
  });
});
