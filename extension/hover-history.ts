/**
 * Hover on an identifier while an elixirscope session is stopped: its value now (DAP evaluate)
 * and its history across the recording (elixirscope/valueHistory). Each history entry links to
 * the `elixirscope.seek` command, which moves the debugger to that point in time.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ValueHistoryEntry, ValueHistoryResponse } from '../protocol/requests';
import type { DebugTracker } from './debug-tracker';
import { LANGUAGES } from './configuration-provider';
import { info, valueHistory } from './requests';

export const SEEK_COMMAND = 'elixirscope.seek';
const MAX_ENTRIES = 12;
const MAX_VALUE = 80;
const IDENT = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/;

export function seekLink(seq: number, label = `@${seq}`): string {
  return `[${label}](command:${SEEK_COMMAND}?${encodeURIComponent(JSON.stringify([{ seq }]))} "Go to this point in time")`;
}

function clip(s: string, n = MAX_VALUE): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}
function code(s: string): string {
  return '`' + clip(s).replace(/`/g, "'") + '`';
}

/** The entry in effect at `now`: the adapter's `current` flag, else the last write before `now`. */
function currentIndex(entries: ValueHistoryEntry[], now?: number): number {
  const flagged = entries.findIndex((e) => e.current);
  if (flagged >= 0 || now === undefined) return flagged;
  let idx = -1;
  entries.forEach((e, i) => { if (e.seq <= now) idx = i; });
  return idx;
}

/** Renders history as compact markdown; exported for tests. `now` is the seq of the current position. */
export function renderHistory(name: string, current: string | undefined, history: Pick<ValueHistoryResponse, 'entries' | 'note'>, now?: number): vscode.MarkdownString {
  const entries = history.entries;
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [SEEK_COMMAND] };
  md.appendMarkdown(`**${name}**${current !== undefined ? ` = ${code(current)}` : ''}  \n`);
  if (history.note) md.appendMarkdown(`_${history.note.replace(/[_*`[\]]/g, '')}_  \n`);
  if (!entries.length) {
    md.appendMarkdown('_no recorded history_');
    return md;
  }
  const cur = currentIndex(entries, now);
  md.appendMarkdown(`$(history) ${entries.length} value${entries.length === 1 ? '' : 's'} over time:  \n`);
  const shown = entries.length > MAX_ENTRIES ? [...entries.slice(0, 3), undefined, ...entries.slice(-(MAX_ENTRIES - 4))] : entries;
  for (const e of shown) {
    if (!e) { md.appendMarkdown(`… ${entries.length - (MAX_ENTRIES - 1)} more …  \n`); continue; }
    const here = cur >= 0 && entries[cur] === e;
    const where = e.file ? ` ${path.basename(e.file)}:${e.line}` : e.line ? ` line ${e.line}` : '';
    md.appendMarkdown(`${here ? '▶' : '·'} ${seekLink(e.seq)}${where} ${code(e.value)}  \n`);
  }
  return md;
}

export class HistoryHoverProvider implements vscode.HoverProvider {
  constructor(private readonly tracker: DebugTracker) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const state = this.tracker.active();
    if (!state || !state.stopped) return undefined;
    const range = doc.getWordRangeAtPosition(pos, IDENT);
    if (!range) return undefined;
    // `a.b.c` under the cursor: take the chain up to the hovered segment.
    const full = doc.getText(range);
    const upTo = full.slice(0, pos.character - range.start.character);
    const dot = full.indexOf('.', upTo.length);
    const name = dot < 0 ? full : full.slice(0, dot);
    const session = state.session;
    const frameId = state.topFrameId;
    const [current, history] = await Promise.all([
      session.customRequest('evaluate', { expression: name, frameId, context: 'hover' }).then(
        (r: { result?: string }) => r?.result, () => undefined),
      valueHistory(session, { name, frameId }).catch(() => undefined),
    ]);
    if (token.isCancellationRequested || (current === undefined && history === undefined)) return undefined;
    let now: number | undefined;
    try { now = (await info(session))?.seq; } catch { /* optional */ }
    return new vscode.Hover(renderHistory(name, current, history ?? { entries: [] }, now), range);
  }
}

/**
 * VS Code shows its own debug hover (DAP evaluate, no history) instead of editor hovers while a
 * session is stopped, and falls back to editor hovers only when no evaluatable expression is found.
 * So during a stopped elixirscope session this provider finds none, and HistoryHoverProvider's
 * hover (value now + history) is shown. For any other debug session it returns what VS Code's
 * default would (the identifier chain up to the hovered segment), leaving their hovers unchanged.
 */
export class HistoryEvaluatableExpressions implements vscode.EvaluatableExpressionProvider {
  constructor(private readonly tracker: DebugTracker) {}

  provideEvaluatableExpression(doc: vscode.TextDocument, pos: vscode.Position): vscode.EvaluatableExpression | undefined {
    const state = this.tracker.active();
    if (state?.stopped) return undefined;
    const range = doc.getWordRangeAtPosition(pos, IDENT);
    if (!range) return undefined;
    const full = doc.getText(range);
    const dot = full.indexOf('.', pos.character - range.start.character);
    const end = dot < 0 ? range.end : range.start.translate(0, dot);
    return new vscode.EvaluatableExpression(new vscode.Range(range.start, end));
  }
}

export function registerHoverHistory(tracker: DebugTracker): vscode.Disposable {
  const selector = LANGUAGES.map((language) => ({ language }));
  return vscode.Disposable.from(
    vscode.languages.registerHoverProvider(selector, new HistoryHoverProvider(tracker)),
    vscode.languages.registerEvaluatableExpressionProvider(selector, new HistoryEvaluatableExpressions(tracker)),
  );
}
