/**
 * Starts the ElixirScope debug adapter as a separate process speaking DAP on stdio:
 * `node dist/adapter.js`. The node used is the extension host's own runtime (Electron run as node
 * in desktop VS Code, plain Node in code-server / VS Code server), so no `node` on PATH is needed
 * and the adapter's native module (classic-level, N-API) loads in a known runtime.
 *
 * ELIXIRSCOPE_ADAPTER (environment of the extension host) overrides the adapter script; the e2e
 * harness uses it to run the workbench against a scripted adapter. An inline adapter
 * (vscode.DebugAdapterInlineImplementation) is the other option if adapter/ ever exports one.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}

  adapterScript(): string {
    return process.env.ELIXIRSCOPE_ADAPTER || this.context.asAbsolutePath('dist/adapter.js');
  }

  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const script = this.adapterScript();
    if (!fs.existsSync(script)) {
      throw new Error(`ElixirScope debug adapter not found at ${script}. Run "npm run build" in the extension folder.`);
    }
    const env: Record<string, string> = {};
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    return new vscode.DebugAdapterExecutable(process.execPath, [script], { env });
  }
}

export function registerAdapterFactory(context: vscode.ExtensionContext, type: string): vscode.Disposable {
  return vscode.debug.registerDebugAdapterDescriptorFactory(type, new AdapterFactory(context));
}
