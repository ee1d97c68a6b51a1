import {
  BreakpointEvent, ExitedEvent, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename, resolve } from 'node:path';
import { constants as osConstants } from 'node:os';
import {
  CustomRequest, type ElixirScopeLaunchArgs, type OriginArgs, type RecordingInfo, type SeekArgs, type TimelineArgs,
  type TimelineResponse, type ValueHistoryArgs, type ValueHistoryResponse,
} from '../../protocol/requests';
import { isObjectSnapshot } from '../../protocol/values';
import { EventKind } from '../../protocol/events';
import { SiteKind } from '../../protocol/sites';
import type { BreakHit, DataBreak } from '../engine/breaks';
import { TemporalEngine } from '../engine/engine';
import { EvaluationError, evaluateExpression } from '../engine/expression';
import type { ExceptionFilter } from '../engine/exceptions';
import type { Cancel, Direction, Stop } from '../engine/navigator';
import { renderValue } from '../engine/render';
import type { FrameState } from '../engine/state';
import { RecordingReader } from '../store/reader';
import { startRecording, type Recording } from '../targets/record';
import { LIVE_ANY, LIVE_BREAKPOINTS_ONLY, LIVE_OUT, LIVE_OVER, LIVE_PAUSE, type LiveControl, type LiveFilter } from '../targets/live-control';
import type { LiveBreakpoints } from '../../runtime/wire';
import { LiveBreakpointSites } from './live-breakpoints';
import { BreakpointTable } from './breakpoints';
import { ProgressTracker } from './progress';
import { VariableHandles } from './variables';

const THREAD_ID = 1;
/** Id of the label row between a resumed async frame and its callers (not a frame: scopes are empty). */
const ASYNC_LABEL_ID = 1_000_000;
const FOLLOW_INTERVAL_MS = 50;
/** How long a pause request waits for a live program's runtime to answer. */
const PAUSE_GRACE_MS = 3000;
/** How long a terminated program may take to end by SIGTERM before it is killed. */
const TERMINATE_GRACE_MS = 5000;
/** Pauses without a stop after which a breakpoint site no longer pauses a live program. */
const REJECTED_PAUSE_LIMIT = 50;
const RUN_TO_BREAKPOINT: LiveFilter = { mode: LIVE_BREAKPOINTS_ONLY, frame: 0 };
/** Value history shows the writes nearest to the current time, at most this many. */
const HISTORY_LIMIT = 200;

type Movement = (stop: Stop, dir: Direction, cancel: Cancel) => Promise<{ stop: Stop; reason: string; ids?: Array<number | string>; text?: string } | undefined>;

/**
 * The DAP front of ElixirScope. Every request is translated into a question for the
 * temporal engine about the current position in time; the session holds no trace logic.
 * A live program keeps running while the session follows its growing recording.
 */
export class ElixirScopeSession extends LoggingDebugSession {
  private engine: TemporalEngine | undefined;
  private recording: Recording | undefined;
  private position: Stop | undefined;
  private positionException: number | undefined;
  private frames: FrameState[] = [];
  private readonly variables = new VariableHandles();
  private readonly breakpoints = new BreakpointTable();
  private readonly progress = new ProgressTracker(this, () => this.clientSupportsProgress);
  private clientSupportsProgress = false;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => { this.configured = resolve; });
  private live = false;
  private scannedTo = 0;
  private stopOnEntry = false;
  private follower: NodeJS.Timeout | undefined;
  private pendingMove: (() => Promise<void>) | undefined;
  /** Where a live program should pause while `pendingMove` waits for it. */
  private pendingFilter: LiveFilter = RUN_TO_BREAKPOINT;
  private liveSites: LiveBreakpointSites | undefined;
  private entryPending = false;
  private terminating = false;
  /** Pauses at a breakpoint site that did not become stops (see noteRejectedPause). */
  private readonly rejectedPauses = new Map<number, number>();
  /** Write sites of the data breakpoints, which a live program pauses after. */
  private dataSites = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();
  private loggedTo = new Map<number, number>();

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientSupportsProgress = !!args.supportsProgressReporting;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsBreakpointLocationsRequest: true,
      supportsDataBreakpoints: true,
      supportsRestartFrame: true,
      supportsGotoTargetsRequest: true,
      supportsStepInTargetsRequest: true,
      supportsEvaluateForHovers: true,
      supportsCompletionsRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsValueFormattingOptions: true,
      supportsTerminateRequest: true,
      supportsCancelRequest: true,
      supportsExceptionInfoRequest: true,
      supportsDelayedStackTraceLoading: true,
      exceptionBreakpointFilters: [
        { filter: 'all', label: 'Caught Exceptions', default: false, description: 'Stop where any exception is thrown' },
        { filter: 'uncaught', label: 'Uncaught Exceptions', default: false, description: 'Stop where an exception is thrown that the program does not catch' },
      ],
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
      if (!this.live) await this.serialize(() => this.settleReplay());
    } catch (err) {
      this.sendErrorResponse(response, { id: 1001, format: (err as Error).message, showUser: true });
    }
  }

  private async openRecording(dir: string): Promise<void> {
    this.engine = await TemporalEngine.open(dir);
    this.announceBindings();
    const s = this.engine.stats();
    this.log(`replaying ${dir}: ${s.events} events${s.complete ? '' : ' (incomplete: the program did not end cleanly)'}`);
    await this.printLogpoints();
  }

  private async record(args: ElixirScopeLaunchArgs): Promise<void> {
    const rec = await startRecording({
      program: args.program!, args: args.args, cwd: args.cwd, env: args.env, mode: args.mode, out: args.out,
      runtimeExecutable: args.runtimeExecutable, include: args.include, exclude: args.exclude, redact: args.redact, snapshot: args.snapshot,
      stdio: ['ignore', 'pipe', 'pipe'], log: (m) => this.log(m),
      live: (manifest) => {
        this.liveSites = new LiveBreakpointSites(manifest);
        this.entryPending = this.stopOnEntry;
        return this.liveBreakpoints(resolve(args.cwd ?? process.cwd(), args.program!));
      },
    });
    this.recording = rec;
    this.live = true;
    if (rec.live) rec.live.onPaused = () => void this.serialize(() => this.follow(true));
    rec.child.stdout?.on('data', (d: Buffer) => this.sendEvent(new OutputEvent(d.toString(), 'stdout')));
    rec.child.stderr?.on('data', (d: Buffer) => this.sendEvent(new OutputEvent(d.toString(), 'stderr')));
    this.engine = TemporalEngine.over(await RecordingReader.open(rec.dir, rec.writer.database));
    this.engine.nav.growing = true;
    this.follower = setInterval(() => void this.serialize(() => this.follow()), FOLLOW_INTERVAL_MS);
    rec.finished.then(({ code, signal }) => this.serialize(async () => {
      this.log(`program exited ${signal ? `by ${signal}` : `with code ${code}`}; the recording stays open: step and continue in both directions`);
      this.sendEvent(new ExitedEvent(code ?? 128 + (osConstants.signals[signal!] ?? 0)));
      this.live = false;
      if (this.engine) this.engine.nav.growing = false;
      clearInterval(this.follower);
      if (this.terminating) return;
      await this.follow(true);
      if (!this.position) await this.settleReplay();
    }), (err: Error) => this.log(`recording failed: ${err.message}`));
  }

  /** Pulls newly stored events into view; prints new logpoint hits; stops at entry or at the first breakpoint among them. */
  private async follow(final = false): Promise<void> {
    const rec = this.recording, engine = this.engine;
    if (!rec || !engine || (!final && rec.writer.length === engine.reader.length)) return;
    await rec.writer.flush();
    await engine.refresh();
    this.announceBindings();
    await this.printLogpoints();
    const retry = this.pendingMove;
    this.pendingMove = undefined;
    if (retry) await retry();
    else if (!this.position) {
      const hit = this.stopOnEntry ? await this.entryHit() : await this.firstHitSince(this.scannedTo);
      this.scannedTo = engine.reader.length;
      if (hit) this.arrive(hit.stop, this.stopOnEntry ? 'entry' : hit.reason, hit.ids);
    }
    await this.steer();
  }

  /**
   * A live program runs while the session waits for it (pausing where the pending movement might
   * end) and stays paused while the user looks at a stop, in the past or at the present.
   */
  private async steer(): Promise<void> {
    const live = this.live ? this.recording?.live : undefined;
    if (!live || this.position) return;
    if (live.blocked) await this.noteRejectedPause();
    live.run(this.pendingMove ? this.pendingFilter : RUN_TO_BREAKPOINT);
  }

  /**
   * Each pause that is not a stop (a condition or hit count that did not hold) costs a round trip
   * through the store. A breakpoint site that keeps rejecting stops pausing the program: its stops
   * are still found in the recording as it grows, while the program runs on.
   */
  private async noteRejectedPause(): Promise<void> {
    const engine = this.engine!;
    const last = await engine.nav.events.at(engine.reader.length - 1);
    if (!last || last.kind !== EventKind.Step) return;
    const n = (this.rejectedPauses.get(last.site) ?? 0) + 1;
    this.rejectedPauses.set(last.site, n);
    if (n !== REJECTED_PAUSE_LIMIT) return;
    const site = engine.sites.site(last.site);
    this.log(`${basename(engine.sites.file(last.site))}:${site?.line}: the program paused here ${n} times without stopping (condition or hit count); it now runs on, and stops here are found in the recording as it grows`);
    this.pushLiveBreakpoints();
  }

  /** The sites a live program pauses at: breakpoints, and its first statements until it stopped on entry. */
  private liveBreakpoints(program?: string): LiveBreakpoints {
    const spec = this.liveSites!.sitesFor(this.breakpoints);
    if (this.entryPending && program) (spec.sites[program] ??= []).push(...this.liveSites!.moduleStatements(program));
    for (const site of this.dataSites) this.addSite(spec, site);
    for (const [site, n] of this.rejectedPauses) if (n >= REJECTED_PAUSE_LIMIT) this.removeSite(spec, site);
    return spec;
  }

  /** A global site id of a loaded file as (file, local index), for the live spec. */
  private localSite(site: number): { file: string; local: number } | undefined {
    const file = this.engine?.sites.file(site);
    return file ? { file, local: site - this.engine!.reader.baseOf(site) } : undefined;
  }

  private addSite(spec: LiveBreakpoints, site: number): void {
    const at = this.localSite(site);
    if (at) (spec.sites[at.file] ??= []).push(at.local);
  }

  private removeSite(spec: LiveBreakpoints, site: number): void {
    const at = this.localSite(site);
    if (at && spec.sites[at.file]) spec.sites[at.file] = spec.sites[at.file].filter((local) => local !== at.local);
  }

  /** Write sites a data breakpoint watches: the variable's writes in its frame's function, or writes of the property's name. */
  private async watchedWrites(data: DataBreak[]): Promise<Set<number>> {
    const engine = this.engine!;
    const out = new Set<number>();
    for (const d of data) {
      if (d.kind === 'variable') {
        const record = await engine.reader.frame(d.frame);
        for (const w of record ? engine.sites.writesOf(record.fn) : []) if (engine.sites.site(w)?.name === d.name) out.add(w);
      } else {
        engine.reader.sites.forEach((site, id) => { if (site?.kind === SiteKind.PropWrite && (site.name === d.key || site.name === '')) out.add(id); });
      }
    }
    return out;
  }

  private pushLiveBreakpoints(): void {
    if (this.live && this.liveSites) this.recording?.live?.setBreakpoints(this.liveBreakpoints(this.engine?.reader.meta.program));
  }

  /**
   * The first stop among the events stored since `from`. An exception is known to be uncaught
   * only once Node reports it (for a rejection, maybe long after the throw was scanned).
   */
  private async firstHitSince(from: number): Promise<BreakHit | undefined> {
    const engine = this.engine!;
    const hit = await engine.breaks.next(from - 1, 1, this.breakpoints.query());
    if (!this.breakpoints.exceptionFilters.has('uncaught')) return hit;
    const late = (await engine.exceptions.uncaughtSince(from)).find((stop) => stop.seq < from);
    return late ? { stop: late, reason: 'exception', ids: [] } : hit;
  }

  private async entryHit(): Promise<BreakHit | undefined> {
    const stop = await this.engine!.nav.entry(this.engine!.reader.meta.program);
    return stop && { stop, reason: 'breakpoint', ids: [] };
  }

  /** With the program gone: stop at entry, at the first breakpoint, or at the end of the recording. */
  private async settleReplay(): Promise<void> {
    const engine = this.engine!;
    if (this.stopOnEntry) {
      const first = await engine.nav.entry(engine.reader.meta.program);
      if (first) return this.arrive(first, 'entry');
    }
    const hit = await this.firstHitSince(this.scannedTo);
    if (hit) return this.arrive(hit.stop, hit.reason, hit.ids);
    const end = await engine.nav.last();
    if (end) this.arrive(end, 'pause', [], 'Program ended: replaying its recording');
    else { this.log('nothing was recorded'); this.sendEvent(new TerminatedEvent()); }
  }

  /** Ends a live program the way a terminal would (SIGTERM, then SIGKILL after a grace period); terminated follows its exit. */
  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    const rec = this.recording;
    if (!rec || !this.live) { this.sendEvent(new TerminatedEvent()); return; }
    this.terminating = true;
    rec.live?.detach(); // a paused thread cannot take the signal
    rec.child.kill('SIGTERM');
    const force = setTimeout(() => rec.child.kill('SIGKILL'), TERMINATE_GRACE_MS);
    void rec.finished.catch(() => undefined).then(() => { clearTimeout(force); this.sendEvent(new TerminatedEvent()); });
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    clearInterval(this.follower);
    if (this.recording && this.live) this.recording.child.kill('SIGKILL');
    try {
      await this.recording?.finished.catch(() => undefined);
      await this.queue.catch(() => undefined);
      await this.engine?.close();
      await this.recording?.writer.close();
    } finally {
      this.sendResponse(response);
    }
  }

  // ---- moving through time -----------------------------------------------------------------

  private arrive(stop: Stop, reason: string, ids: Array<number | string> = [], description?: string): void {
    this.position = stop;
    if (this.entryPending) { this.entryPending = false; this.pushLiveBreakpoints(); }
    this.positionException = reason === 'exception' ? stop.seq : undefined;
    this.frames = [];
    this.variables.reset();
    const event = new StoppedEvent(reason, THREAD_ID) as DebugProtocol.StoppedEvent;
    const numeric = ids.filter((id): id is number => typeof id === 'number');
    if (numeric.length) event.body.hitBreakpointIds = numeric;
    if (description) event.body.description = description;
    event.body.allThreadsStopped = true;
    this.sendEvent(event);
  }

  /** Runs a movement over the recording (serialized with every other engine question). */
  private move(response: DebugProtocol.Response, request: DebugProtocol.Request, title: string, movement: Movement, dir: Direction, filter: (from: Stop) => LiveFilter = () => RUN_TO_BREAKPOINT): void {
    this.sendResponse(response);
    const from = this.position;
    void this.serialize(() => this.progress.run(request.seq, title, (cancel) => this.tryMove(from, movement, dir, cancel, from && filter(from))));
  }

  /**
   * One attempt. When a live program has not yet produced what a forward movement looks for,
   * the movement stays pending (the thread shows as running) and the follower retries it after
   * each refresh, so waiting never blocks the protocol loop or the follower itself.
   */
  private async tryMove(from: Stop | undefined, movement: Movement, dir: Direction, cancel: Cancel, filter = RUN_TO_BREAKPOINT): Promise<void> {
    if (!from || !this.engine) return;
    const to = await movement(from, dir, cancel);
    if (cancel.cancelled) return this.arrive(from, 'pause', [], 'Cancelled');
    if (to) {
      if (to.text) this.log(to.text);
      return this.arrive(to.stop, to.reason, to.ids);
    }
    if (dir === 1 && this.live) {
      this.position = undefined;
      this.pendingMove = () => this.tryMove(from, movement, dir, cancel, filter);
      this.pendingFilter = filter;
      return this.steer();
    }
    const edge = dir === 1 ? await this.engine.nav.last() : await this.engine.nav.first();
    this.log(dir === 1 ? 'reached the end of the recording' : 'reached the start of the recording');
    this.arrive(edge ?? from, dir === 1 ? 'step' : 'entry');
  }

  private step(kind: 'stepOver' | 'stepIn' | 'stepOut'): Movement {
    return async (s, d) => {
      const stop = await this.engine!.nav[kind](s, d);
      return stop && { stop, reason: 'step' };
    };
  }

  private readonly continueMove: Movement = async (stop, dir, cancel) => {
    const hit = await this.engine!.breaks.next(stop.seq, dir, this.breakpoints.query(), cancel);
    return hit && { stop: hit.stop, reason: hit.reason, ids: hit.ids, text: hit.conditionError && `breakpoint condition failed: ${hit.conditionError}` };
  };

  protected override continueRequest(response: DebugProtocol.ContinueResponse, _a: DebugProtocol.ContinueArguments, request?: DebugProtocol.Request): void {
    response.body = { allThreadsContinued: true };
    this.move(response, request!, 'Continue', this.continueMove, 1);
  }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, _a: DebugProtocol.ReverseContinueArguments, request?: DebugProtocol.Request): void {
    this.move(response, request!, 'Reverse continue', this.continueMove, -1);
  }
  protected override nextRequest(response: DebugProtocol.NextResponse, _a: DebugProtocol.NextArguments, request?: DebugProtocol.Request): void {
    this.move(response, request!, 'Step over', this.step('stepOver'), 1, (from) => ({ mode: LIVE_OVER, frame: from.frame }));
  }
  /** VS Code's Step Back sends no granularity: it is reverse step over. */
  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, _a: DebugProtocol.StepBackArguments, request?: DebugProtocol.Request): void {
    this.move(response, request!, 'Step back', this.step('stepOver'), -1);
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments, request?: DebugProtocol.Request): void {
    const target = args.targetId;
    this.move(response, request!, 'Step in', target === undefined ? this.step('stepIn') : async () => {
      const stop = await this.engine!.nav.stepIn({ seq: target, frame: 0, site: 0 }, 1);
      return stop && { stop, reason: 'step' };
    }, 1, () => ({ mode: LIVE_ANY, frame: 0 }));
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, _a: DebugProtocol.StepOutArguments, request?: DebugProtocol.Request): void {
    this.move(response, request!, 'Step out', this.step('stepOut'), 1, (from) => ({ mode: LIVE_OUT, frame: from.frame }));
  }

  /**
   * A live program pauses at its next statement, or at once if it is idle in the event loop. A
   * replay, or a program whose runtime does not answer, rests at the latest recorded statement.
   */
  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    const live = this.live ? this.recording?.live : undefined;
    void this.serialize(async () => {
      if (this.position || !this.engine) return;
      if (!live) return this.pauseAtLatest();
      const attempt = this.pauseWhenBlocked(live);
      this.pendingMove = attempt;
      this.pendingFilter = { mode: LIVE_PAUSE, frame: 0 };
      await this.follow(true);
      setTimeout(() => void this.serialize(async () => { if (this.pendingMove === attempt) await this.pauseAtLatest(live); }), PAUSE_GRACE_MS);
    });
  }

  private async pauseAtLatest(live?: LiveControl): Promise<void> {
    this.pendingMove = undefined;
    live?.run(RUN_TO_BREAKPOINT);
    await this.follow(true);
    const last = await this.engine!.nav.last();
    if (last && !this.position) this.arrive(last, 'pause', [], live ? 'Paused at the latest recorded statement (the program did not answer and keeps running)' : undefined);
  }

  /** The pending movement of a pause: done once the program waits in its pause. */
  private pauseWhenBlocked(live: LiveControl): () => Promise<void> {
    const attempt = async (): Promise<void> => {
      const last = live.blocked ? await this.engine!.nav.last() : undefined;
      if (last) return this.arrive(last, 'pause');
      this.pendingMove = attempt;
    };
    return attempt;
  }

  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments, request?: DebugProtocol.Request): void {
    const frame = this.frames[args.frameId - 1];
    this.move(response, request!, 'Restart frame', async () => {
      const record = frame && await this.engine!.reader.frame(frame.frame);
      const stop = record && await this.engine!.nav.stepIn({ seq: record.entry, frame: record.id, site: 0 }, 1);
      return stop && { stop, reason: 'restart' };
    }, 1);
  }

  protected override async gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): Promise<void> {
    await this.serialize(async () => {
      const engine = this.engine!;
      const hits = await engine.hits(args.source.path ?? '', args.line);
      const now = this.position?.seq ?? 0;
      // VS Code's "Jump to Cursor" takes the first target: the next execution of the line, else the latest before now.
      const ordered = [...hits.filter((h) => h.seq > now), ...hits.filter((h) => h.seq <= now).reverse()];
      response.body = { targets: ordered.slice(0, 500).map((h) => ({ id: h.seq, label: `${h.seq > now ? 'later' : 'earlier'} execution #${hits.indexOf(h) + 1} (seq ${h.seq})`, line: args.line })) };
    });
    this.sendResponse(response);
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments, request?: DebugProtocol.Request): void {
    this.move(response, request!, 'Go to', async () => {
      const stop = await this.engine!.nav.stopAt(args.targetId);
      return stop && { stop, reason: 'goto' };
    }, 1);
  }

  protected override async stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse, args: DebugProtocol.StepInTargetsArguments): Promise<void> {
    await this.serialize(async () => {
      const frame = this.frames[args.frameId - 1];
      response.body = { targets: frame ? await this.callsOfStatement(frame) : [] };
    });
    this.sendResponse(response);
  }

  private async callsOfStatement(frame: FrameState): Promise<DebugProtocol.StepInTarget[]> {
    const engine = this.engine!;
    const end = await engine.nav.stepOver({ seq: frame.seq, frame: frame.frame, site: frame.site }, 1);
    const targets: DebugProtocol.StepInTarget[] = [];
    await engine.nav.events.scan(frame.seq + 1, 1, (c, i, seq) => {
      if (end && seq >= end.seq) return true;
      if (c.kinds[i] === EventKind.Call) targets.push({ id: seq, label: engine.sites.site(c.sites[i])?.name ?? '<anonymous>' });
      return targets.length >= 50 || undefined;
    });
    const direct: DebugProtocol.StepInTarget[] = [];
    for (const t of targets) {
      const e = (await engine.nav.events.at(t.id))!;
      if ((await engine.reader.frame(e.frame))?.parent === frame.frame) direct.push(t);
    }
    return direct;
  }

  // ---- breakpoints -------------------------------------------------------------------------

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const path = args.source.path ?? '';
    await this.serialize(async () => {
      response.body = { breakpoints: this.breakpoints.setLines(path, args.breakpoints ?? [], this.engine) };
      this.pushLiveBreakpoints();
      this.sendResponse(response);
      this.loggedTo.clear();
      await this.printLogpoints(path);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    response.body = { breakpoints: this.breakpoints.setFunctions(args.breakpoints, this.engine) };
    this.pushLiveBreakpoints();
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.breakpoints.exceptionFilters = new Set(args.filters.filter((f): f is ExceptionFilter => f === 'all' || f === 'uncaught'));
    this.pushLiveBreakpoints();
    this.sendResponse(response);
  }

  protected override async exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): Promise<void> {
    await this.serialize(async () => {
      const detail = this.positionException !== undefined ? await this.engine!.exceptions.detail(this.positionException) : undefined;
      response.body = detail
        ? { exceptionId: detail.type, description: detail.message, breakMode: detail.uncaught ? 'unhandled' : 'always', details: { message: detail.message, typeName: detail.type, stackTrace: renderValue(detail.value) } }
        : { exceptionId: 'none', breakMode: 'never', description: 'not stopped on an exception' };
    });
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const handle = args.variablesReference !== undefined ? this.variables.get(args.variablesReference) : undefined;
    if (handle?.kind === 'locals') response.body = { dataId: `variable:${handle.frame}:${args.name}`, description: `${args.name} changes`, accessTypes: ['write'], canPersist: false };
    else if (handle?.kind === 'value' && isObjectSnapshot(handle.value)) response.body = { dataId: `property:${handle.value.o}:${args.name}`, description: `${args.name} changes`, accessTypes: ['write'], canPersist: false };
    else response.body = { dataId: null, description: 'only variables and object properties can have data breakpoints' };
    this.sendResponse(response);
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    const data: DataBreak[] = [];
    for (const b of args.breakpoints) {
      const [kind, id, ...rest] = b.dataId.split(':');
      const name = rest.join(':');
      if (kind === 'variable') data.push({ id: b.dataId, kind: 'variable', frame: Number(id), name });
      if (kind === 'property') data.push({ id: b.dataId, kind: 'property', object: Number(id), key: name });
    }
    response.body = { breakpoints: this.breakpoints.setData(data) };
    await this.serialize(async () => {
      if (this.engine && this.live) { this.dataSites = await this.watchedWrites(data); this.pushLiveBreakpoints(); }
    });
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const file = args.source.path && this.engine?.sites.resolveFile(args.source.path);
    const lines = file ? this.engine!.sites.linesBetween(file, args.line, args.endLine ?? args.line) : [];
    response.body = {
      breakpoints: lines.flatMap((line) => this.engine!.sites.statementsOn(file!, line).map((site) => ({ line, column: this.engine!.sites.site(site)!.column }))),
    };
    this.sendResponse(response);
  }

  private announceBindings(): void {
    for (const bp of this.breakpoints.bind(this.engine!)) this.sendEvent(new BreakpointEvent('changed', bp));
  }

  /** Retroactive logpoints: every hit of the recording so far, at once, in time order, each tagged with its seq. */
  private async printLogpoints(path?: string): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    const lines: Array<{ seq: number; text: string; path: string; line: number }> = [];
    for (const lp of this.breakpoints.logpoints(path)) {
      const after = this.loggedTo.get(lp.id) ?? -1;
      const hits = (await engine.breaks.allHits(lp)).filter((seq) => seq > after);
      for (const seq of hits) {
        const e = (await engine.nav.events.at(seq))!;
        const { scope } = await engine.state.scope(e.frame, seq);
        lines.push({ seq, text: interpolate(lp.message, (expr) => renderValue(evaluateExpression(expr, scope))), path: lp.path, line: engine.sites.site(lp.site)!.line });
      }
      if (hits.length) this.loggedTo.set(lp.id, hits[hits.length - 1]);
    }
    lines.sort((a, b) => a.seq - b.seq);
    for (const l of lines) {
      const out = new OutputEvent(`[seq ${l.seq}] ${l.text}\n`, 'console') as DebugProtocol.OutputEvent;
      out.body.source = new Source(basename(l.path), l.path);
      out.body.line = l.line;
      out.body.data = { seq: l.seq };
      this.sendEvent(out);
    }
  }

  // ---- state at the current time -----------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'main')] };
    this.sendResponse(response);
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    await this.serialize(async () => {
      await this.ensureFrames();
      const start = args.startFrame ?? 0;
      const frames = this.frames.slice(start, args.levels ? start + args.levels : undefined);
      const stackFrames: DebugProtocol.StackFrame[] = [];
      frames.forEach((f, i) => {
        const previous = this.frames[start + i - 1];
        // A label row where the stack crosses an await, as vscode-js-debug shows async callers.
        if (f.async && (!previous || !previous.async)) stackFrames.push({ id: ASYNC_LABEL_ID, name: 'await', line: 0, column: 0, presentationHint: 'label' });
        const frame: DebugProtocol.StackFrame = new StackFrame(start + i + 1, f.name, new Source(basename(f.file), f.file), f.line, f.column);
        if (f.async) frame.presentationHint = 'subtle';
        stackFrames.push(frame);
      });
      response.body = { stackFrames, totalFrames: this.frames.length };
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
    try {
      await this.serialize(async () => {
        const frame = await this.frameFor(args.frameId);
        const { scope, locals } = await this.engine!.state.scope(frame.frame, frame.seq);
        const name = args.expression.trim();
        if (locals.some((l) => l.name === name && l.writtenAt < 0)) throw new EvaluationError(await this.notYetAssigned(name, frame) ?? `${name} has no value yet at this time`);
        try {
          const v = this.variables.toVariable(args.expression, evaluateExpression(args.expression, scope), !!args.format?.hex);
          response.body = { result: v.value, variablesReference: v.variablesReference };
        } catch (err) {
          if (err instanceof EvaluationError && /^[A-Za-z_$][\w$]*$/.test(args.expression.trim())) throw new EvaluationError(await this.notYetAssigned(args.expression.trim(), frame) ?? err.message);
          throw err;
        }
      });
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, { id: 1002, format: (err as Error).message, showUser: false });
    }
  }

  /** For a name with no value yet at this time: when it gets its first value in this frame. */
  private async notYetAssigned(name: string, frame: FrameState): Promise<string | undefined> {
    const engine = this.engine!;
    const record = await engine.reader.frame(frame.frame);
    const end = record && record.exit >= 0 ? record.exit : engine.reader.length;
    for (const seq of await engine.nav.eventsOfFrame(frame.frame, frame.seq, end, (kind) => kind === EventKind.Write)) {
      const e = (await engine.nav.events.at(seq))!;
      const site = engine.sites.site(e.site);
      if (site?.name !== name) continue;
      return `${name} is not assigned yet at this time; it becomes ${renderValue((await engine.nav.events.values(seq))[0])} at seq ${seq} (line ${site.line})`;
    }
    return undefined;
  }

  protected override async completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): Promise<void> {
    await this.serialize(async () => {
      const frame = await this.frameFor(args.frameId);
      const { scope, locals, module } = await this.engine!.state.scope(frame.frame, frame.seq);
      const before = args.text.slice(0, args.column - 1);
      const member = /([A-Za-z_$][\w$.[\]"']*)\.([\w$]*)$/.exec(before);
      let items: DebugProtocol.CompletionItem[];
      if (member) {
        let target;
        try { target = evaluateExpression(member[1], scope); } catch { target = undefined; }
        items = target !== undefined && isObjectSnapshot(target) ? target.p.map(([k]) => ({ label: String(k), type: 'property' as const })) : [];
      } else {
        const seen = new Set<string>();
        items = [...locals, ...module].filter((l) => !seen.has(l.name) && seen.add(l.name)).map((l) => ({ label: l.name, type: 'variable' as const }));
      }
      response.body = { targets: items };
    });
    this.sendResponse(response);
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    response.body = { sources: (this.engine?.reader.files ?? []).map((f) => new Source(basename(f.file), f.file)) };
    this.sendResponse(response);
  }

  // ---- ElixirScope's own requests ----------------------------------------------------------

  protected override async customRequest(command: string, response: DebugProtocol.Response, args: unknown, request?: DebugProtocol.Request): Promise<void> {
    try {
      switch (command) {
        case CustomRequest.seek: return this.seek(response, args as SeekArgs);
        case CustomRequest.reverseStepIn: return this.move(response, request!, 'Reverse step in', this.step('stepIn'), -1);
        case CustomRequest.reverseStepOut: return this.move(response, request!, 'Reverse step out', this.step('stepOut'), -1);
        case CustomRequest.info: response.body = this.info(); break;
        case CustomRequest.valueHistory: response.body = await this.serialize(() => this.valueHistory(args as ValueHistoryArgs)); break;
        case CustomRequest.timeline: response.body = await this.serialize(() => this.timeline(args as TimelineArgs, request!)); break;
        case CustomRequest.origin: response.body = await this.serialize(() => this.origin(args as OriginArgs)); break;
        default: throw new Error(`unsupported request ${command}`);
      }
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, { id: 1003, format: (err as Error).message, showUser: false });
    }
  }

  protected override cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    this.progress.cancel(args.requestId, args.progressId);
    this.sendResponse(response);
  }

  private seek(response: DebugProtocol.Response, args: SeekArgs): void {
    void this.serialize(async () => {
      const stop = await this.engine?.stopNear(args.seq);
      if (!stop) return this.sendErrorResponse(response, { id: 1004, format: `no position at seq ${args.seq}`, showUser: false });
      this.sendResponse(response);
      this.arrive(stop, 'goto');
    });
  }

  private info(): RecordingInfo {
    if (!this.engine) throw new Error('no recording yet');
    const s = this.engine.stats();
    return { dir: this.engine.reader.dir, events: s.events, bytes: s.bytes, seq: this.position?.seq ?? 0, live: this.live };
  }

  private async valueHistory(args: ValueHistoryArgs): Promise<ValueHistoryResponse> {
    const engine = this.engine!;
    const frame = await this.frameFor(args.frameId);
    const now = frame.seq;
    const dot = args.name.lastIndexOf('.');
    let entries;
    if (dot > 0) {
      const { scope } = await engine.state.scope(frame.frame, frame.seq);
      const target = evaluateExpression(args.name.slice(0, dot), scope);
      if (!isObjectSnapshot(target)) throw new Error(`${args.name.slice(0, dot)} is not an object at this time`);
      entries = await engine.propertyWrites(target.o, args.name.slice(dot + 1));
    } else {
      const own = await engine.writesAround(args.name, frame.file, frame.frame, now, HISTORY_LIMIT);
      entries = own.length ? own : await engine.writesAround(args.name, frame.file, await engine.moduleFrameOf(frame.frame), now, HISTORY_LIMIT);
    }
    let current = -1;
    entries.forEach((e, i) => { if (e.seq < now) current = i; });
    return {
      name: args.name,
      entries: entries.map((e, i) => ({ seq: e.seq, value: e.value, file: e.file, line: e.line, function: e.function, current: i === current })),
      note: current < 0 && entries.length ? 'not assigned yet at this time' : undefined,
    };
  }

  private async timeline(args: TimelineArgs, request: DebugProtocol.Request): Promise<TimelineResponse> {
    const engine = this.engine!;
    return this.progress.run(request.seq, 'Timeline', async (cancel) => ({
      ...(await engine.timeline.query(args.from ?? 0, args.to ?? engine.reader.length, args.buckets ?? 200, cancel)),
      position: this.position?.seq ?? 0,
    }));
  }

  private async origin(args: OriginArgs) {
    const engine = this.engine!;
    if (args.returnSeq !== undefined) return this.required(await engine.dataflow.originOfReturn(args.returnSeq), 'that return value was not recorded');
    const frame = args.frame !== undefined && args.seq !== undefined ? { frame: args.frame, seq: args.seq } : await this.frameFor(args.frameId);
    if (!args.name) throw new Error('origin needs a variable name');
    return this.required(await engine.dataflow.originOf(frame.frame, frame.seq, args.name), `${args.name} has no recorded value at this time`);
  }

  private required<T>(value: T | undefined, message: string): T {
    if (value === undefined) throw new Error(message);
    return value;
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async ensureFrames(): Promise<void> {
    if (this.position && !this.frames.length) this.frames = await this.engine!.state.stack(this.position);
  }

  private async frameFor(frameId: number | undefined): Promise<FrameState> {
    await this.ensureFrames();
    const frame = this.frames[(frameId ?? 1) - 1] ?? this.frames[0];
    if (!frame) throw new Error('not stopped: there is no current time to evaluate at');
    return frame;
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch((err: Error) => this.log(`internal error: ${err.stack ?? err.message}`));
    return next;
  }

  private log(message: string): void { this.sendEvent(new OutputEvent(`elixirscope: ${message}\n`, 'console')); }
}

/** Replaces each `{expression}` of a logpoint message with its value. */
function interpolate(message: string, value: (expr: string) => string): string {
  return message.replace(/\{([^{}]+)\}/g, (_, expr: string) => {
    try { return value(expr); } catch (err) { return `<${(err as Error).message}>`; }
  });
}
