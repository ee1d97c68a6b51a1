/**
 * Hosts the timeline webview (media/timeline.js + media/timeline.css). The webview draws what
 * elixirscope/timeline returns and posts seeks back; this class only relays messages, keeps the
 * strict CSP, and tells the webview when the debugger stopped somewhere else.
 *
 * Messages, webview → extension: {type:'ready'} | {type:'range', from?, to?, buckets} | {type:'seek', seq}
 * Messages, extension → webview: {type:'data', data, live} | {type:'nodata', reason} | {type:'position', seq}
 *                                | {type:'refresh'} (re-request the current range)
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { DebugTracker } from './debug-tracker';
import { info, seek, timeline, TimelineArgs } from './requests';

type FromWebview =
  | { type: 'ready' }
  | ({ type: 'range' } & TimelineArgs)
  | { type: 'seek'; seq: number };

export class TimelinePanel implements vscode.Disposable {
  static readonly viewType = 'elixirscope.timeline';
  private panel: vscode.WebviewPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private lastArgs: TimelineArgs = { buckets: 200 };
  private requestGen = 0;

  constructor(private readonly context: vscode.ExtensionContext, private readonly tracker: DebugTracker) {
    this.subs.push(
      tracker.onDidStop(() => this.onStopped()),
      // Breakpoint hits are drawn: a new or removed breakpoint changes them.
      vscode.debug.onDidChangeBreakpoints(() => this.onStopped()),
      tracker.onDidChange((s) => { if (!s && !this.tracker.session()) this.post({ type: 'nodata', reason: 'No ElixirScope debug session. Start one (F5) or open a recording.' }); }),
      vscode.window.registerWebviewPanelSerializer(TimelinePanel.viewType, {
        deserializeWebviewPanel: async (panel) => { this.adopt(panel); },
      }),
    );
  }

  get visible(): boolean { return !!this.panel; }

  show(): void {
    if (this.panel) { this.panel.reveal(undefined, true); return; }
    const panel = vscode.window.createWebviewPanel(TimelinePanel.viewType, 'ElixirScope Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.adopt(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'media')], retainContextWhenHidden: false };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'timeline.svg');
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m), undefined, this.subs);
    panel.onDidDispose(() => { if (this.panel === panel) this.panel = undefined; }, undefined, this.subs);
  }

  html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', f));
    const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${webview.cspSource}; img-src ${webview.cspSource}; font-src ${webview.cspSource}`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('timeline.css')}">
<title>ElixirScope Timeline</title>
</head>
<body>
<header class="bar">
  <span id="readout" class="readout" aria-live="polite">Loading…</span>
  <span class="hint">click/drag: scrub · wheel: zoom · shift+drag or shift+wheel: pan · ←/→: move · +/−: zoom · PgUp/PgDn: pan · 0: all · Home/End</span>
</header>
<main>
  <canvas id="timeline" tabindex="0" role="slider" aria-label="Recording timeline. Left and right arrows move in time, plus and minus zoom, Page Up and Page Down pan, 0 shows the whole recording."
    aria-valuemin="0" aria-valuemax="0" aria-valuenow="0"></canvas>
  <div id="axis" class="axis" aria-hidden="true"></div>
  <div id="tip" class="tip" role="tooltip" hidden></div>
  <div id="empty" class="empty" hidden></div>
</main>
<footer>
  <div id="legend" class="legend"></div>
  <div id="functions" class="legend functions" aria-label="Functions called most in the visible window"></div>
</footer>
<script nonce="${nonce}" src="${media('timeline.js')}"></script>
</body>
</html>`;
  }

  private post(msg: unknown): void { void this.panel?.webview.postMessage(msg); }

  private async onMessage(m: FromWebview): Promise<void> {
    const session = this.tracker.session();
    if (m.type === 'ready' || m.type === 'range') {
      if (m.type === 'range') this.lastArgs = { from: m.from, to: m.to, buckets: Math.max(1, Math.min(2000, Math.floor(m.buckets ?? 200))) };
      await this.load(session);
    } else if (m.type === 'seek' && session && Number.isFinite(m.seq)) {
      try {
        await seek(session, Math.max(0, Math.round(m.seq)));
      } catch (e) {
        void vscode.window.showWarningMessage(`ElixirScope: seek failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async load(session: vscode.DebugSession | undefined): Promise<void> {
    if (!session) { this.post({ type: 'nodata', reason: 'No ElixirScope debug session. Start one (F5) or open a recording.' }); return; }
    const gen = ++this.requestGen;
    try {
      const data = await timeline(session, this.lastArgs);
      if (gen !== this.requestGen) return;
      if (!data) { this.post({ type: 'nodata', reason: 'No timeline data: the debug adapter did not return any.' }); return; }
      this.post({ type: 'data', data, live: this.tracker.active()?.stopped === false });
    } catch (e) {
      if (gen !== this.requestGen) return;
      const why = e instanceof Error ? e.message : String(e);
      // Older adapters: fall back to the position from elixirscope/info so the marker still moves.
      let pos = '';
      try { const i = await info(session); if (i) pos = ` (position ${i.seq} of ${i.events} events)`; } catch { /* ignore */ }
      this.post({ type: 'nodata', reason: `No timeline data${pos}: ${why}` });
    }
  }

  private onStopped(): void {
    if (!this.panel) return;
    this.post({ type: 'refresh' });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subs) s.dispose();
  }
}
