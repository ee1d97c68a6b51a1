/**
 * Inline values while stopped: for the identifiers on the lines of the current function up to
 * the stopped line, ask VS Code to look each one up in the stopped frame's variables
 * (InlineValueVariableLookup). Names that are not variables simply find nothing, so a lexical
 * scan is enough; no trace logic here.
 */
import * as vscode from 'vscode';
import { LANGUAGES } from './configuration-provider';

const KEYWORDS = new Set((
  'abstract any as async await boolean break case catch class const constructor continue debugger declare default delete do else enum ' +
  'export extends false finally for from function get if implements import in infer instanceof interface is keyof let module namespace ' +
  'never new null number object of package private protected public readonly require return satisfies set static string super switch ' +
  'symbol this throw true try type typeof undefined unique unknown var void while with yield bigint console'
).split(' '));

const FUNCTION_KINDS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);

/** Identifier occurrences on one line that may be variables: not keywords, not `.prop`, not inside strings/comments. */
export function scanLine(text: string, inBlockComment: boolean): { names: { name: string; start: number }[]; inBlockComment: boolean } {
  const names: { name: string; start: number }[] = [];
  let i = 0;
  let inComment = inBlockComment;
  while (i < text.length) {
    if (inComment) {
      const end = text.indexOf('*/', i);
      if (end < 0) return { names, inBlockComment: true };
      i = end + 2; inComment = false; continue;
    }
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') break;
    if (ch === '/' && text[i + 1] === '*') { inComment = true; i += 2; continue; }
    if (ch === '"' || ch === "'" || ch === '`') {
      // skip a string literal on this line (template literals spanning lines are rare in stepped code)
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      i = j + 1; continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[\w$]/.test(text[j])) j++;
      const name = text.slice(i, j);
      let k = i - 1;
      while (k >= 0 && text[k] === ' ') k--;
      const afterDot = k >= 0 && text[k] === '.' && text[k - 1] !== '.';
      if (!afterDot && !KEYWORDS.has(name)) names.push({ name, start: i });
      i = j; continue;
    }
    if (/[0-9]/.test(ch)) { while (i < text.length && /[\w.]/.test(text[i])) i++; continue; }
    i++;
  }
  return { names, inBlockComment: inComment };
}

async function functionStartLine(doc: vscode.TextDocument, line: number): Promise<number> {
  let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
  try {
    symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', doc.uri);
  } catch { symbols = undefined; }
  let best: vscode.Range | undefined;
  const visit = (list: (vscode.DocumentSymbol | vscode.SymbolInformation)[]) => {
    for (const s of list) {
      const range = 'range' in s ? s.range : s.location.range;
      if (!range.contains(new vscode.Position(line, 0))) continue;
      if (FUNCTION_KINDS.has(s.kind) && (!best || best.start.isBefore(range.start))) best = range;
      if ('children' in s && s.children?.length) visit(s.children);
    }
  };
  if (symbols) visit(symbols);
  return best ? best.start.line : Math.max(0, line - 200);
}

export class ElixirScopeInlineValues implements vscode.InlineValuesProvider {
  async provideInlineValues(doc: vscode.TextDocument, viewPort: vscode.Range, context: vscode.InlineValueContext): Promise<vscode.InlineValue[]> {
    // start, not end: a stopped location may span a whole statement (a for loop's body included)
    const stop = context.stoppedLocation.start.line;
    const first = await functionStartLine(doc, stop);
    const values: vscode.InlineValue[] = [];
    let inBlock = false;
    for (let l = first; l <= Math.min(stop, doc.lineCount - 1); l++) {
      const r = scanLine(doc.lineAt(l).text, inBlock);
      inBlock = r.inBlockComment;
      if (l < viewPort.start.line || l > viewPort.end.line) continue;
      const seen = new Set<string>();
      for (const { name, start } of r.names) {
        if (seen.has(name)) continue;
        seen.add(name);
        values.push(new vscode.InlineValueVariableLookup(new vscode.Range(l, start, l, start + name.length), name, true));
      }
    }
    return values;
  }
}

export function registerInlineValues(): vscode.Disposable {
  return vscode.languages.registerInlineValuesProvider(LANGUAGES.map((language) => ({ language })), new ElixirScopeInlineValues());
}
