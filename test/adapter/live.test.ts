import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { bundlePath } from '../../adapter/targets/paths';
import { eventsRecorded, launchAndStop, liveSessions, moveAndWait, outputOf, place, startClient } from '../helpers/dap';
import { lineOf, PROGRAMS } from '../helpers/example';
import { tempDir } from '../helpers/temp';

const LIVE = join(PROGRAMS, 'live.ts');
const TICKER = join(PROGRAMS, 'ticker.ts');
const THROWS = join(PROGRAMS, 'live-throws.ts');
const UNCAUGHT = join(PROGRAMS, 'uncaught.js');
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Launches `program` live with only an exception filter set, resolving at the first stop. */
async function launchWithExceptionFilter(dc: DebugClient, filter: 'all' | 'uncaught', program: string): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [filter] });
      await dc.configurationDoneRequest();
    }),
    dc.launch({ program, out: join(tempDir(), 'rec') }),
  ]);
  return stopped;
}

describe('DAP: a live program really pauses', function () {
  this.timeout(120000);
  const sessions = liveSessions(LIVE);
  const launch = sessions.launch;
  let dc: DebugClient;
  beforeEach(() => { dc = sessions.client(); });

  it('at a breakpoint the program waits: what it prints next comes only after continue', async () => {
    const out = outputOf(dc);
    const printLine = lineOf(LIVE, 'console.log(`step ${i}`)');
    await launchAndStop(dc, launch(), [{ path: LIVE, lines: [printLine] }]);
    assert.equal((await place(dc)).locals.i, '1');
    await delay(700);
    assert.match(out(), /started/);
    assert.doesNotMatch(out(), /step 1/, 'the program ran past the breakpoint');
    const events = await eventsRecorded(dc);
    await moveAndWait(dc, 'continue');
    assert.equal((await place(dc)).locals.i, '2');
    await delay(300);
    assert.match(out(), /step 1/);
    assert.doesNotMatch(out(), /step 2/);
    assert.ok(await eventsRecorded(dc) > events);
    await moveAndWait(dc, 'stepBack');
    await moveAndWait(dc, 'reverseContinue');
    assert.equal((await place(dc)).locals.i, '1', 'history stays reachable while the program waits');
  });

  it('stepping at the present runs the program one statement at a time: over, in and out', async () => {
    const out = outputOf(dc);
    const callLine = lineOf(LIVE, 'total += tick(i)');
    await launchAndStop(dc, launch(), [{ path: LIVE, lines: [callLine] }]);
    await dc.setBreakpointsRequest({ source: { path: LIVE }, breakpoints: [] });
    await moveAndWait(dc, 'next');
    assert.equal((await place(dc)).line, lineOf(LIVE, 'console.log(`step ${i}`)'));
    assert.equal((await place(dc)).locals.total, '3');
    await delay(300);
    assert.doesNotMatch(out(), /step 1/);
    await moveAndWait(dc, 'next');
    await delay(300);
    assert.match(out(), /step 1/);
    assert.doesNotMatch(out(), /step 2/);
    let p = await place(dc);
    while (p.line !== callLine) { await moveAndWait(dc, 'next'); p = await place(dc); }
    assert.equal(p.locals.i, '2');
    await moveAndWait(dc, 'stepIn');
    p = await place(dc);
    assert.equal(p.name, 'tick');
    assert.equal(p.line, lineOf(LIVE, 'const doubled = n * 2'));
    assert.equal(p.locals.n, '2');
    await moveAndWait(dc, 'stepOut');
    p = await place(dc);
    assert.notEqual(p.name, 'tick');
    assert.equal(p.line, callLine);
    await moveAndWait(dc, 'next');
    assert.equal((await place(dc)).locals.total, '8');
    await delay(300);
    assert.doesNotMatch(out(), /step 2/);
  });

  it('pause stops a busy program at its next statement; a breakpoint set while it runs pauses it', async () => {
    const out = outputOf(dc);
    const stopped = () => dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch(launch()),
    ]);
    while (!/total/.test(out())) await delay(50);
    const paused = stopped();
    await dc.pauseRequest({ threadId: 1 });
    assert.equal((await paused).body.reason, 'pause');
    const loopLines = [lineOf(LIVE, 'while (Date.now()'), lineOf(LIVE, 'spins = spins + 1'), lineOf(LIVE, 'Atomics.wait(nap')];
    assert.ok(loopLines.includes((await place(dc)).line), `paused in the busy loop, not at line ${(await place(dc)).line}`);
    const events = await eventsRecorded(dc);
    await delay(2500); // a busy program publishes its events a block (about 1 s of this loop) at a time
    assert.equal(await eventsRecorded(dc), events, 'the recording grew while paused');

    const hit = stopped();
    await dc.continueRequest({ threadId: 1 });
    const spinLine = lineOf(LIVE, 'spins = spins + 1');
    await dc.setBreakpointsRequest({ source: { path: LIVE }, breakpoints: [{ line: spinLine, condition: 'spins >= 3' }] });
    const s = await hit;
    assert.equal(s.body.reason, 'breakpoint');
    const at = await place(dc);
    assert.equal(at.line, spinLine);
    assert.ok(Number(at.locals.spins) >= 3);
    const spins = at.locals.spins;
    await delay(300);
    assert.equal((await place(dc)).locals.spins, spins);

    await dc.setBreakpointsRequest({ source: { path: LIVE }, breakpoints: [] });
    sessions.end();
    const ended = stopped();
    await dc.continueRequest({ threadId: 1 });
    await ended;
    assert.match(out(), /spun true/);
  });

  it('a condition that keeps failing stops pausing the program, and its stop is still found', async () => {
    const log: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'console') log.push(e.body.output); });
    const spinLine = lineOf(LIVE, 'spins = spins + 1');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        await dc.setBreakpointsRequest({ source: { path: LIVE }, breakpoints: [{ line: spinLine, condition: 'spins === 70' }] });
        await dc.configurationDoneRequest();
      }),
      dc.launch(launch()),
    ]);
    assert.equal((await stopped).body.reason, 'breakpoint');
    assert.equal((await place(dc)).locals.spins, '70');
    assert.ok(log.some((l) => /paused here 50 times without stopping/.test(l)), log.join(''));
  });

  it('a data breakpoint pauses the program after the write', async () => {
    const spinLine = lineOf(LIVE, 'spins = spins + 1');
    await launchAndStop(dc, launch(), [{ path: LIVE, lines: [spinLine] }]);
    const { body } = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: body.stackFrames[0].id });
    const ref = scopes.body.scopes[0].variablesReference;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: ref, name: 'spins' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
    await dc.setBreakpointsRequest({ source: { path: LIVE }, breakpoints: [] });
    const before = Number((await place(dc)).locals.spins);
    const s = await moveAndWait(dc, 'continue');
    assert.equal(s.body.reason, 'data breakpoint');
    const after = (await place(dc)).locals.spins;
    assert.equal(Number(after), before + 1);
    await delay(400);
    assert.equal((await place(dc)).locals.spins, after);
    // A busy program publishes its events a block (~1024 words, here about 1 s of spinning) at a time.
    const events = await eventsRecorded(dc);
    await delay(2500);
    assert.equal(await eventsRecorded(dc), events, 'the program ran on after the data breakpoint');
  });

  it('caught exceptions (filter "all") pause the program where the exception leaves a frame', async () => {
    const out = outputOf(dc);
    assert.equal((await launchWithExceptionFilter(dc, 'all', THROWS)).body.reason, 'exception');
    assert.equal((await dc.exceptionInfoRequest({ threadId: 1 })).body.description, 'even 2');
    await delay(500);
    assert.doesNotMatch(out(), /caught 1/, 'the program ran past the throw');
    await moveAndWait(dc, 'continue');
    assert.equal((await dc.exceptionInfoRequest({ threadId: 1 })).body.description, 'even 4');
    await delay(300);
    assert.match(out(), /caught 1/);
    assert.doesNotMatch(out(), /caught 2/);
  });

  it('an uncaught exception (filter "uncaught") pauses the program before Node reports it; the handled ones do not', async () => {
    const out = outputOf(dc), err = outputOf(dc, 'stderr');
    let exited = false;
    dc.on('exited', () => { exited = true; });
    assert.equal((await launchWithExceptionFilter(dc, 'uncaught', UNCAUGHT)).body.reason, 'exception');
    assert.equal((await place(dc)).line, lineOf(UNCAUGHT, 'throw fatal;'));
    assert.equal((await dc.exceptionInfoRequest({ threadId: 1 })).body.breakMode, 'unhandled');
    await delay(500);
    assert.match(out(), /caught handled: awaited/);
    assert.doesNotMatch(err(), /not handled/, 'Node reported the exception before the user continued');
    assert.equal(exited, false);
    const gone = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await gone).body.exitCode, 1);
    await delay(300);
    assert.match(err(), /TypeError: not handled/);
  });

  it('terminate while paused lets the program end through its own signal handling', async () => {
    const rec = join(tempDir(), 'rec');
    const own = await startClient();
    await launchAndStop(own, { program: TICKER, out: rec }, [{ path: TICKER, lines: [lineOf(TICKER, 'ticks = ticks + 1')] }]);
    const terminated = own.waitForEvent('terminated');
    await own.terminateRequest();
    await terminated;
    await own.stop();
    const stats = JSON.parse(execFileSync(process.execPath, [bundlePath('cli'), 'query', rec, 'stats', '--json'], { encoding: 'utf8' })) as { complete: boolean; exitCode: number };
    assert.equal(stats.complete, true, 'the runtime flushed and ended the recording');
    assert.equal(stats.exitCode, 128 + 15);
  });
});
