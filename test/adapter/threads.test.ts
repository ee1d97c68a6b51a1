import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { join } from 'node:path';
import { packageRoot } from '../../adapter/targets/paths';
import { launchAndStop, startClient } from '../helpers/dap';
import { lineOf } from '../helpers/example';
import { tempDir } from '../helpers/temp';
import { runRecorded } from '../equivalence/run';

const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'threads');
const MAIN = join(FIXTURE, 'main.js');
const WORKER = join(FIXTURE, 'worker.js');

interface Top { line: number; file: string; name: string; locals: Record<string, string> }

/** The top frame of one thread and its locals. */
async function top(dc: DebugClient, threadId: number): Promise<Top> {
  const { body } = await dc.stackTraceRequest({ threadId });
  const f = body.stackFrames.find((s) => s.presentationHint !== 'label')!;
  const locals: Record<string, string> = {};
  for (const scope of (await dc.scopesRequest({ frameId: f.id })).body.scopes) {
    for (const v of (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables) locals[v.name] = v.value;
  }
  return { line: f.line, file: f.source?.path ?? '', name: f.name, locals };
}

async function move(dc: DebugClient, request: 'next' | 'stepBack' | 'continue' | 'reverseContinue', threadId: number): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.send(request, { threadId });
  return stopped;
}

describe('DAP: a program with worker threads', function () {
  this.timeout(120000);
  let dc: DebugClient;
  let out: string;
  beforeEach(async () => { dc = await startClient(); });
  afterEach(async () => { await dc.stop(); });
  before(() => { out = tempDir(); });

  const taxLine = lineOf(WORKER, 'total += withTax');
  const summaryLine = lineOf(MAIN, 'console.log(summary)');

  it('lists the workers as threads and stops at a breakpoint in worker code, on the worker thread', async () => {
    const stopped = await launchAndStop(dc, { program: MAIN, out: join(out, '1') }, [{ path: WORKER, lines: [taxLine] }]);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal(stopped.body.allThreadsStopped, true);
    // While the program runs, a Worker shows up once its runtime has connected: the other Worker
    // may not be there yet (the whole list is checked on the finished recording below).
    const { threads } = (await dc.threadsRequest()).body;
    const main = threads.find((t) => t.id === 1);
    assert.equal(main?.name, 'main');
    const pricer = threads.find((t) => /^Worker \d+ "pricer" \(worker\.js\)$/.test(t.name));
    assert.ok(pricer, `threads: ${threads.map((t) => `${t.id} ${t.name}`).join(', ')}`);
    // Only the pricer runs price(): the stop is on its thread.
    assert.equal(stopped.body.threadId, pricer.id);
    const here = await top(dc, pricer.id);
    assert.equal(here.file, WORKER);
    assert.equal(here.line, taxLine);
    assert.equal(here.name, 'price');
    assert.equal(here.locals.item, '3');
    assert.equal(here.locals.withTax, '6');
    assert.equal(here.locals.total, '0');
    // The main thread at the same moment: in main.js, not in the worker's code.
    const mainStack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.filter((f) => f.presentationHint !== 'label');
    assert.ok(mainStack.length > 0, 'the main thread has a stack at that moment');
    assert.ok(mainStack.every((f) => f.source?.path === MAIN), `main stack: ${mainStack.map((f) => `${f.name} ${f.source?.path}:${f.line}`).join(' | ')}`);
    // Evaluate in the worker's frame.
    const frameId = (await dc.stackTraceRequest({ threadId: pricer.id })).body.stackFrames[0].id;
    assert.equal((await dc.evaluateRequest({ expression: 'withTax * 10', frameId })).body.result, '60');
  });

  it('steps, steps back and continues in both directions on the worker thread', async () => {
    await launchAndStop(dc, { program: MAIN, out: join(out, '2') }, [{ path: WORKER, lines: [taxLine] }]);
    const { threads } = (await dc.threadsRequest()).body;
    const pricer = threads.find((t) => /"pricer"/.test(t.name))!;
    const first = await top(dc, pricer.id);
    const next = await move(dc, 'next', pricer.id);
    assert.equal(next.body.threadId, pricer.id);
    const after = await top(dc, pricer.id);
    assert.equal(after.file, WORKER);
    assert.equal(after.locals.total, '6');
    const back = await move(dc, 'stepBack', pricer.id);
    assert.equal(back.body.threadId, pricer.id);
    assert.deepEqual(await top(dc, pricer.id), first);
    const cont = await move(dc, 'continue', pricer.id);
    assert.equal(cont.body.threadId, pricer.id);
    const second = await top(dc, pricer.id);
    assert.equal(second.line, taxLine);
    assert.equal(second.locals.item, '4');
    assert.equal(second.locals.withTax, '8');
    await move(dc, 'reverseContinue', pricer.id);
    assert.deepEqual(await top(dc, pricer.id), first);
  });

  // On a finished recording: while a program runs, a worker's events may reach the adapter after a
  // later stop of another thread was decided (see ARCHITECTURE.md, threads).
  it('continues from worker hits to a main-thread breakpoint in time order, then back (replay)', async () => {
    const dir = join(out, '3');
    const rec = runRecorded(MAIN, FIXTURE, dir);
    assert.equal(rec.code, 0, rec.stderr);
    await launchAndStop(dc, { recording: dir }, [{ path: WORKER, lines: [taxLine] }, { path: MAIN, lines: [summaryLine] }]);
    const pricer = (await dc.threadsRequest()).body.threads.find((t) => /"pricer"/.test(t.name))!;
    // Three items in the pricer, then the summary on the main thread once both workers are done.
    for (const item of ['4', '5']) {
      const s = await move(dc, 'continue', 1);
      assert.equal(s.body.threadId, pricer.id);
      assert.equal((await top(dc, pricer.id)).locals.item, item);
    }
    const atSummary = await move(dc, 'continue', pricer.id);
    assert.equal(atSummary.body.threadId, 1);
    const main = await top(dc, 1);
    assert.equal(main.file, MAIN);
    assert.equal(main.line, summaryLine);
    assert.equal(main.name, 'main');
    assert.equal(main.locals.summary, '"main 6 pricer 24 square 36,49"');
    // The pricer has ended by then: its last events are shown (not a later or missing moment).
    const pricerStack = (await dc.stackTraceRequest({ threadId: pricer.id })).body.stackFrames;
    assert.ok(pricerStack.every((f) => f.source?.path === WORKER || f.presentationHint === 'label'));
    const back = await move(dc, 'reverseContinue', 1);
    assert.equal(back.body.threadId, pricer.id);
    assert.equal((await top(dc, pricer.id)).locals.item, '5');
  });

  it('replays a finished recording with its threads', async () => {
    const dir = join(out, '4');
    const first = await launchAndStop(dc, { program: MAIN, out: dir }, [{ path: WORKER, lines: [taxLine] }]);
    // Let the program finish (every thread pauses while one is stopped), then replay what it recorded.
    await dc.setBreakpointsRequest({ source: { path: WORKER }, breakpoints: [] });
    const exited = dc.waitForEvent('exited', 30000);
    await dc.continueRequest({ threadId: first.body.threadId! });
    await exited;
    await dc.disconnectRequest({});
    await dc.stop();
    dc = await startClient();
    const again = await launchAndStop(dc, { recording: dir }, [{ path: WORKER, lines: [taxLine] }]);
    assert.equal(again.body.threadId, first.body.threadId);
    const threads = (await dc.threadsRequest()).body.threads;
    assert.equal(threads.length, 3, threads.map((t) => `${t.id} ${t.name}`).join(', '));
    assert.deepEqual(threads[0], { id: 1, name: 'main' });
    const pricer = threads.find((t) => t.id === again.body.threadId);
    assert.match(pricer?.name ?? '', /^Worker \d+ "pricer" \(worker\.js\)$/);
    assert.ok(threads.some((t) => t !== pricer && /^Worker \d+ \(worker\.js\)$/.test(t.name)), 'the unnamed Worker');
    assert.equal((await top(dc, again.body.threadId!)).locals.item, '3');
  });
});
