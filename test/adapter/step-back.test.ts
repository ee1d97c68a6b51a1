import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { join } from 'node:path';
import { launchAndStop, moveAndWait, place, startClient, type Place } from '../helpers/dap';
import { INVOICE, lineOf, MAIN } from '../helpers/example';
import { tempDir } from '../helpers/temp';
import { packageRoot } from '../../adapter/targets/paths';

describe('DAP: recording the invoice example and stepping backwards', function () {
  this.timeout(90000);
  let dc: DebugClient;
  let out: string;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });
  before(() => { out = join(tempDir(), 'rec'); });

  const discountLine = lineOf(INVOICE, '(1 - this.discountRate)');
  const lineLine = lineOf(INVOICE, 'const line = ');

  it('stops at a breakpoint in the original .ts file, with its locals', async () => {
    const stopped = await launchAndStop(dc, { program: MAIN, out: join(out, '1') }, [{ path: INVOICE, lines: [discountLine] }]);
    assert.equal(stopped.body.reason, 'breakpoint');
    const here = await place(dc);
    assert.equal(here.file, INVOICE);
    assert.equal(here.line, discountLine);
    assert.equal(here.name, 'Invoice.total');
    assert.equal(here.locals.total, '240');
    assert.equal(here.locals.line, '240');
  });

  it('steps forwards N times, then backwards N times through exactly the reversed locations and values', async () => {
    await launchAndStop(dc, { program: MAIN, out: join(out, '2') }, [{ path: INVOICE, lines: [lineLine] }]);
    const forward: Place[] = [await place(dc)];
    for (let i = 0; i < 8; i++) { await moveAndWait(dc, 'next'); forward.push(await place(dc)); }
    const backward: Place[] = [forward[forward.length - 1]];
    for (let i = 0; i < 8; i++) { await moveAndWait(dc, 'stepBack'); backward.push(await place(dc)); }
    assert.deepEqual(backward.reverse(), forward);
    assert.ok(new Set(forward.map((p) => p.line)).size >= 3, 'the steps moved through several lines');
    assert.ok(forward.some((p) => p.locals.total !== forward[0].locals.total), 'total changed along the way');
  });

  it('steps over yields of a generator forwards (staying in the generator) and back through exactly the reversed locations', async () => {
    // Stepping over a `yield` goes on where the generator resumes (as in V8); back again, each
    // stop comes back in reverse, the generator's resumes passed back to its yields.
    const program = join(packageRoot(), 'test', 'parity', 'programs', 'generators.js');
    await launchAndStop(dc, { program, out: join(out, 'gen') }, [{ path: program, lines: [lineOf(program, 'yield n;')] }]);
    const forward: Place[] = [await place(dc)];
    for (let i = 0; i < 4; i++) { await moveAndWait(dc, 'next'); forward.push(await place(dc)); }
    assert.deepEqual(forward.map((p) => p.name), Array(5).fill('countdown'), 'the steps stayed in the generator');
    assert.deepEqual(forward.map((p) => `${p.line}:${p.locals.n}`), [7, 8, 7, 8, 10].map((l, i) => `${lineOf(program, 'yield n;') + [0, 1, 0, 1, 3][i]}:${['2', '2', '1', '1', '0'][i]}`));
    const backward: Place[] = [forward[forward.length - 1]];
    for (let i = 0; i < 4; i++) { await moveAndWait(dc, 'stepBack'); backward.push(await place(dc)); }
    assert.deepEqual(backward.reverse(), forward);
  });

  it('reverse-continues to the previous breakpoint hit with the older value', async () => {
    await launchAndStop(dc, { program: MAIN, out: join(out, '3') }, [{ path: INVOICE, lines: [discountLine] }]);
    const first = await place(dc);
    await moveAndWait(dc, 'continue');
    const second = await place(dc);
    assert.equal(second.line, discountLine);
    assert.notEqual(second.locals.total, first.locals.total);
    await moveAndWait(dc, 'reverseContinue');
    assert.deepEqual(await place(dc), first);
  });

  it('steps in and out of a call, in both directions', async () => {
    const callLine = lineOf(MAIN, 'const total = invoice.total()');
    await launchAndStop(dc, { program: MAIN, out: join(out, '4') }, [{ path: MAIN, lines: [callLine] }]);
    await moveAndWait(dc, 'stepIn');
    const inside = await place(dc);
    assert.equal(inside.file, INVOICE);
    assert.equal(inside.name, 'Invoice.total');
    await moveAndWait(dc, 'stepOut');
    const back = await place(dc);
    assert.equal(back.file, MAIN);
    assert.equal(back.line, callLine);
    await moveAndWait(dc, 'stepBack');
    const last = await place(dc);
    assert.equal(last.file, INVOICE, 'stepping back from the return point re-enters the callee at its last statement');
    assert.equal(last.line, lineOf(INVOICE, 'return roundCents(total)'));
  });

  it('stops on entry and stays open on the recording after the program ended', async () => {
    const stopped = await launchAndStop(dc, { program: MAIN, stopOnEntry: true, out: join(out, '5') }, []);
    assert.equal(stopped.body.reason, 'entry');
    const entry = await place(dc);
    assert.equal(entry.file, MAIN);
    assert.equal(entry.line, lineOf(MAIN, "const invoice = new Invoice("));
    await dc.setBreakpointsRequest({ source: { path: INVOICE }, breakpoints: [{ line: discountLine }] });
    let hits = 0;
    for (;;) {
      const s = await moveAndWait(dc, 'continue');
      if (s.body.reason !== 'breakpoint') break;
      hits++;
    }
    assert.equal(hits, 4, 'the discount line ran once per item');
    await moveAndWait(dc, 'reverseContinue');
    const lastHit = await place(dc);
    assert.equal(lastHit.line, discountLine);
    assert.equal(lastHit.locals.line, '49');
  });

  it('binds a breakpoint on a blank line to the next line with code', async () => {
    const blank = lineOf(INVOICE, 'subtotal(): number') - 1;
    await launchAndStop(dc, { program: MAIN, out: join(out, '6') }, []).catch(() => undefined);
    const { body } = await dc.setBreakpointsRequest({ source: { path: INVOICE }, breakpoints: [{ line: blank }] });
    assert.equal(body.breakpoints[0].verified, true);
    assert.equal(body.breakpoints[0].line, lineOf(INVOICE, 'let sum = 0'));
  });

  it('replays an existing recording without running the program', async () => {
    const stopped = await launchAndStop(dc, { recording: join(out, '1') }, [{ path: INVOICE, lines: [discountLine] }]);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal((await place(dc)).locals.total, '240');
    await moveAndWait(dc, 'continue');
    await moveAndWait(dc, 'stepBack');
    assert.equal((await place(dc)).line, lineOf(INVOICE, 'if (this.discountRate > 0)'));
  });

  it('reports a missing program clearly', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ program: '/nowhere/missing.ts' }), /program not found: \/nowhere\/missing\.ts/);
  });

  it('reports a runtime executable that cannot start, and the adapter stays up', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ program: MAIN, runtimeExecutable: '/nowhere/node' }), /cannot start \/nowhere\/node: .*ENOENT/);
    await assert.rejects(dc.launch({ program: '/nowhere/missing.ts' }), /program not found/, 'the adapter still answers');
  });
});
