import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { join } from 'node:path';
import { CustomRequest } from '../../protocol/requests';
import { launchAndStop, moveAndWait, place, startClient } from '../helpers/dap';
import { lineOf, PROGRAMS } from '../helpers/example';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

const ORDERS = join(PROGRAMS, 'orders.ts');

/** The balances orders.ts computes, order by order, by the same arithmetic (independent of ElixirScope). */
function expectedBalances(): number[] {
  const out: number[] = [];
  let balance = 0;
  for (let i = 1; i <= 9; i++) {
    const amount = i * 10;
    const charge = amount - amount * (amount > 50 ? 0.02 : 0.03);
    balance = i % 3 === 0 ? balance - charge : balance + charge;
    out.push(balance);
  }
  return out;
}
const EXCEPTIONS = join(PROGRAMS, 'exceptions.ts');
const ASYNC = join(PROGRAMS, 'async-steps.ts');
const UNCAUGHT = join(PROGRAMS, 'uncaught.js');

describe('DAP: breakpoints and queries over a recording', function () {
  this.timeout(120000);
  let dc: DebugClient;
  const recs: Record<string, string> = {};
  before(() => {
    const dir = tempDir();
    recs.orders = recordWithCli(ORDERS, join(dir, 'orders'));
    recs.exceptions = recordWithCli(EXCEPTIONS, join(dir, 'exceptions'));
    recs.async = recordWithCli(ASYNC, join(dir, 'async'));
    recs.uncaught = recordWithCli(UNCAUGHT, join(dir, 'uncaught'));
  });
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });

  const chargeLine = lineOf(ORDERS, 'const charge = ');

  it('conditional breakpoints stop only where the condition held, in both directions', async () => {
    await launchAndStop(dc, { recording: recs.orders }, []);
    await dc.setBreakpointsRequest({ source: { path: ORDERS }, breakpoints: [{ line: chargeLine, condition: "order.status === 'refunded'" }] });
    await moveAndWait(dc, 'reverseContinue'); // from the end of the recording back to the last refunded order
    assert.match((await place(dc)).locals.order, /id: 9,/);
    await moveAndWait(dc, 'reverseContinue');
    assert.match((await place(dc)).locals.order, /id: 6,/);
    await moveAndWait(dc, 'continue');
    assert.match((await place(dc)).locals.order, /id: 9,/);
  });

  it('hit conditions count hits over the whole recording', async () => {
    const stopped = await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [] }]);
    void stopped;
    const { body } = await dc.setBreakpointsRequest({ source: { path: ORDERS }, breakpoints: [{ line: chargeLine, hitCondition: '% 4' }] });
    assert.equal(body.breakpoints[0].verified, true);
    await moveAndWait(dc, 'reverseContinue');
    assert.match((await place(dc)).locals.order, /id: 8,/);
    await moveAndWait(dc, 'reverseContinue');
    assert.match((await place(dc)).locals.order, /id: 4,/);
    const bad = await dc.setBreakpointsRequest({ source: { path: ORDERS }, breakpoints: [{ line: chargeLine, hitCondition: 'often' }] });
    assert.equal(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message ?? '', /invalid hit condition/);
  });

  it('logpoints print every hit of the recording at once, in time order, tagged with seq', async () => {
    await launchAndStop(dc, { recording: recs.orders }, []);
    const lines: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.output.startsWith('[seq')) lines.push(e); });
    await dc.setBreakpointsRequest({ source: { path: ORDERS }, breakpoints: [{ line: chargeLine, logMessage: 'order {order.id} is {order.status}, balance {balance}' }] });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(lines.length, 9);
    assert.match(lines[0].body.output, /^\[seq \d+\] order 1 is "paid", balance 0\n$/);
    assert.match(lines[2].body.output, /order 3 is "refunded"/);
    const seqs = lines.map((l) => Number(/seq (\d+)/.exec(l.body.output)![1]));
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs);
    assert.equal(lines[0].body.line, chargeLine);
    assert.equal(lines[0].body.source?.path, ORDERS);
  });

  it('function breakpoints stop at the first statement of each call', async () => {
    await launchAndStop(dc, { recording: recs.orders, stopOnEntry: true }, []);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'fee' }] });
    const s = await moveAndWait(dc, 'continue');
    assert.equal(s.body.reason, 'function breakpoint');
    const here = await place(dc);
    assert.equal(here.name, 'fee');
    assert.equal(here.locals.amount, '10');
  });

  it('exception breakpoints: all throws, or only uncaught ones, with exceptionInfo', async () => {
    await launchAndStop(dc, { recording: recs.exceptions, stopOnEntry: true }, []);
    await dc.setExceptionBreakpointsRequest({ filters: ['all'] });
    let s = await moveAndWait(dc, 'continue');
    assert.equal(s.body.reason, 'exception');
    const first = await place(dc);
    assert.equal(first.line, lineOf(EXCEPTIONS, 'throw new RangeError'));
    assert.equal(first.locals.text, '"x"');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'RangeError');
    assert.equal(info.body.description, 'bad amount: x');
    assert.equal(info.body.breakMode, 'always');
    await dc.setExceptionBreakpointsRequest({ filters: ['uncaught'] });
    s = await moveAndWait(dc, 'continue');
    assert.equal(s.body.reason, 'exception');
    assert.equal((await place(dc)).locals.text, '"oops"');
    assert.equal((await dc.exceptionInfoRequest({ threadId: 1 })).body.breakMode, 'unhandled');
  });

  it('the uncaught filter stops only where an exception was really not caught (promise chains, awaiting callers and callers outside the recording may catch it)', async () => {
    await launchAndStop(dc, { recording: recs.uncaught, stopOnEntry: true }, []);
    await dc.setExceptionBreakpointsRequest({ filters: ['uncaught'] });
    const s = await moveAndWait(dc, 'continue');
    assert.equal(s.body.reason, 'exception');
    assert.equal((await place(dc)).line, lineOf(UNCAUGHT, 'throw fatal;'));
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.deepEqual([info.body.exceptionId, info.body.description, info.body.breakMode], ['TypeError', 'not handled', 'unhandled']);
    await moveAndWait(dc, 'reverseContinue').then((back) => assert.equal(back.body.reason, 'entry'));
    await dc.setExceptionBreakpointsRequest({ filters: ['all'] });
    const handled: string[] = [];
    for (let i = 0; i < 4; i++) {
      await moveAndWait(dc, 'continue');
      const detail = await dc.exceptionInfoRequest({ threadId: 1 });
      handled.push(`${detail.body.description} ${detail.body.breakMode}`);
    }
    assert.deepEqual(handled, ['handled: emitted always', 'handled: then always', 'handled: awaited always', 'not handled unhandled']);
  });

  it('data breakpoints stop at writes of a variable, forwards and backwards', async () => {
    const balanceInit = lineOf(ORDERS, 'let balance = 0');
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [balanceInit + 1] }]);
    const stack = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: stack.body.stackFrames[0].id });
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: scopes.body.scopes[0].variablesReference, name: 'balance' });
    assert.ok(info.body.dataId);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    await dc.setBreakpointsRequest({ source: { path: ORDERS }, breakpoints: [] });
    const writes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await moveAndWait(dc, 'continue');
      assert.equal(s.body.reason, 'data breakpoint');
      writes.push((await place(dc)).locals.balance);
    }
    assert.deepEqual(writes, expectedBalances().slice(0, 3).map(String));
    await moveAndWait(dc, 'reverseContinue');
    assert.equal((await place(dc)).locals.balance, writes[1]);
  });

  it('restart frame travels back to the entry of a frame; goto targets jump to other executions of a line', async () => {
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [lineOf(ORDERS, 'balance += charge')] }]);
    await moveAndWait(dc, 'continue');
    const before = await place(dc);
    const stack = await dc.stackTraceRequest({ threadId: 1 });
    const restarted = dc.waitForEvent('stopped');
    await dc.send('restartFrame', { frameId: stack.body.stackFrames[0].id });
    await restarted;
    const entry = await place(dc);
    assert.equal(entry.name, 'settle');
    assert.equal(entry.line, lineOf(ORDERS, 'let balance = 0'));
    assert.notDeepEqual(entry, before);
    const targets = await dc.gotoTargetsRequest({ source: { path: ORDERS }, line: lineOf(ORDERS, 'const rate =') });
    assert.equal(targets.body.targets.length, 9);
    const jumped = dc.waitForEvent('stopped');
    await dc.gotoRequest({ threadId: 1, targetId: targets.body.targets[0].id });
    await jumped;
    const there = await place(dc);
    assert.equal(there.name, 'fee');
    assert.equal(there.locals.amount, '10');
  });

  it('step-in targets list the calls of the current statement', async () => {
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [lineOf(ORDERS, 'ledger.balance = settle(orders)')] }]);
    const stack = await dc.stackTraceRequest({ threadId: 1 });
    const t = await dc.send('stepInTargets', { frameId: stack.body.stackFrames[0].id }) as DebugProtocol.StepInTargetsResponse;
    assert.deepEqual(t.body.targets.map((x) => x.label), ['settle']);
    const stopped = dc.waitForEvent('stopped');
    await dc.send('stepIn', { threadId: 1, targetId: t.body.targets[0].id });
    await stopped;
    assert.equal((await place(dc)).name, 'settle');
  });

  it('evaluates hovers and watches over recorded state, and refuses side effects', async () => {
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [chargeLine] }]);
    const stack = await dc.stackTraceRequest({ threadId: 1 });
    const frameId = stack.body.stackFrames[0].id;
    const ev = (expression: string, context = 'hover') => dc.evaluateRequest({ expression, frameId, context });
    assert.equal((await ev('order.amount * 2')).body.result, '20');
    assert.equal((await ev('order.status.toUpperCase()')).body.result, '"PAID"');
    assert.equal((await ev('balance', 'watch')).body.result, '0');
    assert.equal((await ev('ledger.balance')).body.result, '0');
    await assert.rejects(ev('charge'), /charge is not assigned yet at this time; it becomes 9\.7 at seq \d+/);
    await assert.rejects(ev('orders.push(1)', 'repl'), /side effects/);
    await assert.rejects(ev('balance = 3', 'repl'), /side effects/);
    const hex = await dc.evaluateRequest({ expression: 'order.amount', frameId, context: 'watch', format: { hex: true } });
    assert.equal(hex.body.result, '0xa');
  });

  it('completions offer the names in scope at the current time', async () => {
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [chargeLine] }]);
    const stack = await dc.stackTraceRequest({ threadId: 1 });
    const c = await dc.completionsRequest({ text: 'ord', column: 4, frameId: stack.body.stackFrames[0].id });
    const labels = c.body.targets.map((t) => t.label);
    assert.ok(labels.includes('order') && labels.includes('orders') && labels.includes('balance'), labels.join());
    const m = await dc.completionsRequest({ text: 'order.', column: 7, frameId: stack.body.stackFrames[0].id });
    assert.deepEqual(m.body.targets.map((t) => t.label).sort(), ['amount', 'id', 'status']);
  });

  it('loaded sources, value history, timeline, origin and seek', async () => {
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [lineOf(ORDERS, 'return balance')] }]);
    const sources = await dc.send('loadedSources', {}) as DebugProtocol.LoadedSourcesResponse;
    assert.deepEqual(sources.body.sources.map((s) => s.path), [ORDERS]);
    const history = (await dc.customRequest(CustomRequest.valueHistory, { name: 'balance' })).body;
    assert.equal(history.entries.length, 10);
    assert.equal(history.entries[0].value, '0');
    assert.equal(history.entries[0].line, lineOf(ORDERS, 'let balance = 0'));
    assert.equal(history.entries.filter((e: { current: boolean }) => e.current).length, 1);
    // A property's history, from the object's writes: here still ahead of the current time.
    const property = (await dc.customRequest(CustomRequest.valueHistory, { name: 'ledger.balance' })).body;
    assert.equal(property.entries.length, 1);
    assert.equal(property.entries[0].line, lineOf(ORDERS, 'ledger.balance = settle(orders)'));
    assert.equal(property.entries[0].value, history.entries[9].value);
    assert.equal(property.entries[0].current, false);
    assert.equal(property.note, 'not assigned yet at this time');
    const timeline = (await dc.customRequest(CustomRequest.timeline, { buckets: 10 })).body;
    assert.equal(timeline.buckets.length, 10);
    const counted = timeline.buckets.reduce((n: number, b: { counts: Record<string, number> }) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
    assert.equal(counted, timeline.total);
    assert.ok(timeline.functions.some((f: { name: string; calls: number }) => f.name === 'fee' && f.calls === 9));
    const origin = (await dc.customRequest(CustomRequest.origin, { name: 'balance' })).body;
    assert.equal(origin.line, lineOf(ORDERS, 'balance -= charge'), 'order 9, the last one, was refunded');
    assert.deepEqual(origin.inputs.map((i: { name: string }) => i.name).sort(), ['balance', 'charge']);
    const charge = origin.inputs.find((i: { name: string }) => i.name === 'charge');
    const chargeOrigin = (await dc.customRequest(CustomRequest.origin, { name: 'charge', frame: charge.frame, seq: charge.seq + 1 })).body;
    assert.equal(chargeOrigin.line, chargeLine);
    assert.ok(chargeOrigin.inputs.some((i: { name: string; kind: string }) => i.kind === 'return' && i.name === 'fee()'));
    const seeked = dc.waitForEvent('stopped');
    await dc.customRequest(CustomRequest.seek, { seq: history.entries[3].seq + 1 });
    assert.equal((await seeked).body.reason, 'goto');
    assert.equal((await place(dc)).locals.balance, history.entries[3].value);
    await dc.setBreakpointsRequest({ source: { path: ORDERS }, breakpoints: [{ line: chargeLine }, { line: lineOf(ORDERS, 'return balance'), condition: 'balance > 1e9' }] });
    const perEvent = (await dc.customRequest(CustomRequest.timeline, { buckets: timeline.total })).body;
    const marked = perEvent.buckets.filter((_: unknown, i: number) => perEvent.breakpointHits[i] > 0).map((b: { from: number }) => b.from);
    assert.equal(marked.length, 9, 'the charge line ran once per order; a conditional breakpoint is not drawn');
    const times: number[] = [];
    for (const seq of marked) {
      await dc.customRequest(CustomRequest.seek, { seq });
      assert.equal((await place(dc)).line, chargeLine);
      const info = (await dc.customRequest(CustomRequest.info)).body;
      assert.equal(info.seq, seq);
      times.push(info.ms);
    }
    assert.ok(times.every((ms, i) => typeof ms === 'number' && ms >= 0 && (i === 0 || ms >= times[i - 1])), `the position's time runs forward with it: ${times}`);
  });

  it('reverse step in and reverse step out', async () => {
    const feeReturn = lineOf(ORDERS, 'return amount * rate');
    await launchAndStop(dc, { recording: recs.orders }, [{ path: ORDERS, lines: [lineOf(ORDERS, 'if (order.status')] }]);
    let stopped = dc.waitForEvent('stopped');
    await dc.customRequest(CustomRequest.reverseStepIn, { threadId: 1 });
    await stopped;
    const back = await place(dc);
    assert.equal(back.name, 'settle', 'from the if, reverse step in lands on the return point of fee() in settle');
    stopped = dc.waitForEvent('stopped');
    await dc.customRequest(CustomRequest.reverseStepIn, { threadId: 1 });
    await stopped;
    const inFee = await place(dc);
    assert.equal(inFee.name, 'fee');
    assert.equal(inFee.line, feeReturn);
    stopped = dc.waitForEvent('stopped');
    await dc.customRequest(CustomRequest.reverseStepOut, { threadId: 1 });
    await stopped;
    const caller = await place(dc);
    assert.equal(caller.name, 'settle');
    assert.equal(caller.line, chargeLine);
  });

  it('async functions: stepping over an await stays in the same call; recursion and closures show their frames', async () => {
    const awaitLine = lineOf(ASYNC, 'const price = await fetchPrice(item)');
    await launchAndStop(dc, { recording: recs.async }, [{ path: ASYNC, lines: [awaitLine] }]);
    const atAwait = await place(dc);
    assert.equal(atAwait.name, 'checkout');
    await moveAndWait(dc, 'next');
    const after = await place(dc);
    assert.equal(after.name, 'checkout');
    assert.equal(after.line, lineOf(ASYNC, 'sum += price'));
    assert.equal(after.locals.price, '9');
    const asyncStack = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(asyncStack.body.stackFrames.map((f) => [f.name, f.presentationHint ?? 'normal']), [['checkout', 'normal'], ['await', 'label'], ['<module>', 'subtle']],
      'after the await, the stack shows who called checkout, behind an await label');
    assert.equal(asyncStack.body.stackFrames[2].line, lineOf(ASYNC, "checkout(['pen', 'notebook'])"));
    await moveAndWait(dc, 'stepBack');
    assert.deepEqual(await place(dc), atAwait);
    await dc.setBreakpointsRequest({ source: { path: ASYNC }, breakpoints: [{ line: lineOf(ASYNC, 'return n <= 1') }] });
    const depths: number[] = [];
    for (let i = 0; i < 5; i++) {
      await moveAndWait(dc, 'reverseContinue');
      const st = await dc.stackTraceRequest({ threadId: 1 });
      depths.push(st.body.stackFrames.filter((f) => f.name === 'factorial').length);
    }
    assert.deepEqual(depths, [5, 4, 3, 2, 1], 'each recursive hit, newest first, shows its whole recursion on the stack');
    await dc.setBreakpointsRequest({ source: { path: ASYNC }, breakpoints: [{ line: lineOf(ASYNC, 'return count;') }] });
    await moveAndWait(dc, 'reverseContinue');
    const closure = await place(dc);
    assert.equal(closure.line, lineOf(ASYNC, 'return count;'));
  });
});

describe('DAP: while the program is live', function () {
  this.timeout(120000);
  it('binds breakpoints, stops, steps and evaluates while recording', async () => {
    const dc = await startClient();
    try {
      const out = join(tempDir(), 'live');
      const s = await launchAndStop(dc, { program: ORDERS, out }, [{ path: ORDERS, lines: [lineOf(ORDERS, 'const rate =')] }]);
      assert.equal(s.body.reason, 'breakpoint');
      assert.equal((await place(dc)).locals.amount, '10');
      await moveAndWait(dc, 'next');
      await moveAndWait(dc, 'stepBack');
      assert.equal((await place(dc)).line, lineOf(ORDERS, 'const rate ='));
      const info = (await dc.customRequest(CustomRequest.info)).body;
      assert.equal(info.dir, out);
    } finally {
      await dc.stop();
    }
  });
});
