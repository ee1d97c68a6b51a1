// Wall-clock time reconstructed from the runtime's clock samples, on real recordings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { TemporalEngine } from '../../adapter/engine/engine';
import { CLOCK_PREFIX, prefixEnd } from '../../adapter/store/keys';
import { ClockIndex, decodeClockBlock, encodeClockBlock } from '../../adapter/store/clock-index';
import { packageRoot } from '../../adapter/targets/paths';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

const PROGRAM = join(packageRoot(), 'test', 'fixtures', 'programs', 'timing.ts');

describe('timing: seq→time index and per-function durations', function () {
  this.timeout(120000);
  let rec: string;
  before(() => { rec = recordWithCli(PROGRAM, join(tempDir(), 'timing')); });

  it('clock blocks round-trip; timeAt interpolates between samples, each event at the end of its slot', () => {
    const samples = [{ seq: 0, us: 1000 }, { seq: 10, us: 2000 }, { seq: 10, us: 9000 }, { seq: 14, us: 9400 }];
    assert.deepEqual(decodeClockBlock(encodeClockBlock(samples)), samples);
    const index = new ClockIndex();
    index.add(samples);
    assert.equal(index.timeAt(0), 1.1);
    assert.equal(index.timeAt(9), 2);
    assert.equal(index.timeAt(10), 9.1, 'after an idle stretch: from the last sample at that seq');
    assert.equal(index.timeAt(13), 9.4);
    assert.equal(index.timeAt(99), 9.4, 'after the last sample: its time');
  });

  it('a 30 ms busy wait takes >= 25 ms; trivial functions take far less; a timer callback after idle time is not smeared over it', async () => {
    const engine = await TemporalEngine.open(rec);
    try {
      const fns = await engine.timing.functions();
      const byName = (name: string) => { const f = fns.find((x) => x.name === name); assert.ok(f, `${name} in ${JSON.stringify(fns)}`); return f; };
      const spin = byName('spin'), tiny = byName('tiny'), later = byName('later'), filler = byName('filler');
      assert.equal(spin.calls, 1);
      assert.equal(tiny.calls, 21);
      assert.equal(filler.calls, 22);
      const own = async (name: string) => { const w = await engine.writes(name); assert.equal(w.length, 1, name); return Number(w[0].value); };
      const spun = await own('spun');
      assert.ok(spun >= 25, `the program measured its own wait: ${spun} ms`);
      assert.ok(spin.totalMs! >= 25 && spin.totalMs! >= spun - 0.01, `spin took ${spin.totalMs} ms, its wait ${spun} ms`);
      assert.ok((tiny.totalMs ?? 0) < spin.totalMs! / 3, `tiny ${tiny.totalMs} ms vs spin ${spin.totalMs} ms`);
      // the callback runs after ~150 ms of idling: clock samples bracket it, it does not inherit the idle time
      const ownLater = await own('own');
      assert.ok(later.totalMs! <= ownLater + 5, `later took ${later.totalMs} ms, by its own measure ${ownLater} ms`);
      assert.ok(spin.selfMs! <= spin.totalMs! + 0.001);
      const module = byName('<module>');
      assert.ok(module.totalMs! >= spin.totalMs!, 'inclusive: the module body contains the busy wait');
      const elapsed = (await engine.timing.elapsedMs())!;
      assert.ok(elapsed >= 150 + 25, `the program ran ${elapsed} ms by its own clock`);
      // times never go backwards along the recording
      let last = -1;
      for (let seq = 0; seq < engine.reader.length; seq += 97) {
        const t = (await engine.timing.timeAt(seq))!;
        assert.ok(t >= last, `time at ${seq}: ${t} < ${last}`);
        last = t;
      }
    } finally {
      await engine.close();
    }
  });

  it('recursion counts once in the total; self time excludes callees', async () => {
    const ws = tempDir();
    const program = join(ws, 'rec.js');
    writeFileSync(join(ws, 'package.json'), '{"name": "rec", "private": true}\n');
    writeFileSync(program, [
      'function spin(ms) { const end = Date.now() + ms; let n = 0; while (Date.now() < end) n++; return n; }',
      'function down(k) { if (k === 0) return spin(30); return down(k - 1); }',
      'down(5);',
    ].join('\n') + '\n');
    const engine = await TemporalEngine.open(recordWithCli(program, join(ws, 'recording')));
    try {
      const fns = await engine.timing.functions();
      const down = fns.find((f) => f.name === 'down')!, spin = fns.find((f) => f.name === 'spin')!;
      assert.equal(down.calls, 6);
      assert.ok(down.totalMs! >= spin.totalMs!, 'down contains spin');
      assert.ok(down.totalMs! < spin.totalMs! * 1.5 + 5, `down ${down.totalMs} ms counted once, not 6 times (spin ${spin.totalMs} ms)`);
      assert.ok(down.selfMs! < spin.totalMs! / 2, `down's own time ${down.selfMs} ms excludes spin`);
    } finally {
      await engine.close();
    }
  });

  it('timeline buckets carry the time of their first and last events', async () => {
    const engine = await TemporalEngine.open(rec);
    try {
      const t = await engine.timeline.query(0, engine.reader.length, 20);
      let last = -1;
      for (const b of t.buckets) {
        assert.equal(typeof b.fromMs, 'number');
        assert.ok(b.fromMs! >= last && b.toMs! >= b.fromMs!, JSON.stringify(b));
        last = b.toMs!;
      }
      assert.ok(t.buckets.at(-1)!.toMs! >= 150, 'the last bucket is after the timer');
    } finally {
      await engine.close();
    }
  });

  it('the clock index costs < 0.05 bytes per event on a loop program', async () => {
    const ws = tempDir();
    const program = join(ws, 'loop.js');
    writeFileSync(join(ws, 'package.json'), '{"name": "loop", "private": true}\n');
    writeFileSync(program, 'let x = 0;\nfor (let i = 0; i < 300000; i++) {\n  x = (x + i) % 1000;\n}\nconsole.log(x);\n');
    const dir = join(ws, 'recording');
    const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'record', '--quiet', '--mode', 'balanced', '--out', dir, '--', program], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const engine = await TemporalEngine.open(dir);
    const events = engine.reader.length;
    const samples = (await engine.reader.clocks()).size;
    await engine.close();
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer', createIfMissing: false });
    let bytes = 0;
    try {
      for await (const [key, value] of db.iterator({ gte: CLOCK_PREFIX, lt: prefixEnd(CLOCK_PREFIX) })) bytes += key.length + value.length;
    } finally {
      await db.close();
    }
    assert.ok(events > 300000, `${events} events`);
    assert.ok(samples > 10, `${samples} clock samples`);
    assert.ok(bytes / events < 0.05, `${bytes} bytes of clock index for ${events} events: ${(bytes / events).toFixed(4)} B/event`);
  });

  it('a call inside one long sample interval (time spent outside recorded code) gets no duration', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "name": "opaque", "private": true }\n');
    const program = join(dir, 'opaque.js');
    writeFileSync(program, [
      'function quick(n) { return n + 1; }',
      'quick(1);',
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 40); // 40 ms in native code',
      '',
    ].join('\n'));
    const engine = await TemporalEngine.open(recordWithCli(program, join(dir, 'rec')));
    try {
      const quick = (await engine.timing.functions()).find((f) => f.name === 'quick');
      assert.equal(quick?.calls, 1);
      assert.equal(quick?.totalMs, undefined, `quick would get a share of the 40 ms wait: ${JSON.stringify(quick)}`);
    } finally {
      await engine.close();
    }
  });
});
