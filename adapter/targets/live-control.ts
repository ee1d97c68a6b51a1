/**
 * The adapter's handle on a live program's thread (runtime/live.ts is the other end): where it
 * should pause next and whether it is waiting in a pause now. Knows nothing of DAP or the engine.
 */
import type { RuntimeControl } from '../ipc/server';
import { FRAME_BREAKPOINTS, FRAME_RUN, LIVE_BREAKPOINTS_ONLY, type LiveBreakpoints } from '../../runtime/wire';

export { LIVE_ANY, LIVE_BREAKPOINTS_ONLY, LIVE_OUT, LIVE_OVER, LIVE_PAUSE } from '../../runtime/wire';

/** Where the thread pauses besides breakpoints: a LiveMode and the frame it watches. */
export interface LiveFilter { mode: number; frame: number }

export class LiveControl implements RuntimeControl {
  private send: ((type: number, payload: Buffer) => void) | undefined;
  private pauseId = 0;
  private sentSpec: string;
  private wantedSpec: string;
  private filter: LiveFilter = { mode: LIVE_BREAKPOINTS_ONLY, frame: 0 };
  /** Called when the thread has paused (everything before the pause is decoded into the store). */
  onPaused: () => void = () => undefined;

  /**
   * `spec`: the breakpoints to pause at. `started`: whether the runtime starts with exactly them
   * (the main thread's, given in its environment); a Worker starts with what its creator had, so
   * it is sent the spec once connected.
   */
  constructor(spec: LiveBreakpoints, started = true) {
    this.wantedSpec = JSON.stringify(spec);
    this.sentSpec = started ? this.wantedSpec : '';
  }

  /** The spec the runtime was started with (ELIXIRSCOPE_LIVE). */
  get initialSpec(): string { return this.sentSpec; }

  /** The breakpoints the thread should pause at now. */
  get spec(): LiveBreakpoints { return JSON.parse(this.wantedSpec) as LiveBreakpoints; }

  /** Whether the program's thread is waiting in a pause. */
  get blocked(): boolean { return this.pauseId !== 0; }

  /** Whether the thread was running to its breakpoints only (a pause then is at one of them). */
  get runningToBreakpoints(): boolean { return this.filter.mode === LIVE_BREAKPOINTS_ONLY; }

  /** Whether the thread's connection is over (it exited): it never pauses again. */
  get gone(): boolean { return this.over; }
  private over = false;
  /** The debugger let go (detach): the thread never waits for it again. */
  private letGo = false;

  attached(send: (type: number, payload: Buffer) => void): void {
    this.send = send;
    this.syncBreakpoints();
    if (this.filter.mode !== LIVE_BREAKPOINTS_ONLY) this.sendRun();
  }

  ended(): void {
    this.over = true;
    this.send = undefined;
    this.pauseId = 0;
  }

  paused(pauseId: number): void {
    this.pauseId = pauseId;
    // A pause that began before the debugger let go (its PAUSED was on the way) is released at once.
    if (this.letGo) this.sendRun();
    else this.onPaused();
  }

  setBreakpoints(spec: LiveBreakpoints): void {
    this.wantedSpec = JSON.stringify(spec);
    this.syncBreakpoints();
  }

  /** Let the thread run (if it waits) and pause it next as `filter` says. */
  run(filter: LiveFilter = { mode: LIVE_BREAKPOINTS_ONLY, frame: 0 }): void {
    if (!this.blocked && filter.mode === this.filter.mode && filter.frame === this.filter.frame) return;
    this.filter = filter;
    this.sendRun();
  }

  private sendRun(): void {
    if (!this.send) return;
    const payload = Buffer.alloc(12);
    payload.writeInt32LE(this.filter.mode, 0);
    payload.writeInt32LE(this.filter.frame, 4);
    payload.writeInt32LE(this.pauseId, 8);
    this.pauseId = 0;
    this.send(FRAME_RUN, payload);
  }

  /** The debugger lets go: no more pauses, and a waiting thread runs on. */
  detach(): void {
    this.letGo = true;
    this.setBreakpoints({ sites: {} });
    this.filter = { mode: LIVE_BREAKPOINTS_ONLY, frame: 0 };
    this.sendRun();
  }

  private syncBreakpoints(): void {
    if (!this.send || this.wantedSpec === this.sentSpec) return;
    this.sentSpec = this.wantedSpec;
    this.send(FRAME_BREAKPOINTS, Buffer.from(this.sentSpec, 'utf8'));
  }
}
