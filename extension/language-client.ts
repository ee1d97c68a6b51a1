/**
 * Seam for the ElixirScope language server (vscode-languageclient), a later step.
 *
 * When it lands: start a LanguageClient over stdio on dist/server.js (the server reuses the store
 * and query engine from adapter/ without DAP), for the document selector LANGUAGES, and return it
 * here so activate() disposes it. Features it will own: code lenses with hit counts, diagnostics
 * for recorded exceptions, "find all recorded values". Nothing in extension/ may grow trace logic
 * in the meantime: put such features behind this seam.
 */
import type * as vscode from 'vscode';

export function startLanguageClient(_context: vscode.ExtensionContext): vscode.Disposable | undefined {
  return undefined;
}
