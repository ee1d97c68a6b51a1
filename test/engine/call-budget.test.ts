// The call budget (minimal mode's default): each function's first N calls are recorded, later ones
// only counted, and nothing inside an elided call is recorded, so the recorded call tree stays true.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EventKind } from '../../protocol/events';
import { TemporalEngine } from '../../adapter/engine/engine';
import type { FunctionTiming } from '../../adapter/engine/timing';
import { packageRoot } from '../../adapter/targets/paths';
import { PROGRAMS } from '../helpers/example';
import { tempDir } from '../helpers/temp';
import { outputOf, startClient } from '../helpers/dap';

const PROGRAM = join(PROGRAMS, 'call-budget', 'main.js');
const BUDGET = 10;

function record(out: string, ...flags: string[]): { stdout: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'record', '--quiet', ...flags, '--out', out, '--', PROGRAM], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

describe('call budget: hot functions are counted, not recorded, and the call tree stays true', function () {
  this.timeout(120000);
  let engine: TemporalEngine;
  let fns: FunctionTiming[];
  let stdout: string;
  const fn = (name: string): FunctionTiming => {
    const f = fns.find((x) => x.name === name);
    assert.ok(f, `${name} in ${fns.map((x) => x.name).join(', ')}`);
    return f;
  };

  before(async () => {
    const dir = join(tempDir(), 'budget');
    ({ stdout } = record(dir, '--mode', 'minimal', '--call-budget', String(BUDGET)));
    engine = await TemporalEngine.open(dir);
    fns = await engine.timing.functions();
  });
  after(() => engine?.close());

  it('the program behaves as without recording', () => {
    const plain = spawnSync(process.execPath, [PROGRAM], { encoding: 'utf8' });
    assert.equal(stdout, plain.stdout);
    assert.equal(plain.status, 0);
  });

  it('each function: its first calls recorded, the rest counted, nothing lost from the count', () => {
    // How often each really runs (main.js): 50 loop turns, 30 async calls.
    const runs: Record<string, number> = { hot: 50, leaf: 80, mostlyPlain: 50, hotAsync: 30, genLeaf: 50, advance: 50, loadLate: 50, thrower: 50 };
    for (const [name, total] of Object.entries(runs)) {
      const f = fn(name);
      assert.equal(f.calls, BUDGET, `${name} recorded calls`);
      assert.equal(f.calls + (f.elided ?? 0), total, `${name} recorded + elided`);
    }
    assert.deepEqual([fn('rare').calls, fn('rare').elided], [0, 1], 'called once, inside an elided call: elided with it');
    assert.deepEqual([fn('lateValue').calls, fn('lateValue').elided], [1, 1], 'the module body loaded inside an elided call is recorded, and calls made there');
    const stats = engine.stats();
    assert.equal(stats.elidedCalls, fns.reduce((sum, f) => sum + (f.elided ?? 0), 0));
    assert.equal(stats.elidedFunctions, fns.filter((f) => f.elided).length);
    assert.deepEqual([stats.callBudget, stats.callBudgetPerSecond], [BUDGET, 1], 'the budget the run had, for the CLI and the bench');
  });

  it('recording goes on after elided async functions, generators and throws have left the stack', () => {
    assert.equal(fn('after').calls, 1);
    assert.equal(fn('after').elided, undefined);
    assert.equal(fns.filter((f) => f.name === '<anonymous>' && f.calls === 1).length, 1, 'the final .then callback');
  });

  it('no recorded call sits under a caller that does not call it', async () => {
    const callers: Record<string, string[]> = { leaf: ['hot', 'hotAsync'], hot: ['main'], genLeaf: ['numbers'], thrower: ['main'], rare: [] };
    const name = (site: number) => fns.find((f) => f.site === site)?.name;
    for (let id = 1; id <= engine.stats().frames; id++) {
      const frame = await engine.reader.frame(id);
      if (!frame) continue;
      const allowed = callers[name(frame.fn) ?? ''];
      if (!allowed) continue;
      const parent = await engine.reader.frame(frame.parent);
      assert.ok(parent && allowed.includes(name(parent.fn) ?? ''), `${name(frame.fn)} frame ${id} under ${parent ? name(parent.fn) : 'nothing'}`);
    }
  });

  it('the Throw of a recorded call is recorded; an elided one is not', async () => {
    const thrower = fn('thrower');
    // thrower throws when i % 7 === 0: i = 0 and 7 fall in its first 10 calls.
    let throws = 0;
    for (let seq = 0; seq < engine.stats().events; seq++) {
      const e = await engine.nav.events.at(seq);
      if (e?.kind === EventKind.Throw && e.site === thrower.site) throws++;
    }
    assert.equal(throws, 2);
  });

  it('without a budget every call is recorded', async () => {
    const dir = join(tempDir(), 'all');
    record(dir, '--mode', 'minimal', '--call-budget', '0');
    const all = await TemporalEngine.open(dir);
    try {
      const leaf = (await all.timing.functions()).find((f) => f.name === 'leaf');
      assert.equal(leaf?.calls, 80);
      assert.equal(leaf?.elided, undefined);
      assert.equal(all.stats().elidedCalls, 0);
    } finally { await all.close(); }
  });

  it('the budget refills every second: later calls of a long run are still recorded, a few per second', async () => {
    const dir = join(tempDir(), 'later');
    const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'record', '--quiet', '--mode', 'minimal', '--call-budget', '20', '--out', dir, '--', join(PROGRAMS, 'call-budget', 'later.js')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const later = await TemporalEngine.open(dir);
    try {
      const handler = (await later.timing.functions()).find((f) => f.name === 'handler');
      // 20 of the first 50 calls; after the 1.5 s wait the budget is back to 2 (20 / 10): 2 of the last 3.
      assert.deepEqual([handler?.calls, handler?.elided], [22, 31]);
    } finally { await later.close(); }
  });

  it('a debug session says what the budget left out, live and when replaying', async () => {
    const dc = await startClient();
    const out = join(tempDir(), 'session');
    try {
      const console = outputOf(dc, 'console');
      const stdout = outputOf(dc, 'stdout');
      const exited = dc.waitForEvent('exited');
      await Promise.all([dc.configurationSequence(), dc.launch({ program: PROGRAM, mode: 'minimal', callBudget: BUDGET, out })]);
      await exited;
      await waitFor(() => /were counted, not recorded/.test(console()));
      assert.match(console(), /beyond each function's budget \(its first 10 calls, then 1 a second\), [\d,]+ calls of 12 functions \(and what ran inside them\) were counted, not recorded/);
      assert.equal(stdout(), spawnSync(process.execPath, [PROGRAM], { encoding: 'utf8' }).stdout);
    } finally { await dc.stop(); }
    const replay = await startClient();
    try {
      const console = outputOf(replay, 'console');
      await Promise.all([replay.configurationSequence(), replay.launch({ recording: out })]);
      await waitFor(() => /were counted, not recorded/.test(console()));
    } finally { await replay.stop(); }
  });
});

async function waitFor(ok: () => boolean, ms = 20000): Promise<void> {
  for (const until = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > until) throw new Error('timed out');
  }
}
