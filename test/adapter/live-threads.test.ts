import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { packageRoot } from '../../adapter/targets/paths';
import { eventsRecorded, launchAndStop, liveSessions, outputOf } from '../helpers/dap';
import { lineOf } from '../helpers/example';

const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'threads');
const MAIN = join(FIXTURE, 'live-main.js');
const WORKER = join(FIXTURE, 'live-worker.js');
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Top { line: number; frameId: number; locals: Record<string, string>; localsRef: number }

async function top(dc: DebugClient, threadId: number): Promise<Top> {
  const f = (await dc.stackTraceRequest({ threadId })).body.stackFrames.find((s) => s.presentationHint !== 'label')!;
  const scope = (await dc.scopesRequest({ frameId: f.id })).body.scopes[0];
  const locals: Record<string, string> = {};
  for (const v of (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables) locals[v.name] = v.value;
  return { line: f.line, frameId: f.id, locals, localsRef: scope.variablesReference };
}

async function move(dc: DebugClient, request: string, threadId: number): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.send(request, { threadId });
  return stopped;
}

async function workerThread(dc: DebugClient): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const found = (await dc.threadsRequest()).body.threads.find((t) => /"ticker"/.test(t.name));
    if (found) return found.id;
    await delay(100);
  }
  throw new Error('the worker thread never showed up');
}

describe('DAP: worker threads of a live program really pause', function () {
  this.timeout(120000);
  const sessions = liveSessions(MAIN);
  const launch = sessions.launch;
  let dc: DebugClient;
  beforeEach(() => { dc = sessions.client(); });
  const printLine = lineOf(WORKER, 'console.log(label)');
  const nextLine = lineOf(WORKER, 'if (!fs.existsSync');

  it('a breakpoint in a Worker blocks it, and the main thread stops too, until continue', async () => {
    const out = outputOf(dc);
    const stopped = await launchAndStop(dc, launch(), [{ path: WORKER, lines: [printLine] }]);
    const worker = await workerThread(dc);
    assert.equal(stopped.body.threadId, worker);
    assert.equal(stopped.body.allThreadsStopped, true);
    assert.equal((await top(dc, worker)).locals.count, '1');
    await delay(300); // the main thread pauses at its next statement or idle tick
    const before = await eventsRecorded(dc);
    await delay(700);
    assert.match(out(), /main started/);
    assert.doesNotMatch(out(), /worker tick 1/, 'the worker ran past its breakpoint');
    assert.equal(await eventsRecorded(dc), before, 'the main thread kept running while the worker was stopped');
    const again = await move(dc, 'continue', worker);
    assert.equal(again.body.threadId, worker);
    const second = await top(dc, worker);
    assert.deepEqual([again.body.reason, second.line, second.locals.count], ['breakpoint', printLine, '2']);
    await delay(500);
    assert.match(out(), /worker tick 1/);
    assert.doesNotMatch(out(), /worker tick 2/, `the worker ran past its second stop; recorded events: ${await eventsRecorded(dc)}`);
    // History stays reachable while both threads wait.
    const back = await move(dc, 'reverseContinue', worker);
    assert.equal(back.body.threadId, worker);
    assert.equal((await top(dc, worker)).locals.count, '1');
  });

  it('a breakpoint on the first statement of a Worker holds before the Worker has connected', async () => {
    const out = outputOf(dc);
    const first = lineOf(WORKER, "const { parentPort, workerData } = require('node:worker_threads')");
    const stopped = await launchAndStop(dc, launch(), [{ path: WORKER, lines: [first] }]);
    const worker = await workerThread(dc);
    assert.equal(stopped.body.threadId, worker);
    assert.equal((await top(dc, worker)).line, first);
    await delay(500);
    assert.doesNotMatch(out(), /worker tick/, 'the worker ran past its first line');
  });

  it('stepping a Worker past what is recorded runs it one statement at a time', async () => {
    const out = outputOf(dc);
    await launchAndStop(dc, launch(), [{ path: WORKER, lines: [printLine] }]);
    const worker = await workerThread(dc);
    const stepped = await move(dc, 'next', worker);
    assert.equal(stepped.body.threadId, worker);
    const here = await top(dc, worker);
    assert.equal(here.line, nextLine);
    assert.equal(here.locals.count, '1');
    await delay(500);
    assert.doesNotMatch(out(), /worker tick 2/, 'the worker ran on after the step');
    const back = await move(dc, 'stepBack', worker);
    assert.equal(back.body.threadId, worker);
    assert.equal((await top(dc, worker)).line, printLine);
  });

  it('pause stops a Worker that waits for its timer', async () => {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.configurationSequence(), dc.launch(launch())]);
    const worker = await workerThread(dc);
    await delay(300);
    await dc.pauseRequest({ threadId: worker });
    const paused = await stopped;
    assert.equal(paused.body.reason, 'pause');
    assert.equal(paused.body.threadId, worker);
    const out = outputOf(dc);
    await delay(600);
    assert.doesNotMatch(out(), /worker tick/, 'the worker kept ticking while paused');
  });

  it('a data breakpoint on a Worker variable stops live after each write, and in both directions over the recording', async () => {
    await launchAndStop(dc, launch(), [{ path: WORKER, lines: [lineOf(WORKER, 'let sum = 0')] }]);
    const worker = await workerThread(dc);
    const at = await top(dc, worker);
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: at.localsRef, name: 'sum' });
    assert.ok(info.body.dataId, info.body.description);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    await dc.setBreakpointsRequest({ source: { path: WORKER }, breakpoints: [] });
    const sums: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await move(dc, 'continue', worker);
      assert.equal(s.body.reason, 'data breakpoint');
      assert.equal(s.body.threadId, worker);
      sums.push((await top(dc, worker)).locals.sum);
    }
    assert.deepEqual(sums, ['0', '1', '3']);
    const back = await move(dc, 'reverseContinue', worker);
    assert.equal(back.body.reason, 'data breakpoint');
    assert.equal(back.body.threadId, worker);
    assert.equal((await top(dc, worker)).locals.sum, '1');
  });

  it('terminate while a Worker is paused ends the program', async () => {
    await launchAndStop(dc, launch(), [{ path: WORKER, lines: [printLine] }]);
    const exited = dc.waitForEvent('exited', 20000) as Promise<DebugProtocol.ExitedEvent>;
    const terminated = dc.waitForEvent('terminated', 20000);
    await dc.terminateRequest();
    // Ended by the SIGTERM (143), not by the SIGKILL that follows when a paused thread cannot take it (137).
    assert.equal((await exited).body.exitCode, 143);
    await terminated;
  });
});
