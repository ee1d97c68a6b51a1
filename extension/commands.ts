/**
 * ElixirScope commands. Each one is a small piece of wiring: pick something in the UI, then start
 * a debug session or send one custom request. Time travel itself happens in the adapter, which
 * answers a seek with a `stopped` event so VS Code refreshes editor, call stack and variables.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { isRecordableDocument, openRecordingConfiguration, recordFileConfiguration, UNTRUSTED_MESSAGE } from './configuration-provider';
import type { DebugTracker } from './debug-tracker';
import { CustomRequest, OriginArgs } from '../protocol/requests';
import { info, origin, OriginStep, seek } from './requests';
import { recordingsFolder, readSettings } from './settings';
import type { TimelinePanel } from './timeline-panel';

export const Commands = {
  openTimeline: 'elixirscope.openTimeline',
  recordCurrentFile: 'elixirscope.recordCurrentFile',
  openRecording: 'elixirscope.openRecording',
  goToTime: 'elixirscope.goToTime',
  whereFrom: 'elixirscope.whereDidThisValueComeFrom',
  seek: 'elixirscope.seek',
  reverseStepIn: 'elixirscope.reverseStepIn',
  reverseStepOut: 'elixirscope.reverseStepOut',
} as const;

const IDENT = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/;

function errorText(e: unknown): string { return e instanceof Error ? e.message : String(e); }

const MANAGE_TRUST = 'Manage Workspace Trust';
function offerTrust(choice: string | undefined): void {
  if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
}

/**
 * Restricted Mode: VS Code starts no debug session at all in an untrusted workspace (it asks to
 * trust it first), so a recording is shown read-only through the language server instead: value
 * history in hovers, call counts in code lenses, recorded exceptions in Problems.
 */
async function showRecordingReadOnly(dir: string, showRecording: ((dir: string) => Promise<void>) | undefined): Promise<boolean> {
  if (!showRecording) return false;
  await showRecording(dir);
  void vscode.window.showInformationMessage(
    `ElixirScope: showing recording ${path.basename(dir)} read-only (Restricted Mode): hover a variable for the values it took; ` +
    'code lenses count calls; recorded exceptions are in Problems. Stepping through it needs a debug session, which VS Code starts only in a trusted workspace.',
    MANAGE_TRUST,
  ).then(offerTrust);
  return true;
}

function requireSession(tracker: DebugTracker): vscode.DebugSession | undefined {
  const s = tracker.session();
  if (!s) void vscode.window.showWarningMessage('ElixirScope: no ElixirScope debug session. Record a program (F5) or open a recording first.');
  return s;
}

async function seekAndReveal(tracker: DebugTracker, seq: number, file?: string, line?: number): Promise<void> {
  const session = requireSession(tracker);
  if (!session) return;
  try {
    await seek(session, seq);
  } catch (e) {
    void vscode.window.showErrorMessage(`ElixirScope: could not go to ${seq}: ${errorText(e)}`);
    return;
  }
  // The adapter's stopped event moves the editor; revealing here too keeps it right for adapters that don't.
  if (file && line && line > 0) {
    try {
      const doc = await vscode.workspace.openTextDocument(file);
      const pos = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preserveFocus: false });
    } catch { /* file may not exist locally (replayed recording) */ }
  }
}

type OriginItem = vscode.QuickPickItem & { step: OriginStep };
const TRACE_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('search'), tooltip: 'Where did this one come from?' };

/**
 * "Where did this value come from?": a quick pick with the statement that produced the value and
 * its inputs. Accepting a row goes to that point in time; the search button on an input traces
 * that input further (the chain is walked one elixirscope/origin request at a time).
 */
async function showOrigin(tracker: DebugTracker, session: vscode.DebugSession, label: string, args: OriginArgs): Promise<void> {
  const qp = vscode.window.createQuickPick<OriginItem>();
  qp.placeholder = 'Enter: go to that point in time · $(search): trace an input further';
  qp.matchOnDetail = true;
  const load = async (what: string, a: OriginArgs) => {
    qp.title = `Where did "${what}" come from?`;
    qp.busy = true;
    try {
      const steps = await origin(session, a);
      qp.items = steps.map((s, i) => ({
        label: `${i === 0 ? '$(debug-stackframe-focused)' : '$(arrow-small-right)'} ${s.description}`,
        description: s.value !== undefined ? `= ${s.value}` : undefined,
        detail: `@${s.seq}${s.file ? `  ${path.basename(s.file)}:${s.line ?? '?'}` : ''}`,
        buttons: s.trace ? [TRACE_BUTTON] : [],
        step: s,
      }));
      if (!steps.length) qp.items = [{ label: `No recorded origin for "${what}"`, step: { seq: -1, description: '' } }];
    } catch (e) {
      qp.items = [{ label: `$(error) ${errorText(e)}`, step: { seq: -1, description: '' } }];
    } finally {
      qp.busy = false;
    }
  };
  qp.onDidTriggerItemButton((e) => { const t = e.item.step.trace; if (t) void load(t.name ?? 'return value', t); });
  qp.onDidAccept(() => {
    const s = qp.selectedItems[0]?.step;
    qp.hide();
    if (s && s.seq >= 0) void seekAndReveal(tracker, s.seq, s.file, s.line);
  });
  qp.onDidHide(() => qp.dispose());
  qp.show();
  await load(label, args);
}

export function registerCommands(
  context: vscode.ExtensionContext, tracker: DebugTracker, timeline: TimelinePanel,
  showRecording?: (dir: string) => Promise<void>,
): vscode.Disposable[] {
  const folderOf = (uri?: vscode.Uri) => (uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined) ?? vscode.workspace.workspaceFolders?.[0];

  return [
    vscode.commands.registerCommand(Commands.openTimeline, () => timeline.show()),

    vscode.commands.registerCommand(Commands.recordCurrentFile, async (uri?: vscode.Uri) => {
      // Refused here, with the reason, rather than through VS Code's generic trust prompt of startDebugging.
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, MANAGE_TRUST).then(offerTrust);
        return false;
      }
      let file = uri instanceof vscode.Uri ? uri.fsPath : undefined;
      if (!file) {
        const doc = vscode.window.activeTextEditor?.document;
        if (!isRecordableDocument(doc)) {
          void vscode.window.showErrorMessage('ElixirScope: open a TypeScript or JavaScript file to record it.');
          return false;
        }
        if (doc.isDirty) await doc.save();
        file = doc.fileName;
      }
      return vscode.debug.startDebugging(folderOf(vscode.Uri.file(file)), recordFileConfiguration(file));
    }),

    vscode.commands.registerCommand(Commands.openRecording, async (uri?: vscode.Uri) => {
      let dir = uri instanceof vscode.Uri ? uri.fsPath : undefined;
      if (!dir) {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const base = recordingsFolder(readSettings(folder?.uri), folder);
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
          openLabel: 'Open Recording', title: 'ElixirScope: Open Recording',
          defaultUri: base ? vscode.Uri.file(base) : folder?.uri,
        });
        if (!picked?.length) return false;
        dir = picked[0].fsPath;
      }
      if (!vscode.workspace.isTrusted) return showRecordingReadOnly(dir, showRecording);
      return vscode.debug.startDebugging(folderOf(vscode.Uri.file(dir)), openRecordingConfiguration(dir));
    }),

    vscode.commands.registerCommand(Commands.goToTime, async (arg?: number | { seq: number }) => {
      const session = requireSession(tracker);
      if (!session) return;
      let seq = typeof arg === 'number' ? arg : typeof arg === 'object' && arg ? arg.seq : undefined;
      if (seq === undefined) {
        let max: number | undefined; let now: number | undefined;
        try { const i = await info(session); max = i ? Math.max(0, i.events - 1) : undefined; now = i?.seq; } catch { /* optional */ }
        const input = await vscode.window.showInputBox({
          title: 'ElixirScope: Go to Time',
          prompt: max !== undefined ? `Event number between 0 and ${max} (now at ${now})` : 'Event number (seq)',
          value: now !== undefined ? String(now) : '',
          validateInput: (v) => {
            if (!/^\s*\d+\s*$/.test(v)) return 'Enter a whole number ≥ 0';
            if (max !== undefined && Number(v) > max) return `The recording ends at ${max}`;
            return undefined;
          },
        });
        if (input === undefined) return;
        seq = Number(input.trim());
      }
      await seekAndReveal(tracker, seq);
    }),

    ...([[Commands.reverseStepIn, CustomRequest.reverseStepIn, 'step back into'], [Commands.reverseStepOut, CustomRequest.reverseStepOut, 'step back out']] as const)
      .map(([id, request, what]) => vscode.commands.registerCommand(id, async () => {
        const session = requireSession(tracker);
        if (!session) return;
        // the adapter moves and then sends `stopped`, like stepBack
        try { await session.customRequest(request, { threadId: 1 }); } catch (e) { void vscode.window.showWarningMessage(`ElixirScope: could not ${what}: ${errorText(e)}`); }
      })),

    vscode.commands.registerCommand(Commands.seek, async (arg?: { seq: number; file?: string; line?: number } | number) => {
      const a = typeof arg === 'number' ? { seq: arg } : arg;
      if (!a || !Number.isFinite(a.seq)) return;
      await seekAndReveal(tracker, a.seq, a.file, a.line);
    }),

    vscode.commands.registerCommand(Commands.whereFrom, async () => {
      const session = requireSession(tracker);
      if (!session) return;
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const sel = editor.selection;
      const range = sel.isEmpty ? editor.document.getWordRangeAtPosition(sel.active, IDENT) : sel;
      const name = range ? editor.document.getText(range).trim() : '';
      if (!name) { void vscode.window.showInformationMessage('ElixirScope: put the cursor on a variable first.'); return; }
      await showOrigin(tracker, session, name, { name, frameId: tracker.active()?.topFrameId });
    }),
  ];
}
