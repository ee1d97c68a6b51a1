/**
 * The "elixirscope: instrument" task: an incremental instrumentation build of a workspace
 * folder (the CLI's `instrument` command), for preLaunchTask and watch builds. Its errors
 * reach the Problems panel through the `$elixirscope` problem matcher.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { readSettings } from './settings';

export const TASK_TYPE = 'elixirscope';

interface InstrumentTaskDefinition extends vscode.TaskDefinition { mode?: string }

function instrumentTask(context: vscode.ExtensionContext, folder: vscode.WorkspaceFolder, definition: InstrumentTaskDefinition): vscode.Task {
  const mode = definition.mode ?? readSettings(folder.uri).mode;
  const cli = path.join(context.extensionPath, 'dist', 'cli.js');
  // The extension host's own executable runs the CLI (Electron needs ELECTRON_RUN_AS_NODE).
  const execution = new vscode.ProcessExecution(process.execPath, [cli, 'instrument', '--mode', mode, folder.uri.fsPath], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  const task = new vscode.Task(definition, folder, 'instrument', 'elixirscope', execution, '$elixirscope');
  task.group = vscode.TaskGroup.Build;
  return task;
}

export function registerInstrumentTask(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    provideTasks: () => {
      if (!vscode.workspace.isTrusted) return [];
      return (vscode.workspace.workspaceFolders ?? []).map((folder) => instrumentTask(context, folder, { type: TASK_TYPE }));
    },
    resolveTask: (task) => {
      const folder = task.scope && typeof task.scope === 'object' ? task.scope as vscode.WorkspaceFolder : vscode.workspace.workspaceFolders?.[0];
      return folder && vscode.workspace.isTrusted ? instrumentTask(context, folder, task.definition as InstrumentTaskDefinition) : undefined;
    },
  });
}
