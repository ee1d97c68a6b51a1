import { EventKind } from '../../protocol/events';

/**
 * The call stack as the event stream implies it. The writer uses it to attribute events
 * to frames; the chunk decoder replays it from the stack stored in each chunk's header, so
 * chunks need not store a frame per event. Both must apply exactly this logic.
 */
export class FrameStack {
  frames: number[];
  /** The frame below a frame resumed by the last apply() (0 for none). */
  resumedUnder = 0;

  constructor(initial: readonly number[] = []) { this.frames = initial.slice(); }

  get top(): number { return this.frames.length ? this.frames[this.frames.length - 1] : 0; }

  /**
   * Applies an event's effect; returns the frame the event belongs to. `resetsStack`: for a
   * Resume, whether the frame continues from the event loop (an await) rather than inside
   * its caller (a yield).
   */
  apply(kind: EventKind, arg: number, resetsStack: boolean): number {
    switch (kind) {
      case EventKind.Call:
        this.frames.push(arg);
        return arg;
      case EventKind.Exit:
      case EventKind.Suspend:
        this.popThrough(arg);
        return arg;
      case EventKind.Resume:
        if (this.frames.includes(arg)) return arg; // a resume of a running frame is a no-op
        if (resetsStack) this.frames.length = 0;
        this.resumedUnder = this.top;
        this.frames.push(arg);
        return arg;
      default:
        return this.top;
    }
  }

  /** Whether a Resume of `arg` changes the stack (false for the no-op case). */
  resumes(arg: number): boolean { return !this.frames.includes(arg); }

  private popThrough(frame: number): void {
    const at = this.frames.lastIndexOf(frame);
    if (at < 0) return;
    // pop(), not `length = at`: setting an array's length is a runtime call (it was ~5% of ingest).
    const frames = this.frames;
    while (frames.length > at) frames.pop();
  }
}
