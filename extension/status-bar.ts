/**
 * Status bar item for the active elixirscope session: recording size, event count and the
 * current time position, from elixirscope/info, refreshed on each stop (and start/continue/end).
 */
import * as vscode from 'vscode';
import type { RecordingInfo } from '../protocol/requests';
import type { DebugTracker } from './debug-tracker';
import { info } from './requests';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024; let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

/** A time in ms since the recording started, as the timeline writes it. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 2 : 3)} s`;
  if (ms >= 100) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function statusText(i: RecordingInfo): string {
  const at = i.ms !== undefined ? ` · ${formatMs(i.ms)}` : '';
  return `$(${i.live ? 'record' : 'history'}) ${formatBytes(i.bytes)} · ${formatCount(i.events)} events · @${i.seq.toLocaleString('en-US')}${at}`;
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('elixirscope.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subs: vscode.Disposable[] = [];
  private generation = 0;
  last: RecordingInfo | undefined;

  constructor(private readonly tracker: DebugTracker) {
    this.item.name = 'ElixirScope Recording';
    this.item.command = 'elixirscope.openTimeline';
    this.subs.push(tracker.onDidChange(() => void this.refresh()));
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const state = this.tracker.active();
    if (!state) { this.item.hide(); this.last = undefined; return; }
    let i: RecordingInfo | undefined;
    try { i = await info(state.session); } catch { i = undefined; }
    if (gen !== this.generation) return; // a newer refresh is under way
    this.last = i;
    if (!i) {
      this.item.text = '$(history) ElixirScope';
      this.item.tooltip = 'ElixirScope: recording information is not available yet';
    } else {
      this.item.text = statusText(i);
      const md = new vscode.MarkdownString(
        `**ElixirScope** ${i.live ? 'recording (program running)' : 'recording'}\n\n` +
        `- size: ${formatBytes(i.bytes)}\n- events: ${i.events.toLocaleString('en-US')}\n- position: event ${i.seq.toLocaleString('en-US')}${i.ms !== undefined ? `, ${formatMs(i.ms)} after the start` : ''}\n` +
        (i.dir ? `- folder: \`${i.dir}\`\n` : '') + '\nClick to open the timeline.');
      this.item.tooltip = md;
    }
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
