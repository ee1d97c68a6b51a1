/**
 * The ElixirScope side of the parity harness: the same program recorded and stepped through
 * the real debug adapter (dist/adapter.js) over DAP, the way VS Code drives it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { launchAndStop, moveAndWait, startClient } from '../helpers/dap';
import type { Step, Stop } from './inspector';
import { followUp, MAX_FOLLOW_UPS, Normaliser, type Place, type Rule } from './normalise';

export interface ElixirScopeRun { stops: Stop[]; ended: boolean; log: string[] }

/**
 * Records `programPath` (mode full) with a breakpoint at `breakpointLine`, stops there, then performs
 * `steps`, collecting a Stop after each. ElixirScope keeps the session open at the end of the
 * recording ("reached the end of the recording" and the same place again); that is where V8's
 * program ends, so the collection stops there too and `ended` is set.
 */
export async function runUnderElixirScope(programPath: string, breakpointLine: number, steps: Step[], rules: readonly Rule[] = []): Promise<Stop[]> {
  return (await runUnderElixirScopeDetailed(programPath, breakpointLine, steps, rules)).stops;
}

/** As runUnderElixirScope, with the run's details. `rules` (normalise.ts): stops to step past; none by default. */
export async function runUnderElixirScopeDetailed(programPath: string, breakpointLine: number, steps: Step[], rules: readonly Rule[] = []): Promise<ElixirScopeRun> {
  const dir = mkdtempSync(join(tmpdir(), 'es-parity-es-'));
  const dc = await startClient();
  const log: string[] = [];
  let ended = false;
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    log.push(e.body.output);
    if (/reached the end of the recording/.test(e.body.output)) ended = true;
  });
  try {
    const first = await launchAndStop(dc, { program: programPath, out: join(dir, 'rec'), mode: 'full' }, [{ path: programPath, lines: [breakpointLine] }]);
    if (first.body.reason !== 'breakpoint') throw new Error(`ElixirScope did not stop at the breakpoint ${programPath}:${breakpointLine} (stopped by ${first.body.reason}: ${first.body.description ?? ''})\n${log.join('')}`);
    const normaliser = new Normaliser(rules);
    const firstStop = await stopOf(dc);
    normaliser.classify({ ...firstStop, column: firstStop.column ?? 1, stack: firstStop.stack ?? [] });
    const stops: Stop[] = [firstStop];
    for (const step of steps) {
      const skipped: Array<Place & { rule: Rule }> = [];
      let stop: Stop | undefined;
      await moveAndWait(dc, step);
      while (!ended) {
        stop = await stopOf(dc);
        const rule = normaliser.classify({ ...stop, column: stop.column ?? 1, stack: stop.stack ?? [] });
        if (!rule || step === 'continue' || skipped.length >= MAX_FOLLOW_UPS) break;
        skipped.push({ file: stop.file, line: stop.line, column: stop.column ?? 1, functionName: stop.functionName, rule });
        stop = undefined;
        await moveAndWait(dc, followUp(step));
      }
      if (ended || !stop) break;
      stops.push(skipped.length ? { ...stop, skipped } : stop);
    }
    return { stops, ended, log };
  } finally {
    await dc.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The top frame and its locals, as VS Code shows them (test/helpers/dap.ts's place(), plus the column). */
async function stopOf(dc: DebugClient): Promise<Stop> {
  const { body } = await dc.stackTraceRequest({ threadId: 1 });
  const top = body.stackFrames[0];
  const locals: Record<string, string> = {};
  for (const scope of (await dc.scopesRequest({ frameId: top.id })).body.scopes) {
    for (const v of (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables) locals[v.name] = v.value;
  }
  const stack = body.stackFrames.map((f) => ({ file: f.source?.path ?? '', line: f.line, column: f.column, functionName: f.name }));
  return { file: top.source?.path ?? '', line: top.line, column: top.column, functionName: top.name, locals, stack };
}
