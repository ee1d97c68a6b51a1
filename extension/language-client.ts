/**
 * Starts the ElixirScope language server (dist/server.js, IPC) with vscode-languageclient and
 * tells it which recording to serve. Everything trace-derived (hovers with value history, "ran N
 * times" code lenses, diagnostics for recorded throws) is the server's; this file only wires it.
 *
 * When: at activation if the workspace already has recordings, else on the first ElixirScope debug
 * session. Which recording: the server picks the newest one under the recordings folder at start;
 * each ElixirScope session then sends `elixirscope/openRecording` with its recording (asked with
 * `elixirscope/info` at its first stop, once the adapter has it open) and again when the session
 * ends, since the store is unlocked then. Workspace trust: the server only reads recordings (as
 * replay does), so it runs in untrusted workspaces too, where it is how "Open Recording…" shows a
 * recording (VS Code starts no debug session in Restricted Mode); the
 * `recordingsFolder` setting it is given is a restricted one, so VS Code ignores a workspace value then.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LANGUAGES } from './configuration-provider';
import { info } from './requests';
import { DEBUG_TYPE, readSettings, recordingsFolder } from './settings';

export const OPEN_RECORDING = 'elixirscope/openRecording';

export class ElixirScopeLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly dirs = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    const folder = this.recordingsDir();
    if (folder && fs.existsSync(folder)) void this.start();
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => { if (s.type === DEBUG_TYPE) void this.start(); }),
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
        createDebugAdapterTracker: (s) => ({
          onDidSendMessage: (m: { type?: string; event?: string }) => { if (m.type === 'event' && m.event === 'stopped') void this.firstStop(s); },
        }),
      }),
      vscode.debug.onDidTerminateDebugSession(async (s) => {
        const dir = this.dirs.get(s.id);
        this.dirs.delete(s.id);
        if (dir) await this.open(dir);
      }),
    );
  }

  /** At a session's first stop the adapter has its recording open: ask which one. */
  private async firstStop(s: vscode.DebugSession): Promise<void> {
    if (this.dirs.has(s.id)) return;
    this.dirs.set(s.id, '');
    const dir = (await info(s).catch(() => undefined))?.dir;
    if (dir && this.dirs.has(s.id)) { this.dirs.set(s.id, dir); await this.open(dir); }
  }

  private recordingsDir(): string | undefined {
    return recordingsFolder(readSettings(vscode.workspace.workspaceFolders?.[0]), vscode.workspace.workspaceFolders?.[0]);
  }

  private start(): Promise<LanguageClient> {
    if (this.starting) return this.starting;
    const module = this.context.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
      initializationOptions: { recordingsFolder: this.recordingsDir() },
      outputChannelName: 'ElixirScope Language Server',
    };
    const client = new LanguageClient('elixirscope', 'ElixirScope', serverOptions, clientOptions);
    this.client = client;
    this.starting = client.start().then(() => client);
    this.starting.catch((err) => void vscode.window.showWarningMessage(`ElixirScope language server did not start: ${(err as Error).message}`));
    return this.starting;
  }

  /** Serves `dir` (hovers, code lenses, diagnostics); also the read-only view of a recording in Restricted Mode. */
  async open(dir: string): Promise<void> {
    try {
      const client = await this.start();
      await client.sendNotification(OPEN_RECORDING, { dir });
    } catch { /* reported by start() */ }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.client?.stop().catch(() => undefined);
  }
}

export function startLanguageClient(context: vscode.ExtensionContext): ElixirScopeLanguageClient {
  return new ElixirScopeLanguageClient(context);
}
