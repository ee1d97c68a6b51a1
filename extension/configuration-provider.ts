/**
 * Debug configurations of type `elixirscope`: launch.json initial configurations, dynamic
 * configurations (the Run and Debug "ElixirScope..." picker), and resolution of F5 without a
 * launch.json (record the active TS/JS file). Settings are merged in here, and workspace trust is
 * enforced: an untrusted workspace may open existing recordings but never run (record) a program.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { pruneRecordings } from './recordings';
import { applySettings, DEBUG_TYPE, ElixirScopeDebugConfiguration, readSettings } from './settings';

export const LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'];
const SOURCE_EXT = /\.(m|c)?(t|j)sx?$/i;

export function isRecordableDocument(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && doc.uri.scheme === 'file' && (LANGUAGES.includes(doc.languageId) || SOURCE_EXT.test(doc.fileName));
}

export function recordFileConfiguration(file: string): ElixirScopeDebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `ElixirScope: ${path.basename(file)}`, program: file };
}

export function openRecordingConfiguration(dir: string): ElixirScopeDebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `ElixirScope: replay ${path.basename(dir)}`, recording: dir };
}

export const UNTRUSTED_MESSAGE =
  'ElixirScope does not record programs in an untrusted workspace, because recording runs the program. ' +
  'Trust this workspace to record, or use "ElixirScope: Open Recording…" to see an existing recording read-only.';

/** Initial configurations written into a new launch.json. */
export class InitialConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      { type: DEBUG_TYPE, request: 'launch', name: 'ElixirScope: Record Current File', program: '${file}' },
      { type: DEBUG_TYPE, request: 'launch', name: 'ElixirScope: Open Recording', recording: '${workspaceFolder}/.elixirscope/recordings/<name>' },
    ];
  }
}

/** Dynamic configurations: offered in Run and Debug's "ElixirScope..." entry without a launch.json. */
export class DynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const configs: vscode.DebugConfiguration[] = [];
    const doc = vscode.window.activeTextEditor?.document;
    if (isRecordableDocument(doc)) configs.push(recordFileConfiguration(doc.fileName));
    if (folder) {
      try {
        const pkg = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'package.json'))).toString('utf8'));
        if (typeof pkg.main === 'string') {
          const main = path.join(folder.uri.fsPath, pkg.main);
          if (!configs.some((c) => c.program === main)) configs.push({ ...recordFileConfiguration(main), name: `ElixirScope: ${pkg.name ?? folder.name} (main)` });
        }
      } catch { /* no package.json */ }
    }
    return configs;
  }
}

/** Fills in F5-without-launch.json, enforces trust, merges settings. */
export class ResolvingConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    const c = config as ElixirScopeDebugConfiguration;
    if (!c.request || (!c.program && !c.recording)) {
      // F5 with no launch.json (or a bare {type: 'elixirscope'}): record the active file.
      const doc = vscode.window.activeTextEditor?.document;
      if (!isRecordableDocument(doc)) {
        void vscode.window.showErrorMessage('ElixirScope: open a TypeScript or JavaScript file to record it, or add an "elixirscope" configuration to launch.json.');
        return undefined; // aborts the launch
      }
      return { ...recordFileConfiguration(doc.fileName), ...withoutEmpty(c), program: doc.fileName, request: 'launch', type: DEBUG_TYPE };
    }
    return c;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const c = config as ElixirScopeDebugConfiguration;
    if (!c.recording && !vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE);
      return undefined;
    }
    if (!c.recording && !c.program) {
      void vscode.window.showErrorMessage('ElixirScope: the launch configuration needs "program" (a file to record) or "recording" (a folder to replay).');
      return undefined;
    }
    if (c.program && folder && !path.isAbsolute(c.program)) c.program = path.join(folder.uri.fsPath, c.program);
    if (!c.cwd && folder) c.cwd = folder.uri.fsPath;
    const resolved = applySettings(c, readSettings(folder?.uri), folder);
    if (!resolved.recording && resolved.out && resolved.retention) {
      await pruneRecordings(path.dirname(resolved.out), resolved.retention).catch(() => []);
    }
    return resolved;
  }
}

function withoutEmpty(c: vscode.DebugConfiguration): vscode.DebugConfiguration {
  const out: vscode.DebugConfiguration = { ...c };
  for (const k of Object.keys(out)) if (out[k] === undefined || out[k] === '') delete out[k];
  return out;
}

export function registerConfigurationProviders(): vscode.Disposable[] {
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new InitialConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new DynamicConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ResolvingConfigurationProvider()),
  ];
}
