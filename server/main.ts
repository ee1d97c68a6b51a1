/**
 * ElixirScope language server (LSP over IPC or stdio): serves what a recording knows about the
 * source to any editor. Hovers list the values a variable took, code lenses count how often each
 * function ran, diagnostics mark the lines that threw during the recording.
 *
 * Which recording: initializationOptions `{ recording: dir }`, then the notification
 * `elixirscope/openRecording` `{ dir }`; without either, the newest folder under
 * initializationOptions `recordingsFolder`, else under `<workspace>/.elixirscope/recordings/`. It only reads recordings, through adapter/engine.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest, createConnection, DiagnosticSeverity, MarkupKind, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type CodeLens, type Diagnostic, type Hover, type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isTransient, lensTitle, newestRecording, RecordingView, type ThrowGroup } from './recording';

export const OPEN_RECORDING = 'elixirscope/openRecording';
const HOVER_ENTRIES = 10;
const WATCH_MS = 1000;
const MAX_VALUE = 80;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let view: RecordingView | undefined;
let retry: NodeJS.Timeout | undefined;
let loading = 0;
let published = new Set<string>();
let lensRefresh = false;

function log(msg: string): void { connection.console.log(`elixirscope: ${msg}`); }

function filePath(uri: string): string | undefined {
  try { return uri.startsWith('file:') ? fileURLToPath(uri) : undefined; } catch { return undefined; }
}

/**
 * Loads `dir` (replacing the current recording). Readers open a snapshot, so a recording that is
 * being written or replayed loads at once with what it holds so far; while it has not ended, its
 * folder is checked every second and a changed one is loaded again (lenses, diagnostics and
 * hovers follow it) until it has ended or another recording is asked for.
 */
async function openRecording(dir: string): Promise<void> {
  if (retry) { clearTimeout(retry); retry = undefined; }
  const attempt = ++loading;
  let live = false;
  const tryLoad = async (): Promise<void> => {
    retry = undefined;
    if (attempt !== loading) return;
    try {
      const next = await RecordingView.load(dir);
      if (attempt !== loading) { void next.close(); return; }
      const previous = view;
      view = next;
      void previous?.close().catch(() => undefined);
      const fns = [...next.functions.values()].reduce((n, l) => n + l.length, 0);
      const state = next.complete ? '' : ` (still being recorded: ${next.events} events so far)`;
      log(`${live ? 'reloaded' : 'opened'} recording ${dir}${state}: ${fns} functions ran, ${next.throws.length} throw places`);
      live = !next.complete;
      publishDiagnostics();
      if (lensRefresh) connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
      if (live) retry = setTimeout(() => void watch(), WATCH_MS);
    } catch (err) {
      if (attempt !== loading) return;
      if (isTransient(err)) { retry = setTimeout(() => void tryLoad(), WATCH_MS); return; }
      log(`cannot open recording ${dir}: ${(err as Error).message}`);
    }
  };
  const watch = async (): Promise<void> => {
    retry = undefined;
    if (attempt !== loading) return;
    if (view?.changed()) await tryLoad();
    else retry = setTimeout(() => void watch(), WATCH_MS);
  };
  await tryLoad();
}

function diagnosticFor(g: ThrowGroup): Diagnostic {
  const times = `${g.count} time${g.count === 1 ? '' : 's'} in the recording`;
  const what = g.message ? `${g.type}: ${g.message}` : g.type;
  const endLine = g.endLine > 0 ? g.endLine : g.line;
  return {
    range: { start: { line: g.line - 1, character: g.column - 1 }, end: endLine === g.line && g.endColumn > g.column ? { line: g.line - 1, character: g.endColumn - 1 } : { line: g.line - 1, character: 1000 } },
    severity: g.uncaught ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    source: 'ElixirScope',
    message: `threw ${what} (${times}${g.uncaught ? ', not caught' : ', caught'})`,
  };
}

/** Diagnostics for every recorded file that threw; files that no longer have any are cleared. */
function publishDiagnostics(): void {
  const byUri = new Map<string, Diagnostic[]>();
  for (const g of view?.throws ?? []) {
    const uri = pathToFileURL(g.file).toString();
    byUri.set(uri, [...(byUri.get(uri) ?? []), diagnosticFor(g)]);
  }
  for (const uri of published) if (!byUri.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  for (const [uri, diagnostics] of byUri) void connection.sendDiagnostics({ uri, diagnostics });
  published = new Set(byUri.keys());
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return (one.length > MAX_VALUE ? one.slice(0, MAX_VALUE - 1) + '…' : one).replace(/`/g, "'");
}

const IDENT = /[A-Za-z_$][\w$]*/g;
function identifierAt(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end < 0 ? undefined : end);
  const col = offset - start;
  for (const m of line.matchAll(IDENT)) if (m.index! <= col && col < m.index! + m[0].length) return /^\d/.test(m[0]) ? undefined : m[0];
  return undefined;
}

connection.onInitialize((params: InitializeParams) => {
  lensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  const options = (params.initializationOptions ?? {}) as { recording?: unknown; recordingsFolder?: unknown };
  const roots = [
    typeof options.recordingsFolder === 'string' && options.recordingsFolder ? options.recordingsFolder : undefined,
    ...[...(params.workspaceFolders ?? []).map((f) => filePath(f.uri)), params.rootUri ? filePath(params.rootUri) : undefined]
      .map((r) => r && join(r, '.elixirscope', 'recordings')),
  ].filter((r): r is string => !!r);
  const dir = typeof options.recording === 'string' && options.recording ? options.recording
    : roots.map((r) => newestRecording(r)).find((d) => !!d);
  if (dir) void openRecording(dir);
  else log('no recording yet (none given, none under .elixirscope/recordings)');
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
  };
});

connection.onNotification(OPEN_RECORDING, (params: { dir?: unknown }) => {
  if (typeof params?.dir === 'string' && params.dir) void openRecording(params.dir);
});

connection.onHover(async ({ textDocument, position }): Promise<Hover | null> => {
  const doc = documents.get(textDocument.uri);
  const file = filePath(textDocument.uri);
  if (!doc || !file || !view) return null;
  const name = identifierAt(doc.getText(), doc.offsetAt(position));
  if (!name) return null;
  let h;
  for (let asked = view; ; asked = view) {
    try { h = await asked.history(name, file, HOVER_ENTRIES); break; } catch (err) {
      if (view && view !== asked) continue; // a live recording was reloaded meanwhile: ask the new view
      log(`hover on ${name}: ${(err as Error).message}`);
      return null;
    }
  }
  if (!h || !h.total) return null;
  const lines = [`**${name}** took ${h.total} value${h.total === 1 ? '' : 's'} in the recording${h.total > h.entries.length ? ` (first ${h.entries.length} shown)` : ''}:`, ''];
  for (const e of h.entries) lines.push(`- @${e.seq} line ${e.line} in \`${clip(e.function)}\`: \`${clip(e.value)}\``);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') } };
});

connection.onCodeLens(({ textDocument }): CodeLens[] => {
  const file = filePath(textDocument.uri);
  const fns = file ? view?.functions.get(file) : undefined;
  // Durations are reconstructed from the recording's clock samples (adapter/engine/timing.ts).
  return (fns ?? []).map((f) => ({
    range: { start: { line: f.line - 1, character: f.column - 1 }, end: { line: f.line - 1, character: f.column - 1 } },
    command: { title: lensTitle(f), command: '' },
  }));
});

connection.onShutdown(async () => { if (retry) clearTimeout(retry); loading++; await view?.close().catch(() => undefined); view = undefined; });

documents.listen(connection);
connection.listen();
