import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { bundlePath } from '../../adapter/targets/paths';
import { CustomRequest, type RecordingInfo } from '../../protocol/requests';
import { tempDir } from './temp';

/** A DAP client talking to the real adapter bundle over stdio. */
export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, bundlePath('adapter'), 'elixirscope', { shell: false }, true);
  dc.defaultTimeout = 30000;
  await dc.start();
  return dc;
}

export interface Place { line: number; file: string; name: string; locals: Record<string, string> }

/** Where the thread is stopped and the innermost frame's locals, as VS Code would show them. */
export async function place(dc: DebugClient): Promise<Place> {
  const { body } = await dc.stackTraceRequest({ threadId: 1 });
  const top = body.stackFrames[0];
  const scopes = await dc.scopesRequest({ frameId: top.id });
  const locals: Record<string, string> = {};
  for (const scope of scopes.body.scopes) {
    const vars = await dc.variablesRequest({ variablesReference: scope.variablesReference });
    for (const v of vars.body.variables) locals[v.name] = v.value;
  }
  return { line: top.line, file: top.source?.path ?? '', name: top.name, locals };
}

/** Sends a movement request and waits for the stop it causes. */
export async function moveAndWait(dc: DebugClient, request: 'next' | 'stepBack' | 'stepIn' | 'stepOut' | 'continue' | 'reverseContinue'): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.send(request, { threadId: 1 });
  return stopped;
}

/** Launches and configures with breakpoints, resolving at the first stop. */
export async function launchAndStop(dc: DebugClient, launch: Record<string, unknown>, breakpoints: Array<{ path: string; lines: number[] }>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      for (const b of breakpoints) await dc.setBreakpointsRequest({ source: { path: b.path }, breakpoints: b.lines.map((line) => ({ line })) });
      await dc.configurationDoneRequest();
    }),
    dc.launch(launch),
  ]);
  return stopped;
}

/** The program's output of one category as the Debug Console received it so far. */
export function outputOf(dc: DebugClient, category = 'stdout'): () => string {
  let text = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === category) text += e.body.output; });
  return () => text;
}

/** Events the (main thread's) recording holds so far. */
export async function eventsRecorded(dc: DebugClient): Promise<number> {
  return ((await dc.customRequest(CustomRequest.info)).body as RecordingInfo).events;
}

/**
 * Mocha hooks for live sessions of a program that runs until the file named by its first argument
 * exists: a client per test, and the file written after it so the program ends.
 */
export function liveSessions(program: string): { client(): DebugClient; launch(): Record<string, unknown>; end(): void } {
  let dc: DebugClient;
  let stopFile: string;
  beforeEach(async () => {
    dc = await startClient();
    stopFile = join(tempDir(), 'stop');
  });
  afterEach(async () => {
    writeFileSync(stopFile, '');
    await dc.stop();
  });
  return { client: () => dc, launch: () => ({ program, args: [stopFile], out: join(tempDir(), 'rec') }), end: () => writeFileSync(stopFile, '') };
}
