import {
  BreakpointEvent, ExitedEvent, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, ThreadEvent,
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
import { elisionSummary } from '../store/meta';
import type { RecordingWriter } from '../store/writer';
import { threadDirs } from '../store/threads';
import { startRecording, type Recording } from '../targets/record';
import { LIVE_ANY, LIVE_BREAKPOINTS_ONLY, LIVE_OUT, LIVE_OVER, LIVE_PAUSE, type LiveControl, type LiveFilter } from '../targets/live-control';
import type { LiveBreakpoints } from '../../runtime/wire';
import { LiveBreakpointSites } from './live-breakpoints';
import { BreakpointTable } from './breakpoints';
import { ProgressTracker } from './progress';
import { VariableHandles } from './variables';

/** DAP id of the main thread; a worker thread's is its Node threadId + 1. */
const MAIN_THREAD_ID = 1;
/**
 * Stack frame ids: thread slot * FRAME_ID_STRIDE + index + 1 (the main thread's are 1, 2, …);
 * the slot's last id is the label row between a resumed async frame and its callers (not a frame:
 * scopes are empty).
 */
const FRAME_ID_STRIDE = 1 << 20;
const ASYNC_LABEL = FRAME_ID_STRIDE - 1;
const FOLLOW_INTERVAL_MS = 50;
/** How long a pause request waits for a live program's runtime to answer. */
const PAUSE_GRACE_MS = 3000;
/** How long a terminated program may take to end by SIGTERM before it is killed. */
const TERMINATE_GRACE_MS = 5000;
/** Pauses without a stop after which a breakpoint site no longer pauses a live program. */
const REJECTED_PAUSE_LIMIT = 50;
const RUN_TO_BREAKPOINT: LiveFilter = { mode: LIVE_BREAKPOINTS_ONLY, frame: 0 };
const LIVE_PAUSE_FILTER: LiveFilter = { mode: LIVE_PAUSE, frame: 0 };

/** A site as the live spec names it: its file and its index there (the same in every thread). */
interface LocalSite { file: string; local: number }
const siteKey = (s: LocalSite): string => `${s.local}:${s.file}`;
/** Value history shows the writes nearest to the current time, at most this many. */
const HISTORY_LIMIT = 200;

type Movement = (stop: Stop, dir: Direction, cancel: Cancel) => Promise<{ stop: Stop; reason: string; ids?: Array<number | string>; text?: string; thread?: ThreadView } | undefined>;

/**
 * One recorded thread: the main thread or a program Worker (adapter/store/threads.ts), each its own
 * stream and engine. At a stop, the focused thread is where the stop is; every other thread is shown
 * at the last of its events at or before the same moment.
 */
interface ThreadView {
  id: number;
  engine: TemporalEngine;
  /** A live recording's writer, flushed before each look at the growing stream. */
  writer?: RecordingWriter;
  /** A live thread's pause control (every thread of a live program pauses at its breakpoints). */
  live?: LiveControl;
  /** Where the thread is at the current stop (stop undefined: not started yet), computed on demand. */
  at?: { stop: Stop | undefined };
  frames: FrameState[];
  /** Events already searched for a first breakpoint hit (live). */
  scannedTo: number;
}

/**
 * The DAP front of ElixirScope. Every request is translated into a question for the
 * temporal engine about the current position in time; the session holds no trace logic.
 * A live program keeps running while the session follows its growing recording.
 */
export class ElixirScopeSession extends LoggingDebugSession {
  private threads: ThreadView[] = [];
  private focus: ThreadView | undefined;
  /** The current stop's time on the main thread's clock (undefined: no clock samples). */
  private now: number | undefined;
  private recording: Recording | undefined;
  private position: Stop | undefined;
  private positionException: number | undefined;
  private readonly variables = new VariableHandles();
  private readonly breakpoints = new BreakpointTable();
  private readonly progress = new ProgressTracker(this, () => this.clientSupportsProgress);
  private clientSupportsProgress = false;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => { this.configured = resolve; });
  private live = false;
  private stopOnEntry = false;
  private follower: NodeJS.Timeout | undefined;
  private pendingMove: (() => Promise<void>) | undefined;
  /** Where a live program should pause while `pendingMove` waits for it. */
  private pendingFilter: LiveFilter = RUN_TO_BREAKPOINT;
  private liveSites: LiveBreakpointSites | undefined;
  private entryPending = false;
  private terminating = false;
  /** Pauses at a breakpoint site that did not become stops (see noteRejectedPause), by siteKey. */
  private readonly rejectedPauses = new Map<string, { site: LocalSite; n: number }>();
  /** Write sites of the data breakpoints, which a live program pauses after. */
  private dataSites: LocalSite[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private loggedTo = new Map<string, number>();

  /** The focused thread's engine: every question about the current stop goes there. */
  private get engine(): TemporalEngine | undefined { return this.focus?.engine; }
  private get frames(): FrameState[] { return this.focus?.frames ?? []; }
  private get main(): ThreadView { return this.threads[0]; }

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
    this.addThread(await TemporalEngine.open(dir));
    for (const t of threadDirs(dir)) {
      try { this.addThread(await TemporalEngine.open(t.dir)); } catch (err) { this.log(`thread ${t.threadId} not shown: ${(err as Error).message}`); }
    }
    this.announceBindings();
    const s = this.main.engine.stats();
    this.log(`replaying ${dir}: ${s.events} events${s.complete ? '' : ' (incomplete: the program did not end cleanly)'}`);
    this.logElision();
    await this.printLogpoints();
  }

  private async record(args: ElixirScopeLaunchArgs): Promise<void> {
    const rec = await startRecording({
      program: args.program!, args: args.args, cwd: args.cwd, env: args.env, mode: args.mode, out: args.out,
      runtimeExecutable: args.runtimeExecutable, include: args.include, exclude: args.exclude, redact: args.redact, snapshot: args.snapshot, callBudget: args.callBudget,
      stdio: ['ignore', 'pipe', 'pipe'], log: (m) => this.log(m),
      onThread: (t) => void this.serialize(async () => {
        if (!this.threads.length) return; // added with the main one below
        this.addThread(TemporalEngine.over(await RecordingReader.open(t.dir, t.writer.database)), t.writer, t.threadId, t.live);
      }),
      live: (manifest) => {
        this.liveSites = new LiveBreakpointSites(manifest);
        this.entryPending = this.stopOnEntry;
        return this.liveBreakpoints(resolve(args.cwd ?? process.cwd(), args.program!));
      },
    });
    this.recording = rec;
    this.live = true;
    rec.child.stdout?.on('data', (d: Buffer) => this.sendEvent(new OutputEvent(d.toString(), 'stdout')));
    rec.child.stderr?.on('data', (d: Buffer) => this.sendEvent(new OutputEvent(d.toString(), 'stderr')));
    this.addThread(TemporalEngine.over(await RecordingReader.open(rec.dir, rec.writer.database)), rec.writer, undefined, rec.live);
    for (const t of rec.threads) this.addThread(TemporalEngine.over(await RecordingReader.open(t.dir, t.writer.database)), t.writer, t.threadId, t.live);
    this.follower = setInterval(() => void this.serialize(() => this.follow()), FOLLOW_INTERVAL_MS);
    rec.finished.then(({ code, signal }) => this.serialize(async () => {
      this.log(`program exited ${signal ? `by ${signal}` : `with code ${code}`}; the recording stays open: step and continue in both directions`);
      this.sendEvent(new ExitedEvent(code ?? 128 + (osConstants.signals[signal!] ?? 0)));
      this.live = false;
      for (const t of this.threads) t.engine.nav.growing = false;
      clearInterval(this.follower);
      if (this.terminating) return;
      await this.follow(true);
      this.logElision();
      if (!this.position) await this.settleReplay();
    }), (err: Error) => this.log(`recording failed: ${err.message}`));
  }

  /** Pulls newly stored events into view; prints new logpoint hits; stops at entry or at the first breakpoint among them. */
  private async follow(final = false): Promise<void> {
    const rec = this.recording;
    if (!rec || !this.threads.length) return;
    const grown = this.threads.filter((t) => t.writer && t.writer.length !== t.engine.reader.length);
    if (!final && !grown.length) return;
    for (const t of final ? this.threads : grown) {
      await t.writer?.flush();
      await t.engine.refresh();
    }
    this.announceBindings();
    await this.printLogpoints();
    const retry = this.pendingMove;
    this.pendingMove = undefined;
    if (retry) await retry();
    else if (!this.position) {
      if (this.stopOnEntry) {
        const hit = await this.entryHit();
        this.main.scannedTo = this.main.engine.reader.length;
        if (hit) await this.arrive(hit.stop, 'entry', hit.ids, undefined, this.main);
      } else {
        const found = await this.firstHit();
        for (const t of this.threads) t.scannedTo = t.engine.reader.length;
        if (found) await this.arrive(found.hit.stop, found.hit.reason, found.hit.ids, undefined, found.thread);
      }
    }
    await this.steer();
  }

  /**
   * A live program runs while the session waits for it (pausing where the pending movement might
   * end) and stays paused while the user looks at a stop, in the past or at the present.
   */
  private async steer(): Promise<void> {
    if (this.position) return;
    for (const t of this.liveThreads()) {
      // A thread that paused after this look at the streams began waits for the next look (its
      // PAUSED follows): what it sent before pausing may be the stop the pending movement wants.
      if (t.live!.blocked && t.writer && t.writer.length !== t.engine.reader.length) continue;
      if (t.live!.blocked && t.live!.runningToBreakpoints) await this.noteRejectedPause(t);
      t.live!.run(this.liveFilterFor(t));
    }
  }

  /** The threads of a live program that can still pause. */
  private liveThreads(): ThreadView[] {
    return this.live ? this.threads.filter((t) => t.live && !t.live.gone) : [];
  }

  /** A pending movement pauses the thread it moves (a pause request: every thread); the others run to their breakpoints. */
  private liveFilterFor(t: ThreadView): LiveFilter {
    if (!this.pendingMove) return RUN_TO_BREAKPOINT;
    return this.pendingFilter.mode === LIVE_PAUSE || t === this.focus ? this.pendingFilter : RUN_TO_BREAKPOINT;
  }

  /** At a stop, the other threads of a live program pause too (at their next statement, or idle). */
  private stopTheWorld(stopped: ThreadView): void {
    for (const t of this.liveThreads()) if (t !== stopped && !t.live!.blocked) t.live!.run(LIVE_PAUSE_FILTER);
  }

  /**
   * Each pause that is not a stop (a condition or hit count that did not hold) costs a round trip
   * through the store. A breakpoint site that keeps rejecting stops pausing the program: its stops
   * are still found in the recording as it grows, while the program runs on.
   */
  private async noteRejectedPause(t: ThreadView): Promise<void> {
    const engine = t.engine;
    const last = await engine.nav.events.at(engine.reader.length - 1);
    const at = last?.kind === EventKind.Step ? localSite(engine, last.site) : undefined;
    if (!last || !at) return;
    const entry = this.rejectedPauses.get(siteKey(at)) ?? { site: at, n: 0 };
    this.rejectedPauses.set(siteKey(at), { site: at, n: entry.n + 1 });
    if (entry.n + 1 !== REJECTED_PAUSE_LIMIT) return;
    this.log(`${basename(at.file)}:${engine.sites.site(last.site)?.line}: the program paused here ${REJECTED_PAUSE_LIMIT} times without stopping (condition or hit count); it now runs on, and stops here are found in the recording as it grows`);
    this.pushLiveBreakpoints();
  }

  /** The sites a live program pauses at: breakpoints, and its first statements until it stopped on entry. */
  private liveBreakpoints(program?: string): LiveBreakpoints {
    const spec = this.liveSites!.sitesFor(this.breakpoints);
    if (this.entryPending && program) (spec.sites[program] ??= []).push(...this.liveSites!.moduleStatements(program));
    for (const at of this.dataSites) (spec.sites[at.file] ??= []).push(at.local);
    for (const { site: at, n } of this.rejectedPauses.values()) {
      if (n >= REJECTED_PAUSE_LIMIT && spec.sites[at.file]) spec.sites[at.file] = spec.sites[at.file].filter((local) => local !== at.local);
    }
    return spec;
  }

  /** Write sites a data breakpoint watches: the variable's writes in its frame's function, or writes of the property's name. */
  private async watchedWrites(data: Array<{ engine: TemporalEngine; data: DataBreak }>): Promise<LocalSite[]> {
    const out = new Map<string, LocalSite>();
    const add = (engine: TemporalEngine, site: number): void => { const at = localSite(engine, site); if (at) out.set(siteKey(at), at); };
    for (const { engine, data: d } of data) {
      if (d.kind === 'variable') {
        const record = await engine.reader.frame(d.frame);
        for (const w of record ? engine.sites.writesOf(record.fn) : []) if (engine.sites.site(w)?.name === d.name) add(engine, w);
      } else {
        engine.reader.sites.forEach((site, id) => { if (site?.kind === SiteKind.PropWrite && (site.name === d.key || site.name === '')) add(engine, id); });
      }
    }
    return [...out.values()];
  }

  /** Every thread of a live program pauses at the same breakpoints (sites by file, the same in each). */
  private pushLiveBreakpoints(): void {
    if (!this.live || !this.liveSites) return;
    const spec = this.liveBreakpoints(this.main?.engine.reader.meta.program);
    for (const t of this.threads) t.live?.setBreakpoints(spec);
  }

  private async entryHit(): Promise<BreakHit | undefined> {
    const stop = await this.main.engine.nav.entry(this.main.engine.reader.meta.program);
    return stop && { stop, reason: 'breakpoint', ids: [] };
  }

  /** With the program gone: stop at entry, at the first breakpoint, or at the end of the recording. */
  private async settleReplay(): Promise<void> {
    const engine = this.main.engine;
    if (this.stopOnEntry) {
      const first = await engine.nav.entry(engine.reader.meta.program);
      if (first) return this.arrive(first, 'entry', [], undefined, this.main);
    }
    const found = await this.firstHit();
    if (found) return this.arrive(found.hit.stop, found.hit.reason, found.hit.ids, undefined, found.thread);
    const end = await engine.nav.last();
    if (end) await this.arrive(end, 'pause', [], 'Program ended: replaying its recording', this.main);
    else { this.log('nothing was recorded'); this.sendEvent(new TerminatedEvent()); }
  }

  /** Ends a live program the way a terminal would (SIGTERM, then SIGKILL after a grace period); terminated follows its exit. */
  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    const rec = this.recording;
    if (!rec || !this.live) { this.sendEvent(new TerminatedEvent()); return; }
    this.terminating = true;
    for (const t of this.threads) t.live?.detach(); // a paused thread cannot take the signal
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
      for (const t of this.threads) await t.engine.close();
      await this.recording?.writer.close();
      await this.recording?.closeThreads();
    } finally {
      this.sendResponse(response);
    }
  }

  // ---- moving through time -----------------------------------------------------------------

  private async arrive(stop: Stop, reason: string, ids: Array<number | string> = [], description?: string, thread = this.focus!): Promise<void> {
    this.focus = thread;
    this.position = stop;
    if (this.entryPending) { this.entryPending = false; this.pushLiveBreakpoints(); }
    this.positionException = reason === 'exception' ? stop.seq : undefined;
    for (const t of this.threads) { t.frames = []; t.at = undefined; }
    this.variables.reset();
    const ms = await thread.engine.timing.clockAt(stop.seq);
    this.now = ms === undefined ? undefined : ms + this.offsetMs(thread);
    const event = new StoppedEvent(reason, thread.id) as DebugProtocol.StoppedEvent;
    const numeric = ids.filter((id): id is number => typeof id === 'number');
    if (numeric.length) event.body.hitBreakpointIds = numeric;
    if (description) event.body.description = description;
    event.body.allThreadsStopped = true;
    this.stopTheWorld(thread);
    this.sendEvent(event);
  }

  /** Runs a movement over the recording (serialized with every other engine question). */
  private move(response: DebugProtocol.Response, request: DebugProtocol.Request, title: string, movement: Movement, dir: Direction, filter: (from: Stop) => LiveFilter = () => RUN_TO_BREAKPOINT): void {
    this.sendResponse(response);
    const threadId = (request.arguments as { threadId?: number } | undefined)?.threadId;
    const other = threadId !== undefined && this.focus && threadId !== this.focus.id ? this.threads.find((t) => t.id === threadId) : undefined;
    const from = this.position;
    void this.serialize(async () => {
      // Another thread moves: it becomes the focus, from where it is at the current moment.
      let start = from;
      if (other && this.position) {
        start = await this.focusOn(other);
        if (!start) { this.log(`${this.threadName(other)} has not started yet at this time: ${this.threadName(this.focus!)} moves instead`); start = from; }
      }
      return this.progress.run(request.seq, title, (cancel) => this.tryMove(start, movement, dir, cancel, start && filter(start)));
    });
  }

  /** Makes `thread` the focused one at the current moment (its position there); undefined when it has not started yet. */
  private async focusOn(thread: ThreadView): Promise<Stop | undefined> {
    const at = await this.positionOf(thread);
    if (!at) return undefined;
    this.focus = thread;
    this.position = at;
    this.positionException = undefined;
    return at;
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
      return this.arrive(to.stop, to.reason, to.ids, undefined, to.thread);
    }
    if (dir === 1 && this.live) {
      this.position = undefined;
      this.pendingMove = () => this.tryMove(from, movement, dir, cancel, filter);
      this.pendingFilter = filter;
      return this.steer();
    }
    const edge = dir === 1 ? await this.engine.nav.last() : await this.engine.nav.first();
    this.log(dir === 1 ? 'reached the end of the recording' : 'reached the start of the recording');
    await this.arrive(edge ?? from, dir === 1 ? 'step' : 'entry');
  }

  private step(kind: 'stepOver' | 'stepIn' | 'stepOut'): Movement {
    return async (s, d) => {
      const stop = await this.engine!.nav[kind](s, d);
      return stop && { stop, reason: 'step' };
    };
  }

  /** The nearest breakpoint hit in time, in any thread (the focused thread first on a tie). */
  private readonly continueMove: Movement = async (stop, dir, cancel) => {
    let best: { hit: BreakHit; thread: ThreadView; time: number } | undefined;
    for (const t of [this.focus!, ...this.threads.filter((x) => x !== this.focus)]) {
      // Another thread's events up to the current moment are behind it, the rest ahead.
      const from = t === this.focus ? stop.seq : (await this.seqAtNow(t)) + (dir === 1 ? 0 : 1);
      const hit = await t.engine.breaks.next(from, dir, this.breakpoints.query(t.engine), cancel);
      if (!hit || cancel.cancelled) continue;
      const time = (await this.mainTime(t, hit.stop.seq)) ?? (t === this.focus ? -dir * Infinity : dir * Infinity);
      if (!best || (dir === 1 ? time < best.time : time > best.time)) best = { hit, thread: t, time };
    }
    const hit = best?.hit;
    return hit && { stop: hit.stop, reason: hit.reason, ids: hit.ids, thread: best!.thread, text: hit.conditionError && `breakpoint condition failed: ${hit.conditionError}` };
  };

  /** The first breakpoint hit in time among the events each thread stored since it was last searched (scannedTo). */
  private async firstHit(): Promise<{ hit: BreakHit; thread: ThreadView } | undefined> {
    let best: { hit: BreakHit; thread: ThreadView; time: number } | undefined;
    for (const t of this.threads) {
      const hit = await this.lateUncaught(t, t.scannedTo) ?? await t.engine.breaks.next(t.scannedTo - 1, 1, this.breakpoints.query(t.engine));
      if (!hit) continue;
      const time = (await this.mainTime(t, hit.stop.seq)) ?? Infinity;
      if (!best || time < best.time) best = { hit, thread: t, time };
    }
    return best;
  }

  /**
   * An exception is known to be uncaught only once Node reports it: for a rejection, maybe after
   * the events up to `from`, its throw among them, were scanned. The earliest such throw, if any.
   */
  private async lateUncaught(t: ThreadView, from: number): Promise<BreakHit | undefined> {
    if (!this.breakpoints.exceptionFilters.has('uncaught')) return undefined;
    const late = (await t.engine.exceptions.uncaughtSince(from)).find((stop) => stop.seq < from);
    return late && { stop: late, reason: 'exception', ids: [] };
  }

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
  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    this.sendResponse(response);
    const requested = this.threads.find((t) => t.id === args?.threadId);
    void this.serialize(async () => {
      if (this.position || !this.engine) return;
      const live = this.liveThreads().length > 0;
      if (!live) return this.pauseAtLatest(false);
      const attempt = this.pauseWhenBlocked(requested);
      this.pendingMove = attempt;
      this.pendingFilter = LIVE_PAUSE_FILTER;
      await this.follow(true);
      setTimeout(() => void this.serialize(async () => { if (this.pendingMove === attempt) await this.pauseAtLatest(true); }), PAUSE_GRACE_MS);
    });
  }

  private async pauseAtLatest(live: boolean): Promise<void> {
    this.pendingMove = undefined;
    for (const t of this.liveThreads()) t.live!.run(RUN_TO_BREAKPOINT);
    await this.follow(true);
    const last = await this.engine!.nav.last();
    if (last && !this.position) await this.arrive(last, 'pause', [], live ? 'Paused at the latest recorded statement (the program did not answer and keeps running)' : undefined);
  }

  /** The pending movement of a pause: done once the requested thread waits in its pause (any thread, if it is gone). */
  private pauseWhenBlocked(requested: ThreadView | undefined): () => Promise<void> {
    const waitFor = requested?.live && !requested.live.gone ? [requested] : [this.focus, ...this.threads];
    const attempt = async (): Promise<void> => {
      const thread = waitFor.find((t) => t?.live?.blocked);
      const last = thread && await thread.engine.nav.last();
      if (last) return this.arrive(last, 'pause', [], undefined, thread);
      this.pendingMove = attempt;
    };
    return attempt;
  }

  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments, request?: DebugProtocol.Request): void {
    const at = this.frameAt(args.frameId);
    const frame = at && at.thread === this.focus ? at.frame : undefined;
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
      const at = this.frameAt(args.frameId);
      response.body = { targets: at && at.thread === this.focus ? await this.callsOfStatement(at.frame) : [] };
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
      response.body = { breakpoints: this.breakpoints.setLines(path, args.breakpoints ?? [], this.threads.map((t) => t.engine)) };
      this.pushLiveBreakpoints();
      this.sendResponse(response);
      this.loggedTo.clear();
      await this.printLogpoints(path);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    response.body = { breakpoints: this.breakpoints.setFunctions(args.breakpoints, this.threads.map((t) => t.engine)) };
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
    // A dataId names the thread's slot: frames and objects are numbered per thread.
    if (handle?.kind === 'locals') response.body = { dataId: `variable:${handle.thread}:${handle.frame}:${args.name}`, description: `${args.name} changes`, accessTypes: ['write'], canPersist: false };
    else if (handle?.kind === 'value' && isObjectSnapshot(handle.value)) response.body = { dataId: `property:${handle.thread}:${handle.value.o}:${args.name}`, description: `${args.name} changes`, accessTypes: ['write'], canPersist: false };
    else response.body = { dataId: null, description: 'only variables and object properties can have data breakpoints' };
    this.sendResponse(response);
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    const data: Array<{ engine: TemporalEngine; data: DataBreak }> = [];
    for (const b of args.breakpoints) {
      const [kind, slot, id, ...rest] = b.dataId.split(':');
      const name = rest.join(':');
      const engine = this.threads[Number(slot)]?.engine;
      if (!engine) continue;
      if (kind === 'variable') data.push({ engine, data: { id: b.dataId, kind: 'variable', frame: Number(id), name } });
      if (kind === 'property') data.push({ engine, data: { id: b.dataId, kind: 'property', object: Number(id), key: name } });
    }
    response.body = { breakpoints: this.breakpoints.setData(data) };
    await this.serialize(async () => {
      if (this.threads.length && this.live) { this.dataSites = await this.watchedWrites(data); this.pushLiveBreakpoints(); }
    });
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    // Any thread that loaded the file knows its statements (the same site table in each).
    const path = args.source.path;
    const engine = path ? this.threads.map((t) => t.engine).find((e) => e.sites.resolveFile(path)) : undefined;
    const file = path && engine?.sites.resolveFile(path);
    const lines = file && engine ? engine.sites.linesBetween(file, args.line, args.endLine ?? args.line) : [];
    response.body = {
      breakpoints: lines.flatMap((line) => engine!.sites.statementsOn(file!, line).map((site) => ({ line, column: engine!.sites.site(site)!.column }))),
    };
    this.sendResponse(response);
  }

  private announceBindings(): void {
    for (const t of this.threads) for (const bp of this.breakpoints.bind(t.engine)) this.sendEvent(new BreakpointEvent('changed', bp));
  }

  /** Retroactive logpoints: every hit of the recording so far, at once, in time order, each tagged with its seq. */
  private async printLogpoints(path?: string): Promise<void> {
    // One thread after the other, each in time order (seqs are per thread).
    for (const thread of this.threads) await this.printThreadLogpoints(thread, path);
  }

  private async printThreadLogpoints(thread: ThreadView, path?: string): Promise<void> {
    const engine = thread.engine;
    const lines: Array<{ seq: number; text: string; path: string; line: number }> = [];
    for (const lp of this.breakpoints.logpoints(engine, path)) {
      const key = `${thread.id}:${lp.id}`;
      const after = this.loggedTo.get(key) ?? -1;
      const hits = (await engine.breaks.allHits(lp)).filter((seq) => seq > after);
      for (const seq of hits) {
        const e = (await engine.nav.events.at(seq))!;
        const { scope } = await engine.state.scope(e.frame, seq);
        lines.push({ seq, text: interpolate(lp.message, (expr) => renderValue(evaluateExpression(expr, scope))), path: lp.path, line: engine.sites.site(lp.site)!.line });
      }
      if (hits.length) this.loggedTo.set(key, hits[hits.length - 1]);
    }
    lines.sort((a, b) => a.seq - b.seq);
    const prefix = thread === this.main ? '' : `${this.threadName(thread)} `;
    for (const l of lines) {
      const out = new OutputEvent(`[${prefix}seq ${l.seq}] ${l.text}\n`, 'console') as DebugProtocol.OutputEvent;
      out.body.source = new Source(basename(l.path), l.path);
      out.body.line = l.line;
      out.body.data = { seq: l.seq };
      this.sendEvent(out);
    }
  }

  // ---- state at the current time -----------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.threads.map((t) => new Thread(t.id, this.threadName(t))) };
    this.sendResponse(response);
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    await this.serialize(async () => {
      const slot = this.threads.findIndex((t) => t.id === args.threadId);
      const all = slot < 0 ? [] : await this.framesOf(this.threads[slot]);
      const base = slot * FRAME_ID_STRIDE;
      const start = args.startFrame ?? 0;
      const frames = all.slice(start, args.levels ? start + args.levels : undefined);
      const stackFrames: DebugProtocol.StackFrame[] = [];
      frames.forEach((f, i) => {
        const previous = all[start + i - 1];
        // A label row where the stack crosses an await, as vscode-js-debug shows async callers.
        if (f.async && (!previous || !previous.async)) stackFrames.push({ id: base + ASYNC_LABEL, name: 'await', line: 0, column: 0, presentationHint: 'label' });
        const frame: DebugProtocol.StackFrame = new StackFrame(base + start + i + 1, f.name, new Source(basename(f.file), f.file), f.line, f.column);
        if (f.async) frame.presentationHint = 'subtle';
        stackFrames.push(frame);
      });
      response.body = { stackFrames, totalFrames: all.length };
    });
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const at = this.frameAt(args.frameId);
    response.body = { scopes: at ? [new Scope('Locals', this.variables.forLocals(at.frame.frame, at.frame.seq, this.threads.indexOf(at.thread)), false)] : [] };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const handle = this.variables.get(args.variablesReference);
    const hex = !!args.format?.hex;
    await this.serialize(async () => {
      if (!handle) response.body = { variables: [] };
      else if (handle.kind === 'locals') response.body = { variables: this.variables.localsToVariables(await this.threads[handle.thread].engine.state.locals(handle.frame, handle.seq), handle.thread, hex) };
      else response.body = { variables: this.variables.childrenToVariables(handle.value, handle.thread, hex) };
    });
    this.sendResponse(response);
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    try {
      await this.serialize(async () => {
        const { thread, frame } = await this.evaluationFrame(args.frameId);
        const { scope, locals } = await thread.engine.state.scope(frame.frame, frame.seq);
        const name = args.expression.trim();
        if (locals.some((l) => l.name === name && l.writtenAt < 0)) throw new EvaluationError(await this.notYetAssigned(name, frame, thread.engine) ?? `${name} has no value yet at this time`);
        try {
          const v = this.variables.toVariable(args.expression, evaluateExpression(args.expression, scope), this.threads.indexOf(thread), !!args.format?.hex);
          response.body = { result: v.value, variablesReference: v.variablesReference };
        } catch (err) {
          if (err instanceof EvaluationError && /^[A-Za-z_$][\w$]*$/.test(args.expression.trim())) throw new EvaluationError(await this.notYetAssigned(args.expression.trim(), frame, thread.engine) ?? err.message);
          throw err;
        }
      });
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, { id: 1002, format: (err as Error).message, showUser: false });
    }
  }

  /** For a name with no value yet at this time: when it gets its first value in this frame. */
  private async notYetAssigned(name: string, frame: FrameState, engine: TemporalEngine): Promise<string | undefined> {
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
        case CustomRequest.info: response.body = await this.info(); break;
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
      await this.arrive(stop, 'goto');
    });
  }

  private async info(): Promise<RecordingInfo> {
    if (!this.engine) throw new Error('no recording yet');
    const s = this.engine.stats();
    const seq = this.position?.seq ?? 0;
    const ms = this.position ? await this.engine.timing.timeAt(seq) : undefined;
    return { dir: this.engine.reader.dir, events: s.events, bytes: s.bytes, seq, live: this.live, ...(ms !== undefined ? { ms: Math.round(ms * 1000) / 1000 } : {}) };
  }

  private async valueHistory(args: ValueHistoryArgs): Promise<ValueHistoryResponse> {
    const { thread, frame } = await this.evaluationFrame(args.frameId);
    const engine = thread.engine;
    const now = frame.seq;
    const dot = args.name.lastIndexOf('.');
    let entries;
    if (dot > 0) {
      const { scope } = await engine.state.scope(frame.frame, frame.seq);
      const target = evaluateExpression(args.name.slice(0, dot), scope);
      if (!isObjectSnapshot(target)) throw new Error(`${args.name.slice(0, dot)} is not an object at this time`);
      entries = await engine.propertyWritesAround(target.o, args.name.slice(dot + 1), now, HISTORY_LIMIT);
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
    return this.progress.run(request.seq, 'Timeline', async (cancel) => {
      const view = await engine.timeline.query(args.from ?? 0, args.to ?? engine.reader.length, args.buckets ?? 200, cancel);
      // Conditions would have to be evaluated at every hit: only unconditional breakpoints are drawn.
      const q = this.breakpoints.query(engine);
      const sites = [...q.lines.filter((b) => !b.condition && !b.hit).map((b) => b.site), ...q.functions.flatMap((f) => [...f.sites])];
      const breakpointHits = sites.length ? await engine.timeline.occurrences(sites, view.buckets, cancel) : undefined;
      return { ...view, breakpointHits, position: this.position?.seq ?? 0 };
    });
  }

  private async origin(args: OriginArgs) {
    // A frame id names its thread; a bare return seq, frame or seq is the focused thread's.
    await this.ensureFrames();
    const at = args.frameId !== undefined ? this.frameAt(args.frameId) : undefined;
    const engine = at?.thread.engine ?? this.engine!;
    if (args.returnSeq !== undefined) return this.required(await engine.dataflow.originOfReturn(args.returnSeq), 'that return value was not recorded');
    const frame = args.frame !== undefined && args.seq !== undefined ? { frame: args.frame, seq: args.seq } : at?.frame ?? await this.frameFor(args.frameId);
    if (!args.name) throw new Error('origin needs a variable name');
    return this.required(await engine.dataflow.originOf(frame.frame, frame.seq, args.name), `${args.name} has no recorded value at this time`);
  }

  private required<T>(value: T | undefined, message: string): T {
    if (value === undefined) throw new Error(message);
    return value;
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async ensureFrames(): Promise<void> {
    if (this.focus) await this.framesOf(this.focus);
  }

  /** A thread's stack at the current stop (the focused thread's at its position, the others' at the same moment). */
  private async framesOf(thread: ThreadView): Promise<FrameState[]> {
    if (!thread.frames.length) {
      const at = await this.positionOf(thread);
      thread.frames = at ? await thread.engine.state.stack(at) : [];
    }
    return thread.frames;
  }

  /** Where a thread is at the current stop: the focused one at the stop, another at its last event at or before that moment. */
  private async positionOf(thread: ThreadView): Promise<Stop | undefined> {
    if (thread === this.focus) return this.position;
    if (!this.position) return undefined;
    if (!thread.at) {
      const seq = await this.seqAtNow(thread);
      thread.at = { stop: seq < 0 ? undefined : await thread.engine.stopNear(seq) };
    }
    return thread.at.stop;
  }

  /** Another thread's last event at or before the current moment (-1: it has not started yet; its last event when time is unknown). */
  private async seqAtNow(thread: ThreadView): Promise<number> {
    if (this.now === undefined) return thread.engine.reader.length - 1;
    return thread.engine.timing.lastAtOrBefore(this.now - this.offsetMs(thread));
  }

  /** When event `seq` of a thread ran, on the main thread's clock. */
  private async mainTime(thread: ThreadView, seq: number): Promise<number | undefined> {
    const ms = await thread.engine.timing.clockAt(seq);
    return ms === undefined ? undefined : ms + this.offsetMs(thread);
  }

  /** "main", or "Worker 3 "pricer" (worker.js)": Node's threadId, the Worker's name and script. */
  private threadName(thread: ThreadView): string {
    if (thread.id === MAIN_THREAD_ID) return 'main';
    const t = thread.engine.reader.meta.thread;
    const file = !t ? '' : t.filename === '[eval]' ? ' (eval)' : ` (${basename(t.filename)})`;
    return `Worker ${thread.id - 1}${t?.name ? ` "${t.name}"` : ''}${file}`;
  }

  /** ms to add to a thread's clock (from its performance.timeOrigin) to get the main thread's. */
  private offsetMs(thread: ThreadView): number {
    const own = thread.engine.reader.meta.timeOrigin, main = this.main.engine.reader.meta.timeOrigin;
    return own !== undefined && main !== undefined ? own - main : 0;
  }

  /** The thread and frame of a stack frame id from stackTrace (see FRAME_ID_STRIDE). */
  private frameAt(frameId: number): { thread: ThreadView; frame: FrameState } | undefined {
    const thread = this.threads[Math.floor(frameId / FRAME_ID_STRIDE)];
    const frame = thread?.frames[(frameId % FRAME_ID_STRIDE) - 1];
    return thread && frame ? { thread, frame } : undefined;
  }

  /** Where an evaluation runs: the given frame in whichever thread, else the focused thread's top frame. */
  private async evaluationFrame(frameId: number | undefined): Promise<{ thread: ThreadView; frame: FrameState }> {
    await this.ensureFrames();
    const at = frameId !== undefined ? this.frameAt(frameId) : undefined;
    if (at) return at;
    return { thread: this.focus!, frame: await this.frameFor(undefined) };
  }

  /**
   * A recorded thread joins the session (the first one is the main thread). A live worker's stream
   * may not have its hello yet: its id comes from the connection, its name and clock from the meta
   * once there (both read when needed).
   */
  private addThread(engine: TemporalEngine, writer?: RecordingWriter, threadId = engine.reader.meta.thread?.id, live?: LiveControl): void {
    const id = threadId === undefined ? MAIN_THREAD_ID : threadId + 1;
    // A Worker that connects while the main stream is being opened is offered twice (onThread and Recording.threads).
    if (this.threads.some((t) => t.id === id)) return;
    this.threads.push({ id, engine, writer, live, frames: [], scannedTo: 0 });
    if (live) live.onPaused = () => void this.serialize(() => this.follow(true));
    engine.nav.growing = !!writer && this.live;
    // A Worker of a running program appears as it starts: the client asks for threads again.
    if (writer && id !== MAIN_THREAD_ID) this.sendEvent(new ThreadEvent('started', id));
    this.threads.sort((a, b) => a.id - b.id);
    if (!this.focus) this.focus = this.threads[0];
    if (this.threads.length > 1) for (const bp of this.breakpoints.bind(engine)) this.sendEvent(new BreakpointEvent('changed', bp));
  }

  private async frameFor(frameId: number | undefined): Promise<FrameState> {
    await this.ensureFrames();
    const at = frameId !== undefined ? this.frameAt(frameId) : undefined;
    const frame = (at?.thread === this.focus ? at?.frame : undefined) ?? this.frames[0];
    if (!frame) throw new Error('not stopped: there is no current time to evaluate at');
    return frame;
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch((err: Error) => this.log(`internal error: ${err.stack ?? err.message}`));
    return next;
  }

  private logElision(): void {
    const { stats, meta } = this.main.engine.reader;
    const note = elisionSummary(stats.elided, meta.callBudget);
    if (note) this.log(`${note} (launch option callBudget; 0 records every call)`);
  }

  private log(message: string): void { this.sendEvent(new OutputEvent(`elixirscope: ${message}\n`, 'console')); }
}

/** A site of one thread's stream as (file, index in the file), for the live spec. */
function localSite(engine: TemporalEngine, site: number): LocalSite | undefined {
  const file = engine.sites.file(site);
  return file ? { file, local: site - engine.reader.baseOf(site) } : undefined;
}

/** Replaces each `{expression}` of a logpoint message with its value. */
function interpolate(message: string, value: (expr: string) => string): string {
  return message.replace(/\{([^{}]+)\}/g, (_, expr: string) => {
    try { return value(expr); } catch (err) { return `<${(err as Error).message}>`; }
  });
}
