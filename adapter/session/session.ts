import {
  BreakpointEvent, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import { CustomRequest, type ElixirScopeLaunchArgs, type RecordingInfo, type SeekArgs } from '../../protocol/requests';
import { TemporalEngine } from '../engine/engine';
import type { Direction, Stop } from '../engine/navigator';
import type { FrameState } from '../engine/state';
import { RecordingReader } from '../store/reader';
import { startRecording, type Recording } from '../targets/record';
import { BreakpointTable } from './breakpoints';
import { evaluatePath } from './evaluate';
import { VariableHandles } from './variables';

const THREAD_ID = 1;
const FOLLOW_INTERVAL_MS = 50;

type Movement = (stop: Stop, dir: Direction) => Promise<Stop | undefined>;

/**
 * The DAP front of ElixirScope. Every request is translated into a question for the
 * temporal engine about the current position in time (`stop`); the program itself,
 * when live, keeps running and the recording grows underneath.
 */
export class ElixirScopeSession extends LoggingDebugSession {
  private engine: TemporalEngine | undefined;
  private recording: Recording | undefined;
  private position: Stop | undefined;
  private frames: FrameState[] = [];
  private readonly variables = new VariableHandles();
  private readonly breakpoints = new BreakpointTable();
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => { this.configured = resolve; });
  private live = false;
  private scannedTo = 0;
  private stopOnEntry = false;
  private follower: NodeJS.Timeout | undefined;
  private grew: Array<() => void> = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      supportsValueFormattingOptions: true,
      supportsBreakpointLocationsRequest: true,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments & ElixirScopeLaunchArgs): Promise<void> {
    try {
      await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 2000))]);
      this.stopOnEntry = !!args.stopOnEntry;
      if (args.recording) await this.openRecording(args.recording);
      else if (args.program) await this.record(args);
      else throw new Error('launch needs "program" (to record) or "recording" (to replay)');
      this.sendResponse(response);
      if (!this.live) await this.settleReplay();
    } catch (err) {
      this.sendErrorResponse(response, { id: 1001, format: (err as Error).message, showUser: true });
    }
  }

  private async openRecording(dir: string): Promise<void> {
    this.engine = await TemporalEngine.open(dir);
    this.announceBindings();
    const s = this.engine.stats();
    this.log(`replaying ${dir}: ${s.events} events${s.complete ? '' : ' (incomplete: the program did not end cleanly)'}`);
  }

  private async record(args: ElixirScopeLaunchArgs): Promise<void> {
    const rec = await startRecording({
      program: args.program!, args: args.args, cwd: args.cwd, env: args.env, mode: args.mode, out: args.out,
      runtimeExecutable: args.runtimeExecutable, stdio: ['ignore', 'pipe', 'pipe'], log: (m) => this.log(m),
    });
    this.recording = rec;
    this.live = true;
    rec.child.stdout?.on('data', (d: Buffer) => this.sendEvent(new OutputEvent(d.toString(), 'stdout')));
    rec.child.stderr?.on('data', (d: Buffer) => this.sendEvent(new OutputEvent(d.toString(), 'stderr')));
    this.engine = TemporalEngine.over(await RecordingReader.open(rec.dir, rec.writer.database));
    this.follower = setInterval(() => void this.follow(), FOLLOW_INTERVAL_MS);
    rec.finished.then(({ code, signal }) => this.serialize(async () => {
      this.log(`program exited ${signal ? `by ${signal}` : `with code ${code}`}; the recording stays open: step and continue in both directions`);
      await this.follow(true);
      this.live = false;
      clearInterval(this.follower);
      this.wake();
      if (!this.position) await this.settleReplay();
    }), (err: Error) => this.log(`recording failed: ${err.message}`));
  }

  /** Pulls newly stored events into view; stops at entry or at the first breakpoint hit among them. */
  private async follow(final = false): Promise<void> {
    const rec = this.recording, engine = this.engine;
    if (!rec || !engine || (!final && rec.writer.length === engine.reader.length)) return;
    await rec.writer.flush();
    await engine.refresh();
    this.announceBindings();
    this.wake();
    if (this.position) return;
    const found = this.stopOnEntry ? await engine.nav.first() : await engine.nav.continueTo(this.scannedTo - 1, 1, this.breakpoints.sites());
    this.scannedTo = engine.reader.length;
    if (found && !this.position) this.arrive(found, this.stopOnEntry ? 'entry' : 'breakpoint');
  }

  /** With the program gone: stop at entry, at the first breakpoint, or at the end of the recording. */
  private async settleReplay(): Promise<void> {
    const nav = this.engine!.nav;
    const found = this.stopOnEntry ? await nav.first() : await nav.continueTo(this.scannedTo - 1, 1, this.breakpoints.sites());
    if (found) return this.arrive(found, this.stopOnEntry ? 'entry' : 'breakpoint');
    const end = await nav.last();
    if (end) this.arrive(end, 'pause', 'Program ended: replaying its recording');
    else { this.log('nothing was recorded'); this.sendEvent(new TerminatedEvent()); }
  }

  private announceBindings(): void {
    for (const bp of this.breakpoints.bind(this.engine!)) this.sendEvent(new BreakpointEvent('changed', bp));
  }

  private arrive(stop: Stop, reason: string, description?: string): void {
    this.position = stop;
    this.frames = [];
    this.variables.reset();
    const event = new StoppedEvent(reason, THREAD_ID) as DebugProtocol.StoppedEvent;
    if (reason === 'breakpoint') event.body.hitBreakpointIds = this.breakpoints.idsForSite(stop.site);
    if (description) event.body.description = description;
    event.body.allThreadsStopped = true;
    this.sendEvent(event);
  }

  /** Runs a movement; while the program is live and history runs out, waits for more of it. */
  private move(response: DebugProtocol.Response, movement: Movement, dir: Direction, reason: string): void {
    this.sendResponse(response);
    void this.serialize(async () => {
      const from = this.position;
      if (!from || !this.engine) return;
      for (;;) {
        const to = await movement(from, dir);
        if (to) return this.arrive(to, reason);
        if (dir === -1 || !this.live) break;
        await new Promise<void>((resolve) => this.grew.push(resolve));
      }
      const edge = dir === 1 ? await this.engine.nav.last() : await this.engine.nav.first();
      this.log(dir === 1 ? 'reached the end of the recording' : 'reached the start of the recording');
      this.arrive(edge ?? from, dir === 1 ? 'step' : 'entry');
    });
  }

  private wake(): void { const waiting = this.grew; this.grew = []; waiting.forEach((w) => w()); }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch((err: Error) => this.log(`internal error: ${err.stack ?? err.message}`));
    return next;
  }

  private readonly continueMove: Movement = (stop, dir) => this.engine!.nav.continueTo(stop.seq, dir, this.breakpoints.sites());

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.move(response, this.continueMove, 1, 'breakpoint');
  }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void { this.move(response, this.continueMove, -1, 'breakpoint'); }
  protected override nextRequest(response: DebugProtocol.NextResponse): void { this.move(response, (s, d) => this.engine!.nav.stepOver(s, d), 1, 'step'); }
  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void { this.move(response, (s, d) => this.engine!.nav.stepOver(s, d), -1, 'step'); }
  protected override stepInRequest(response: DebugProtocol.StepInResponse): void { this.move(response, (s, d) => this.engine!.nav.stepIn(s, d), 1, 'step'); }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void { this.move(response, (s, d) => this.engine!.nav.stepOut(s, d), 1, 'step'); }

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const path = args.source.path ?? '';
    const lines = (args.breakpoints ?? []).map((b) => b.line);
    await this.serialize(async () => { response.body = { breakpoints: this.breakpoints.set(path, lines, this.engine) }; });
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const file = args.source.path && this.engine?.sites.resolveFile(args.source.path);
    response.body = { breakpoints: file ? this.engine!.sites.linesBetween(file, args.line, args.endLine ?? args.line).map((line) => ({ line })) : [] };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'main')] };
    this.sendResponse(response);
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    await this.serialize(async () => {
      if (this.position && !this.frames.length) this.frames = await this.engine!.state.stack(this.position);
      const start = args.startFrame ?? 0;
      const frames = this.frames.slice(start, args.levels ? start + args.levels : undefined);
      response.body = {
        stackFrames: frames.map((f, i) => new StackFrame(start + i + 1, f.name, new Source(basename(f.file), f.file), f.line, f.column)),
        totalFrames: this.frames.length,
      };
    });
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const frame = this.frames[args.frameId - 1];
    response.body = { scopes: frame ? [new Scope('Locals', this.variables.forLocals(frame.frame, frame.seq), false)] : [] };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const handle = this.variables.get(args.variablesReference);
    const hex = !!args.format?.hex;
    await this.serialize(async () => {
      if (!handle) response.body = { variables: [] };
      else if (handle.kind === 'locals') response.body = { variables: this.variables.localsToVariables(await this.engine!.state.locals(handle.frame, handle.seq), hex) };
      else response.body = { variables: this.variables.childrenToVariables(handle.value, hex) };
    });
    this.sendResponse(response);
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    await this.serialize(async () => {
      const frame = this.frames[(args.frameId ?? 1) - 1] ?? (this.position && (await this.engine!.state.stack(this.position))[0]);
      if (!frame) throw new Error('not stopped');
      const locals = await this.engine!.state.locals(frame.frame, frame.seq);
      const value = evaluatePath(args.expression, locals);
      const v = this.variables.toVariable(args.expression, value, !!args.format?.hex);
      response.body = { result: v.value, variablesReference: v.variablesReference };
    }).then(() => this.sendResponse(response), (err: Error) => this.sendErrorResponse(response, { id: 1002, format: err.message, showUser: false }));
  }

  protected override async customRequest(command: string, response: DebugProtocol.Response, args: unknown): Promise<void> {
    try {
      if (command === CustomRequest.seek) {
        const stop = await this.engine?.stopNear((args as SeekArgs).seq);
        if (!stop) throw new Error(`no position at seq ${(args as SeekArgs).seq}`);
        this.sendResponse(response);
        return this.arrive(stop, 'goto');
      }
      if (command === CustomRequest.info && this.engine) {
        const s = this.engine.stats();
        const info: RecordingInfo = { dir: this.engine.reader.dir, events: s.events, bytes: s.bytes, seq: this.position?.seq ?? 0, live: this.live };
        response.body = info;
        return this.sendResponse(response);
      }
      throw new Error(`unsupported request ${command}`);
    } catch (err) {
      this.sendErrorResponse(response, { id: 1003, format: (err as Error).message, showUser: false });
    }
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.recording?.child.kill('SIGTERM');
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    clearInterval(this.follower);
    if (this.recording && this.live) this.recording.child.kill('SIGKILL');
    try {
      await this.recording?.finished.catch(() => undefined);
      await this.engine?.close();
      await this.recording?.writer.close();
    } finally {
      this.sendResponse(response);
    }
  }

  private log(message: string): void { this.sendEvent(new OutputEvent(`elixirscope: ${message}\n`, 'console')); }
}
