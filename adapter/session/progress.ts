import { ProgressEndEvent, ProgressStartEvent, ProgressUpdateEvent, type DebugSession } from '@vscode/debugadapter';
import type { Cancel } from '../engine/navigator';

const SHOW_AFTER_MS = 300;

/**
 * Long queries (a rare condition far back, a big logpoint) report progress after a moment
 * and can be cancelled with DAP `cancel` by request id or progress id.
 */
export class ProgressTracker {
  private running = new Map<number, { cancel: Cancel; progressId: string }>();
  private nextProgress = 1;

  constructor(private readonly session: DebugSession, private readonly supported: () => boolean) {}

  async run<T>(requestSeq: number, title: string, work: (cancel: Cancel) => Promise<T>): Promise<T> {
    const cancel: Cancel = { cancelled: false };
    const progressId = `elixirscope-${this.nextProgress++}`;
    this.running.set(requestSeq, { cancel, progressId });
    let shown = false;
    const timer = setTimeout(() => {
      if (!this.supported()) return;
      shown = true;
      this.session.sendEvent(new ProgressStartEvent(progressId, title, 'searching the recording…'));
    }, SHOW_AFTER_MS);
    try {
      return await work(cancel);
    } finally {
      clearTimeout(timer);
      this.running.delete(requestSeq);
      if (shown) this.session.sendEvent(new ProgressEndEvent(progressId, cancel.cancelled ? 'cancelled' : undefined));
    }
  }

  update(requestSeq: number, message: string): void {
    const r = this.running.get(requestSeq);
    if (r) this.session.sendEvent(new ProgressUpdateEvent(r.progressId, message));
  }

  /** Cancels by request id or progress id; true when something was running. */
  cancel(requestId?: number, progressId?: string): boolean {
    for (const [seq, r] of this.running) {
      if (seq === requestId || r.progressId === progressId) { r.cancel.cancelled = true; return true; }
    }
    return false;
  }
}
