// The timeline's activity buckets come from the chunks' event bytes alone (zoomed out, per chunk
// summaries; zoomed in, per event): they must count what the full decoder reads.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemporalEngine } from '../../adapter/engine/engine';
import type { Timeline } from '../../adapter/engine/timeline';
import { KIND_NAMES } from '../../protocol/events';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

const LOOP = `function square(n) { return n * n; }
let total = 0;
for (let i = 0; i < 60000; i++) {
  total += square(i % 7);
  if (i % 10000 === 0) console.log(total);
}
`;

function perKind(t: Timeline): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of t.buckets) for (const [k, n] of Object.entries(b.counts)) out[k] = (out[k] ?? 0) + n;
  return out;
}

describe('timeline buckets over a recording of hundreds of thousands of events', function () {
  this.timeout(120000);
  let engine: TemporalEngine;
  before(async () => {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{"name":"loop","private":true}');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'loop.js'), LOOP);
    engine = await TemporalEngine.open(recordWithCli(join(root, 'src', 'loop.js'), join(root, 'rec')));
  });
  after(async () => { await engine.reader.close(); });

  it('zoomed out (chunk summaries, read in one pass) counts what zoomed in (events) counts', async () => {
    const total = engine.reader.length;
    assert.ok(total > 300000, `only ${total} events`);
    const coarse = await engine.timeline.query(0, total, 3); // > 32768 events per bucket: summaries
    const fine = await engine.timeline.query(0, total, Math.ceil(total / 20000)); // scanned event by event
    assert.deepEqual(perKind(coarse), perKind(fine));
    const decoded: Record<string, number> = {};
    await engine.nav.events.scan(0, 1, (c, i) => { const k = KIND_NAMES[c.kinds[i]]; decoded[k] = (decoded[k] ?? 0) + 1; return undefined; });
    assert.deepEqual(perKind(fine), decoded);
    assert.equal(Object.values(perKind(coarse)).reduce((a, n) => a + n, 0), total);
    const calls = (t: Timeline) => t.functions.find((f) => f.name === 'square')?.calls;
    assert.equal(calls(coarse), 60000);
    assert.equal(calls(fine), 60000);
    const again = await engine.timeline.query(0, total, 3); // from the cache now
    assert.deepEqual(again.buckets.map((b) => b.counts), coarse.buckets.map((b) => b.counts));
  });
});
