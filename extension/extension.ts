/**
 * ElixirScope VS Code extension: activation wiring only. Each feature lives in its own file;
 * none holds trace logic (that is the adapter's job, reached through DAP custom requests).
 */
import * as vscode from 'vscode';
import { registerAdapterFactory } from './adapter-factory';
import { registerCommands } from './commands';
import { registerConfigurationProviders } from './configuration-provider';
import { DebugTracker } from './debug-tracker';
import { registerHoverHistory } from './hover-history';
import { registerInlineValues } from './inline-values';
import { registerInstrumentTask } from './instrument-task';
import { startLanguageClient } from './language-client';
import { DEBUG_TYPE } from './settings';
import { StatusBar } from './status-bar';
import { TimelinePanel } from './timeline-panel';

export interface ElixirScopeApi {
  /** For tests running inside the extension host. */
  readonly tracker: DebugTracker;
  readonly statusBar: StatusBar;
  readonly timeline: TimelinePanel;
}

export function activate(context: vscode.ExtensionContext): ElixirScopeApi {
  const tracker = new DebugTracker();
  const statusBar = new StatusBar(tracker);
  const timeline = new TimelinePanel(context, tracker);
  const client = startLanguageClient(context);
  context.subscriptions.push(
    tracker, statusBar, timeline, client,
    registerAdapterFactory(context, DEBUG_TYPE),
    ...registerConfigurationProviders(),
    ...registerCommands(context, tracker, timeline, (dir) => client.open(dir)),
    registerHoverHistory(tracker),
    registerInlineValues(),
    registerInstrumentTask(context),
  );
  return { tracker, statusBar, timeline };
}

export function deactivate(): void { /* disposables in context.subscriptions are released by VS Code */ }
