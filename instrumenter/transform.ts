/**
 * The per-file rewrite: TypeScript/JavaScript source in, instrumented JavaScript (calling the
 * hooks of protocol/hooks.ts) plus its site table out.
 *
 * Everything runs inside one `ts.transpileModule` call:
 *  - a `before` transformer works on the ORIGINAL AST (so every site has its exact original
 *    position) and adds function wrappers, steps, writes, returns and await/yield hooks;
 *    TypeScript's own transforms (types, parameter properties, decorators, enums, JSX, the
 *    module transform) then run on the result, so TS-specific lowering keeps working;
 *  - an `after` transformer works on the final JS and adds the file header and the module
 *    frame (a try/catch/finally around the module body for CommonJS output).
 */
import { ts } from 'ts-morph';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Mode } from '../protocol/events';
import { BUDGET_ELIDED, BUDGET_LEFT, BUDGET_SLOTS, HOOKS_GLOBAL } from '../protocol/hooks';
import { SiteKind } from '../protocol/sites';
import type { BlockScope, Site, FileSiteTable } from '../protocol/sites';

import { INSTRUMENTER_VERSION } from './version';
import { isEsmFile } from './workspace';
export { isEsmFile };
export { INSTRUMENTER_VERSION };

/** Methods of built-ins (Array, Map, Set, typed arrays) that change their receiver in place. */
const MUTATING_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);

export interface BuildError { file: string; line: number; column: number; message: string }

export interface InstrumentResult { code: string; table: FileSiteTable; errors: BuildError[] }

/** The identifiers the output uses; suffixed when user code already uses one of the prefixes. */
interface Names { es: string; s: string; f: string; m: string; e: string; t: string; b: string; q: string }

const NAME_BASES = ['$$es', '$$s', '$$f', '$$m', '$$e', '$$t', '$$b', '$$q'] as const;

export function pickNames(text: string): Names {
  const found = text.match(/\$\$[\w$]*/g) ?? [];
  for (let k = 0; ; k++) {
    const sfx = k === 0 ? '' : `_${k}_`;
    const clash = found.some((tok) => NAME_BASES.some((b) => tok.startsWith(b + sfx)));
    if (!clash) {
      return { es: '$$es' + sfx, s: '$$s' + sfx, f: '$$f' + sfx, m: '$$m' + sfx, e: '$$e' + sfx, t: '$$t' + sfx, b: '$$b' + sfx, q: '$$q' + sfx };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Compiler options

function isJsFile(fileName: string): boolean {
  return /\.(js|jsx|mjs|cjs)$/i.test(fileName);
}

/** Options that change what transpileModule emits; everything else in a tsconfig is dropped. */
const EMIT_OPTIONS = [
  'target', 'jsx', 'jsxFactory', 'jsxFragmentFactory', 'jsxImportSource', 'reactNamespace',
  'experimentalDecorators', 'emitDecoratorMetadata', 'useDefineForClassFields', 'esModuleInterop',
  'allowSyntheticDefaultImports', 'importHelpers', 'downlevelIteration', 'preserveConstEnums',
  'verbatimModuleSyntax', 'alwaysStrict', 'strict', 'removeComments', 'newLine', 'noEmitHelpers',
  'rewriteRelativeImportExtensions', 'importsNotUsedAsValues', 'preserveValueImports', 'module',
] as const;

/**
 * The options one file is transpiled with: the workspace's emit-relevant options, our defaults,
 * the module format of this file, and source maps on.
 */
export function effectiveOptions(fileName: string, base: ts.CompilerOptions | undefined, esm: boolean): ts.CompilerOptions {
  const o: ts.CompilerOptions = {};
  for (const k of EMIT_OPTIONS) if (base && base[k] !== undefined) (o as Record<string, unknown>)[k] = base[k];
  if (o.target === undefined) o.target = ts.ScriptTarget.ES2022;
  if (o.esModuleInterop === undefined) o.esModuleInterop = true;
  // Output must run on Node: JSX left in place (preserve, react-native) becomes the automatic runtime.
  if (o.jsx === undefined) o.jsx = ts.JsxEmit.React;
  else if (o.jsx === ts.JsxEmit.Preserve || o.jsx === ts.JsxEmit.ReactNative) o.jsx = ts.JsxEmit.ReactJSX;
  o.module = esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
  // Plain JavaScript runs as written: never add "use strict" to a sloppy script.
  if (isJsFile(fileName)) { o.alwaysStrict = false; delete o.strict; }
  o.ignoreDeprecations = '6.0';
  o.sourceMap = true;
  o.inlineSourceMap = false;
  o.inlineSources = false;
  o.declaration = false;
  o.noEmit = false;
  o.isolatedModules = true;
  return o;
}

export function computeHash(mode: Mode, options: ts.CompilerOptions, text: string): string {
  const keys = Object.keys(options).sort();
  const opts = keys.map((k) => `${k}=${JSON.stringify((options as Record<string, unknown>)[k])}`).join(';');
  return createHash('sha256').update(INSTRUMENTER_VERSION).update('\0').update(mode).update('\0')
    .update(opts).update('\0').update(text).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// The instrumenter proper

type FunctionWithBody =
  | ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration
  | ts.GetAccessorDeclaration | ts.SetAccessorDeclaration | ts.ConstructorDeclaration;

interface FnCtx {
  /** Local site index of the function (0 for the module). */
  site: number;
  /** The frame variable: $$f in functions, $$m at module level. */
  frame: string;
  temps: string[];
  /** False where a function-scoped temp would not be in scope (parameter defaults, field initializers). */
  tempsAllowed: boolean;
  /** Async functions and generators (and ES modules, for top-level await): frames that suspend. */
  suspendable: boolean;
  /** Derived-class constructors in full mode: `this` is recorded after each `super(...)` statement, not at entry. */
  thisAfterSuper?: boolean;
  /** `with` statements around the current point inside this function (not counting enclosing functions). */
  withDepth?: number;
  /** Inside a `with` body of this function: temps go here, declared with `let` at the start of that body. */
  withTemps?: string[];
}

/** Property of the hooks object through which a `with` head hands [site base, frame] to its body. */
const WITH_SLOT = '$$esWith';

function isFunctionWithBody(n: ts.Node): n is FunctionWithBody {
  return (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)
    || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isConstructorDeclaration(n)) && !!n.body;
}

function boundNames(name: ts.BindingName, out: ts.Identifier[] = []): ts.Identifier[] {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNames(el.name, out);
  return out;
}

/** Identifier targets of a destructuring assignment pattern (property targets are skipped). */
function assignedIdentifiers(target: ts.Expression, out: ts.Identifier[] = []): ts.Identifier[] {
  const t = skipOuter(target);
  if (ts.isIdentifier(t)) out.push(t);
  else if (ts.isArrayLiteralExpression(t)) {
    for (const el of t.elements) {
      if (ts.isOmittedExpression(el)) continue;
      assignedIdentifiers(ts.isSpreadElement(el) ? el.expression : el, out);
    }
  } else if (ts.isObjectLiteralExpression(t)) {
    for (const p of t.properties) {
      if (ts.isShorthandPropertyAssignment(p)) out.push(p.name);
      else if (ts.isPropertyAssignment(p)) assignedIdentifiers(p.initializer, out);
      else if (ts.isSpreadAssignment(p)) assignedIdentifiers(p.expression, out);
    }
  } else if (ts.isBinaryExpression(t) && t.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    assignedIdentifiers(t.left, out); // element with a default value
  }
  return out;
}

function isAssignmentOperator(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

/** `function(){}`, `() => {}`, `class {}` (possibly parenthesized / type-asserted): gets its .name from the binding. */
function isAnonymousFunctionDefinition(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return ts.isArrowFunction(x) || (ts.isFunctionExpression(x) && !x.name) || (ts.isClassExpression(x) && !x.name);
}

function isResultUnused(node: ts.Node): boolean {
  let n: ts.Node = node;
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (ts.isParenthesizedExpression(p)) { n = p; continue; }
    if (ts.isExpressionStatement(p)) return true;
    if (ts.isVoidExpression(p)) return true;
    if (ts.isForStatement(p)) return p.incrementor === n || p.initializer === n;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.CommaToken) {
      if (p.left === n) return true;
      n = p; continue;
    }
    return false;
  }
}

function memberNameText(name: ts.PropertyName | undefined, sf: ts.SourceFile): string {
  if (!name) return '<anonymous>';
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return `[${name.getText(sf)}]`;
}

function className(c: ts.ClassLikeDeclaration): string {
  if (c.name) return c.name.text;
  const p = c.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return '<anonymous>';
}

/** NodeFlags.Ambient (internal in the public typings): set by the parser on everything in a `declare` context. */
const AMBIENT: number = (ts.NodeFlags as unknown as Record<string, number>)['Ambient'] ?? (1 << 25);

function isDirective(s: ts.Statement): boolean {
  return ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression);
}

/** Parentheses and type-only wrappers (as, satisfies, !, <T>): what the expression is at run time. */
function skipOuter(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)
      || ts.isTypeAssertionExpression(e) || ts.isPartiallyEmittedExpression(e)) e = e.expression;
    else return e;
  }
}

function hasAmbient(n: ts.Node): boolean {
  return (n.flags & AMBIENT) !== 0;
}

/** An expression V8 evaluates without recording a source position of its own (a name, a literal, `this`). */
function isPositionless(e: ts.Expression): boolean {
  const x = skipOuter(e);
  switch (x.kind) {
    case ts.SyntaxKind.Identifier: case ts.SyntaxKind.ThisKeyword: case ts.SyntaxKind.NullKeyword: case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword: case ts.SyntaxKind.NumericLiteral: case ts.SyntaxKind.StringLiteral: case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return true;
    case ts.SyntaxKind.VoidExpression:
      return isPositionless((x as ts.VoidExpression).expression);
    default:
      return false;
  }
}

/** A statement that is just `super(...)` (possibly parenthesized / type-asserted): `this` is bound after it. */
function isSuperCallStatement(st: ts.Statement): st is ts.ExpressionStatement {
  if (!ts.isExpressionStatement(st)) return false;
  const e = skipOuter(st.expression);
  return ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.SuperKeyword;
}

function isDerivedClass(c: ts.ClassLikeDeclaration): boolean {
  return !!c.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
}

/**
 * Names a function (or module) declares in its own scope, in source order: var/let/const/using
 * (destructuring and for-heads included), function, class, enum and namespace declarations,
 * imports and catch bindings, in the body and its nested blocks but not in nested functions,
 * classes or namespace bodies. Type-only and ambient declarations are skipped.
 */
function scopeDeclarations(stmts: readonly ts.Statement[], isInstantiated: (m: ts.ModuleDeclaration) => boolean): ts.Identifier[] {
  const out: ts.Identifier[] = [];
  const list = (l: ts.ForInitializer | undefined): void => {
    if (l && ts.isVariableDeclarationList(l)) for (const d of l.declarations) boundNames(d.name, out);
  };
  const visit = (st: ts.Statement | undefined): void => {
    if (!st || hasAmbient(st)) return;
    switch (st.kind) {
      case ts.SyntaxKind.VariableStatement: list((st as ts.VariableStatement).declarationList); return;
      case ts.SyntaxKind.FunctionDeclaration: {
        const fd = st as ts.FunctionDeclaration;
        if (fd.name && fd.body) out.push(fd.name);
        return;
      }
      case ts.SyntaxKind.ClassDeclaration: { const n = (st as ts.ClassDeclaration).name; if (n) out.push(n); return; }
      case ts.SyntaxKind.EnumDeclaration: out.push((st as ts.EnumDeclaration).name); return;
      case ts.SyntaxKind.ModuleDeclaration: {
        const m = st as ts.ModuleDeclaration;
        if (ts.isIdentifier(m.name) && isInstantiated(m)) out.push(m.name);
        return;
      }
      case ts.SyntaxKind.ImportDeclaration: {
        const c = (st as ts.ImportDeclaration).importClause;
        if (!c || c.isTypeOnly) return;
        if (c.name) out.push(c.name);
        const nb = c.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) out.push(nb.name);
        else if (nb) for (const el of nb.elements) if (!el.isTypeOnly) out.push(el.name);
        return;
      }
      case ts.SyntaxKind.ImportEqualsDeclaration: {
        const ie = st as ts.ImportEqualsDeclaration;
        if (!ie.isTypeOnly) out.push(ie.name);
        return;
      }
      case ts.SyntaxKind.Block: (st as ts.Block).statements.forEach(visit); return;
      case ts.SyntaxKind.IfStatement: visit((st as ts.IfStatement).thenStatement); visit((st as ts.IfStatement).elseStatement); return;
      case ts.SyntaxKind.DoStatement: case ts.SyntaxKind.WhileStatement: case ts.SyntaxKind.LabeledStatement: case ts.SyntaxKind.WithStatement:
        visit((st as ts.DoStatement | ts.WhileStatement | ts.LabeledStatement | ts.WithStatement).statement); return;
      case ts.SyntaxKind.ForStatement: case ts.SyntaxKind.ForInStatement: case ts.SyntaxKind.ForOfStatement: {
        const fs = st as ts.ForStatement | ts.ForInStatement | ts.ForOfStatement;
        list(fs.initializer); visit(fs.statement); return;
      }
      case ts.SyntaxKind.SwitchStatement:
        for (const c of (st as ts.SwitchStatement).caseBlock.clauses) c.statements.forEach(visit);
        return;
      case ts.SyntaxKind.TryStatement: {
        const t = st as ts.TryStatement;
        visit(t.tryBlock);
        if (t.catchClause) {
          if (t.catchClause.variableDeclaration) boundNames(t.catchClause.variableDeclaration.name, out);
          visit(t.catchClause.block);
        }
        visit(t.finallyBlock);
        return;
      }
    }
  };
  stmts.forEach(visit);
  return out;
}

/** A `let`/`const`/`using` declaration list (not `var`). */
function isLexical(l: ts.ForInitializer | ts.VariableDeclarationList | undefined): l is ts.VariableDeclarationList {
  return !!l && ts.isVariableDeclarationList(l) && !!(l.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing));
}

/** The lexical names (let/const/class) a statement list declares directly, as its block scope holds them. */
function lexicalNames(stmts: readonly ts.Statement[]): ts.Identifier[] {
  const out: ts.Identifier[] = [];
  for (const st of stmts) {
    if (hasAmbient(st)) continue;
    if (ts.isVariableStatement(st) && isLexical(st.declarationList)) for (const d of st.declarationList.declarations) boundNames(d.name, out);
    else if (ts.isClassDeclaration(st) && st.name) out.push(st.name);
  }
  return out;
}

/**
 * The block scopes inside a function's (or module's) own body that declare names: blocks,
 * loops with a let/const head, catch clauses and switch case blocks; not nested functions.
 * Each is a node (whose range is the scope) with its names and kind. A labelled loop's range
 * starts at its label (where its statement step is).
 */
function blockScopes(stmts: readonly ts.Statement[]): Array<{ node: ts.Node; start?: ts.Node; kind: BlockScope['kind']; names: ts.Identifier[] }> {
  const out: Array<{ node: ts.Node; start?: ts.Node; kind: BlockScope['kind']; names: ts.Identifier[] }> = [];
  const add = (node: ts.Node, kind: BlockScope['kind'], names: ts.Identifier[]) => {
    if (!names.length) return;
    let start: ts.Node = node;
    while (ts.isLabeledStatement(start.parent)) start = start.parent;
    out.push({ node, ...(start !== node ? { start } : {}), kind, names });
  };
  const block = (b: ts.Block): void => { add(b, 'block', lexicalNames(b.statements)); b.statements.forEach(visit); };
  const visit = (st: ts.Statement | undefined): void => {
    if (!st || hasAmbient(st)) return;
    switch (st.kind) {
      case ts.SyntaxKind.Block: block(st as ts.Block); return;
      case ts.SyntaxKind.IfStatement: visit((st as ts.IfStatement).thenStatement); visit((st as ts.IfStatement).elseStatement); return;
      case ts.SyntaxKind.DoStatement: case ts.SyntaxKind.WhileStatement: case ts.SyntaxKind.LabeledStatement: case ts.SyntaxKind.WithStatement:
        visit((st as ts.DoStatement | ts.WhileStatement | ts.LabeledStatement | ts.WithStatement).statement); return;
      case ts.SyntaxKind.ForStatement: case ts.SyntaxKind.ForInStatement: case ts.SyntaxKind.ForOfStatement: {
        const fs = st as ts.ForStatement | ts.ForInStatement | ts.ForOfStatement;
        if (isLexical(fs.initializer)) add(fs, 'loop', fs.initializer.declarations.flatMap((d) => boundNames(d.name)));
        visit(fs.statement); return;
      }
      case ts.SyntaxKind.SwitchStatement: {
        const cb = (st as ts.SwitchStatement).caseBlock;
        add(cb, 'switch', lexicalNames(cb.clauses.flatMap((c) => [...c.statements])));
        for (const c of cb.clauses) c.statements.forEach(visit);
        return;
      }
      case ts.SyntaxKind.TryStatement: {
        const t = st as ts.TryStatement;
        visit(t.tryBlock);
        if (t.catchClause) {
          if (t.catchClause.variableDeclaration) add(t.catchClause, 'catch', boundNames(t.catchClause.variableDeclaration.name));
          block(t.catchClause.block);
        }
        visit(t.finallyBlock);
        return;
      }
    }
  };
  stmts.forEach(visit);
  return out;
}

function uniqueNames(ids: readonly ts.Identifier[]): string[] {
  return [...new Set(ids.map((id) => id.text))];
}

export class FileInstrumenter {
  readonly sites: Site[] = [];
  readonly names: Names;
  private readonly steps: boolean;
  private readonly full: boolean;
  /** Minimal mode: functions check the call budget inline (see inlineBudget). */
  private readonly budgeted: boolean;
  private sf!: ts.SourceFile;
  private f!: ts.NodeFactory;
  private fn!: FnCtx;
  private moduleCtx!: FnCtx;
  /** Statements to emit right after the statement being visited (destructuring writes). */
  private post: ts.Statement[][] = [];
  /** Whether before() ran a real transform (false when the file has syntax errors). */
  transformed = false;
  /** The names of the hooks object and the site base where the code being emitted runs (rebound inside `with` bodies). */
  private cur!: { es: string; s: string };
  /** `with` statements around the current point, all functions counted. */
  private withDepth = 0;
  /** Numbers the names bound at the start of `with` bodies. */
  private withCount = 0;

  /**
   * @param blockScoped whether `const`/`let` reach the output as they are (target ES2015+); a
   * `with` body is only instrumented then (its rebound names must stay block-scoped).
   */
  constructor(readonly fileName: string, text: string, readonly mode: Mode, readonly hash: string, readonly esm: boolean,
    private readonly blockScoped = true) {
    this.names = pickNames(text);
    this.cur = { es: this.names.es, s: this.names.s };
    this.steps = mode !== 'minimal';
    this.full = mode === 'full';
    this.budgeted = mode === 'minimal';
  }

  // ---- sites ------------------------------------------------------------------------------

  private addSite(kind: SiteKind, node: ts.Node, extra: Partial<Site> = {}, startPos?: number): number {
    const sf = this.sf;
    const start = startPos ?? node.getStart(sf);
    const s = sf.getLineAndCharacterOfPosition(start);
    const e = sf.getLineAndCharacterOfPosition(node.end);
    const site: Site = {
      kind, line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1,
      ...extra, fn: this.fn ? this.fn.site : 0,
    };
    this.sites.push(site);
    return this.sites.length - 1;
  }

  private id(name: string): ts.Identifier { return this.f.createIdentifier(name); }

  private siteRef(i: number): ts.Expression {
    return this.f.createBinaryExpression(this.id(this.cur.s), ts.SyntaxKind.PlusToken, this.f.createNumericLiteral(i));
  }

  private hook(name: string, args: ts.Expression[]): ts.CallExpression {
    return this.f.createCallExpression(this.f.createPropertyAccessExpression(this.id(this.cur.es), name), undefined, args);
  }

  private hookStmt(name: string, args: ts.Expression[]): ts.Statement {
    return this.f.createExpressionStatement(this.hook(name, args));
  }

  private newTemp(ctx: FnCtx = this.fn): string {
    if (ctx.withTemps) {
      // A function-scoped temp would be looked up through the with object: block-scoped in the with body instead.
      const n = `${this.names.t}w${++this.withCount}`;
      ctx.withTemps.push(n);
      return n;
    }
    const n = `${this.names.t}${ctx.temps.length + 1}`;
    ctx.temps.push(n);
    return n;
  }

  // ---- the before transformer ----------------------------------------------------------

  before = (context: ts.TransformationContext) => (sf: ts.SourceFile): ts.SourceFile => {
    this.sf = sf;
    this.f = context.factory;
    const diags = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics;
    if (diags && diags.some((d) => !(isJsFile(this.fileName) && SLOPPY_ONLY_CODES.has(d.code)))) return sf;
    this.transformed = true;
    this.sites.length = 0;
    this.markerKeys.length = 0;
    this.markerEnds.length = 0;
    this.cur = { es: this.names.es, s: this.names.s };
    this.withDepth = 0;
    this.withCount = 0;
    this.moduleCtx = { site: 0, frame: this.names.m, temps: [], tempsAllowed: true, suspendable: this.esm };
    this.fn = this.moduleCtx;
    this.addSite(SiteKind.Module, sf, { name: '<module>', declared: this.declaredIn([], sf.statements), ...this.blocksOf(sf.statements) }, 0);
    const { prologue, rest } = this.splitPrologue(sf.statements);
    const hoisted = this.hoistedFunctionWrites(rest);
    const body = this.visitStatements(rest);
    return this.f.updateSourceFile(sf, [...prologue, ...hoisted, ...body]);
  };

  private splitPrologue(stmts: readonly ts.Statement[]): { prologue: ts.Statement[]; rest: ts.Statement[] } {
    let i = 0;
    while (i < stmts.length && isDirective(stmts[i]!)) i++;
    return { prologue: stmts.slice(0, i), rest: stmts.slice(i) };
  }

  /** Does this statement run code (so it gets a step)? */
  private isExecutable(st: ts.Statement): boolean {
    if (hasAmbient(st)) return false;
    switch (st.kind) {
      case ts.SyntaxKind.FunctionDeclaration: case ts.SyntaxKind.EmptyStatement: case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration: case ts.SyntaxKind.ImportDeclaration: case ts.SyntaxKind.ImportEqualsDeclaration:
      case ts.SyntaxKind.ExportDeclaration: case ts.SyntaxKind.NamespaceExportDeclaration: case ts.SyntaxKind.MissingDeclaration:
      case ts.SyntaxKind.NotEmittedStatement: case ts.SyntaxKind.Block:
      // V8 never pauses at `try {` or `do {`: the first statement inside is the next stop.
      case ts.SyntaxKind.TryStatement: case ts.SyntaxKind.DoStatement:
        return false;
      case ts.SyntaxKind.ModuleDeclaration: {
        const m = st as ts.ModuleDeclaration;
        let body = m.body;
        while (body && ts.isModuleDeclaration(body)) body = body.body;
        return !!body && ts.isModuleBlock(body) && body.statements.some((s) => this.isExecutable(s) || ts.isFunctionDeclaration(s) && !!s.body);
      }
      default:
        return true;
    }
  }

  private visitStatements(stmts: readonly ts.Statement[]): ts.Statement[] {
    const out: ts.Statement[] = [];
    for (const st of stmts) {
      const exec = this.steps && this.isExecutable(st);
      const stepSite = exec ? this.addSite(SiteKind.Statement, st) : -1;
      const post: ts.Statement[] = [];
      this.post.push(post);
      const res = this.visitStatement(st);
      this.post.pop();
      if (exec) out.push(this.hookStmt('s', [this.siteRef(stepSite)]));
      out.push(...res, ...post);
      // Derived constructor: `this` exists once super() returned.
      if (this.fn.thisAfterSuper && isSuperCallStatement(st)) out.push(this.thisWrite(skipOuter(st.expression)));
    }
    return out;
  }

  /** A statement in a position that holds one statement (if/loop bodies): becomes a block when it needs to. */
  private visitEmbedded(st: ts.Statement, prefix: ts.Statement[] = []): ts.Statement {
    if (ts.isBlock(st)) return this.f.updateBlock(st, [...prefix, ...this.visitStatements(st.statements)]);
    const list = [...prefix, ...this.visitStatements([st])];
    return list.length === 1 ? list[0]! : this.f.createBlock(list, true);
  }

  private visitStatement(st: ts.Statement): ts.Statement[] {
    if (ts.isLabeledStatement(st)) {
      // for-await under labels: keep the labels on the loop itself.
      let inner: ts.Statement = st;
      const labels: ts.Identifier[] = [];
      while (ts.isLabeledStatement(inner)) { labels.push(inner.label); inner = inner.statement; }
      if (ts.isForOfStatement(inner) && inner.awaitModifier) return this.visitForAwait(inner, labels);
    }
    if (ts.isForOfStatement(st) && st.awaitModifier) return this.visitForAwait(st, []);
    const r = ts.visitNode(st, this.visit) as ts.Node | ts.Node[] | undefined;
    if (!r) return [];
    return (Array.isArray(r) ? r : [r]) as ts.Statement[];
  }

  // ---- source text markers (Function.prototype.toString) ---------------------------------------

  /** Original start offset (getStart) of the node behind each source marker, in marker order. */
  readonly markerKeys: number[] = [];
  /** Original end offset of the node behind each source marker. */
  readonly markerEnds: number[] = [];

  /**
   * Put `/*@es:K*\/` before and `/*@ee:*\/` after a function or class of the output: the runtime
   * finds a function's native (instrumented) text right between such markers and answers toString
   * with span K of the plain text (FileSiteTable.plain).
   */
  private mark(result: ts.VisitResult<ts.Node>, original: ts.Node): ts.VisitResult<ts.Node> {
    if (!result || Array.isArray(result) || ts.isConstructorDeclaration(original)) return result;
    const k = this.markerKeys.length;
    this.markerKeys.push(original.getStart(this.sf));
    this.markerEnds.push(original.end);
    ts.addSyntheticLeadingComment(result as ts.Node, ts.SyntaxKind.MultiLineCommentTrivia, `${MARKER}${k}`, false);
    ts.addSyntheticTrailingComment(result as ts.Node, ts.SyntaxKind.MultiLineCommentTrivia, END_MARKER, false);
    return result;
  }

  private visit = (node: ts.Node): ts.VisitResult<ts.Node> => {
    const r = this.visitNode(node);
    return (isFunctionWithBody(node) || ts.isClassLike(node)) && !hasAmbient(node) ? this.mark(r, node) : r;
  };

  private visitNode = (node: ts.Node): ts.VisitResult<ts.Node> => {
    if (hasAmbient(node)) return node;
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return node;
    switch (node.kind) {
      case ts.SyntaxKind.InterfaceDeclaration: case ts.SyntaxKind.TypeAliasDeclaration: case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ImportDeclaration: case ts.SyntaxKind.ExportDeclaration: case ts.SyntaxKind.ImportEqualsDeclaration:
        return node;
    }
    if (isFunctionWithBody(node)) return this.visitFunction(node);
    if (ts.isClassStaticBlockDeclaration(node)) return this.visitStaticBlock(node);
    if (ts.isBlock(node)) return this.f.updateBlock(node, this.visitStatements(node.statements));
    if (ts.isModuleBlock(node)) return this.f.updateModuleBlock(node, this.visitStatements(node.statements));
    if (ts.isCaseClause(node)) return this.f.updateCaseClause(node, this.visitExpr(node.expression), this.visitStatements(node.statements));
    if (ts.isDefaultClause(node)) return this.f.updateDefaultClause(node, this.visitStatements(node.statements));
    if (ts.isIfStatement(node)) {
      return this.f.updateIfStatement(node, this.visitExpr(node.expression), this.visitEmbedded(node.thenStatement),
        node.elseStatement && this.visitEmbedded(node.elseStatement));
    }
    if (ts.isWhileStatement(node)) return this.f.updateWhileStatement(node, this.visitExpr(node.expression), this.visitEmbedded(node.statement));
    if (ts.isDoStatement(node)) return this.f.updateDoStatement(node, this.visitEmbedded(node.statement), this.visitExpr(node.expression));
    if (ts.isForStatement(node)) {
      return this.f.updateForStatement(node, node.initializer && ts.visitNode(node.initializer, this.visit) as ts.ForInitializer,
        node.condition && this.visitExpr(node.condition), node.incrementor && this.visitExpr(node.incrementor), this.visitEmbedded(node.statement));
    }
    if (ts.isForInStatement(node) || ts.isForOfStatement(node)) {
      const init = this.visitForInit(node.initializer);
      const expr = this.visitExpr(node.expression);
      const body = this.visitEmbedded(node.statement, this.loopVarWrites(node.initializer));
      return ts.isForInStatement(node)
        ? this.f.updateForInStatement(node, init, expr, body)
        : this.f.updateForOfStatement(node, node.awaitModifier, init, expr, body);
    }
    if (ts.isLabeledStatement(node)) {
      // The step is before the label (added by visitStatements); the labeled statement gets none of its own.
      const inner = node.statement;
      const v = ts.isBlock(inner) || !this.isExecutable(inner) ? ts.visitNode(inner, this.visit) as ts.Statement : this.visitStatementNoStep(inner);
      return this.f.updateLabeledStatement(node, node.label, v);
    }
    if (ts.isWithStatement(node)) return this.visitWith(node);
    if (ts.isCatchClause(node)) return this.visitCatch(node);
    if (ts.isTryStatement(node) && this.fn.suspendable) {
      const tryBlock = ts.visitNode(node.tryBlock, this.visit) as ts.Block;
      const cc = node.catchClause && ts.visitNode(node.catchClause, this.visit) as ts.CatchClause;
      const catchClause = cc && this.f.updateCatchClause(cc, cc.variableDeclaration, this.f.updateBlock(cc.block, [...this.recovery(this.fn), ...cc.block.statements]));
      const fin = node.finallyBlock && ts.visitNode(node.finallyBlock, this.visit) as ts.Block;
      const finallyBlock = fin && this.f.updateBlock(fin, [...this.recovery(this.fn), ...fin.statements]);
      return this.f.updateTryStatement(node, tryBlock, catchClause, finallyBlock);
    }
    if (ts.isPropertyDeclaration(node)) return this.visitNoTemps(node);
    if (ts.isParameter(node)) return this.visitNoTemps(node);
    if (ts.isAwaitExpression(node)) return this.visitAwait(node);
    if (ts.isYieldExpression(node)) return this.visitYield(node);
    if (this.full) {
      if (ts.isReturnStatement(node)) return this.visitReturn(node);
      if (ts.isVariableStatement(node)) return this.visitVariableStatement(node);
      if (ts.isVariableDeclaration(node)) return this.visitVariableDeclaration(node, undefined);
      if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) return this.visitAssignment(node);
      if (ts.isCallExpression(node)) { const m = this.visitMutatingCall(node); if (m) return m; }
      if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node))
        && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) return this.visitUpdate(node);
      if (ts.isClassDeclaration(node) && node.name) {
        const r = ts.visitEachChild(node, this.visit, undefined);
        const post = this.post[this.post.length - 1];
        if (post && this.isExecutable(node)) post.push(this.writeStmt(node.name, 'class', node));
        return r;
      }
    }
    return ts.visitEachChild(node, this.visit, undefined);
  };

  /**
   * `with (o) body`: inside the body every identifier is looked up through o first (a Proxy's has
   * trap sees each name, a property of o can shadow it), closures declared there included. So the
   * body never looks up one of our names through o: the head hands the site base and the frame to
   * the body through the hooks object, and the body starts by binding them, block-scoped (a block's
   * bindings come before o in the scope chain), from the global object (a sloppy function's
   * `this`; `with` only exists in sloppy code) — no identifier lookup at all:
   *
   *   with ([EXPR, $$es.$$esWith = [$$s, $$f]][0]) {
   *     const $$esw1 = (function () { return this; })()["__elixirscope_hooks__"],
   *       $$sw1 = $$esw1.$$esWith[0], $$fw1 = $$esw1.$$esWith[1];
   *     let $$tw2;                    // temps of this body
   *     ...body, instrumented with $$esw1 / $$sw1 / $$fw1
   *   }
   *
   * EXPR runs first; between the stash and the body's first statement no program code can run (the
   * object environment is created without calls), so one slot is enough, nested `with`s included.
   */
  private visitWith(node: ts.WithStatement): ts.Node {
    const f = this.f;
    const expr = this.visitExpr(node.expression);
    // Without block scoping (ES5 output) the rebound names would become function-scoped vars.
    if (!this.blockScoped || !this.fn.tempsAllowed) return f.updateWithStatement(node, expr, node.statement);
    const k = ++this.withCount;
    const names = { es: `${this.names.es}w${k}`, s: `${this.names.s}w${k}`, frame: `${this.names.f}w${k}` };
    const slot = (): ts.Expression => f.createPropertyAccessExpression(this.id(names.es), WITH_SLOT);
    const stash = f.createAssignment(f.createPropertyAccessExpression(this.id(this.cur.es), WITH_SLOT),
      f.createArrayLiteralExpression([this.id(this.cur.s), this.id(this.fn.frame)]));
    const pair = f.createArrayLiteralExpression([expr, stash]);
    // `with (null)` throws after the head: V8 reports the last expression position before that,
    // which for a name or a literal (no position of its own) is the `with` statement's; here it is
    // the `[0]` right after the pair, so the pair's end maps there.
    if (isPositionless(node.expression)) ts.setSourceMapRange(pair, { pos: -1, end: node.getStart(this.sf) });
    const head = f.createElementAccessExpression(pair, f.createNumericLiteral(0));
    ts.setSourceMapRange(head, node.expression);

    const ctx = this.fn;
    const saved = { cur: this.cur, frame: ctx.frame, withTemps: ctx.withTemps, withDepth: ctx.withDepth };
    const temps: string[] = [];
    this.cur = { es: names.es, s: names.s };
    ctx.frame = names.frame;
    ctx.withTemps = temps;
    ctx.withDepth = (ctx.withDepth ?? 0) + 1;
    this.withDepth++;
    let body: ts.Statement;
    try {
      body = this.visitEmbedded(node.statement);
    } finally {
      this.withDepth--;
      this.cur = saved.cur;
      ctx.frame = saved.frame;
      ctx.withTemps = saved.withTemps;
      ctx.withDepth = saved.withDepth;
    }
    const globalObject = f.createCallExpression(f.createParenthesizedExpression(f.createFunctionExpression(undefined, undefined, undefined,
      undefined, [], undefined, f.createBlock([f.createReturnStatement(f.createThis())], false))), undefined, []);
    const bind = f.createVariableStatement(undefined, f.createVariableDeclarationList([
      f.createVariableDeclaration(names.es, undefined, undefined, f.createElementAccessExpression(globalObject, f.createStringLiteral(HOOKS_GLOBAL))),
      f.createVariableDeclaration(names.s, undefined, undefined, f.createElementAccessExpression(slot(), f.createNumericLiteral(0))),
      f.createVariableDeclaration(names.frame, undefined, undefined, f.createElementAccessExpression(slot(), f.createNumericLiteral(1))),
    ], ts.NodeFlags.Const));
    const pre: ts.Statement[] = [bind];
    if (temps.length) pre.push(f.createVariableStatement(undefined, f.createVariableDeclarationList(temps.map((t) => f.createVariableDeclaration(t)), ts.NodeFlags.Let)));
    const block = ts.isBlock(body) ? f.updateBlock(body, [...pre, ...body.statements]) : f.createBlock([...pre, body], true);
    return f.updateWithStatement(node, head, block);
  }

  /**
   * Whether emitted code may read a variable again after the program wrote it (`w(site, x)`).
   * Inside a `with` body that read would look the name up through the object (has trap, getter),
   * unless the binding lies inside the body: block-scoped declarations always do, a `var` does
   * when no `with` of its own function encloses it; an assigned name may be bound anywhere.
   */
  private mayReread(binding: 'var' | 'let' | 'const' | 'assign'): boolean {
    if (binding === 'let' || binding === 'const') return true;
    if (binding === 'var') return !this.fn.withDepth;
    return this.withDepth === 0;
  }

  /** for-in/of head: declarations as usual; an assignment target (identifier or pattern) is not a write expression. */
  private visitForInit(init: ts.ForInitializer): ts.ForInitializer {
    return ts.isVariableDeclarationList(init) ? ts.visitNode(init, this.visit) as ts.ForInitializer : this.visitPattern(init);
  }

  private visitStatementNoStep(st: ts.Statement): ts.Statement {
    const r = this.visitStatement(st);
    return r.length === 1 ? r[0]! : this.f.createBlock(r, true);
  }

  private visitExpr(e: ts.Expression): ts.Expression {
    return ts.visitNode(e, this.visit) as ts.Expression;
  }

  private visitNoTemps<T extends ts.Node>(node: T): ts.Node {
    const saved = this.fn.tempsAllowed;
    this.fn.tempsAllowed = false;
    try { return ts.visitEachChild(node, this.visit, undefined); } finally { this.fn.tempsAllowed = saved; }
  }

  // ---- functions ---------------------------------------------------------------------------

  private displayName(node: FunctionWithBody | ts.ClassStaticBlockDeclaration): string {
    const sf = this.sf;
    const p = node.parent;
    if (ts.isClassStaticBlockDeclaration(node)) return `${className(node.parent)}.<static>`;
    if (ts.isConstructorDeclaration(node)) return `${className(node.parent)}.constructor`;
    if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      const m = memberNameText(node.name, sf);
      if (ts.isClassLike(p)) return `${className(p)}.${m}`;
      if (ts.isObjectLiteralExpression(p) && p.parent && ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name)) {
        return `${p.parent.name.text}.${m}`;
      }
      return m;
    }
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) return node.name.text;
    // Anonymous function or arrow: the name it is bound to.
    let q: ts.Node = node;
    while (q.parent && (ts.isParenthesizedExpression(q.parent) || ts.isAsExpression(q.parent) || ts.isSatisfiesExpression(q.parent)
      || ts.isNonNullExpression(q.parent) || ts.isTypeAssertionExpression(q.parent))) q = q.parent;
    const b = q.parent;
    if (!b) return '<anonymous>';
    if (ts.isVariableDeclaration(b) && ts.isIdentifier(b.name)) return b.name.text;
    if (ts.isPropertyAssignment(b)) return memberNameText(b.name, sf);
    if (ts.isPropertyDeclaration(b) && ts.isClassLike(b.parent)) return `${className(b.parent)}.${memberNameText(b.name, sf)}`;
    if (ts.isParameter(b) && ts.isIdentifier(b.name)) return b.name.text;
    if (ts.isBindingElement(b) && ts.isIdentifier(b.name)) return b.name.text;
    if (ts.isBinaryExpression(b) && b.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = b.left;
      if (ts.isIdentifier(l) || (ts.isPropertyAccessExpression(l) && /^[\w$.#]+$/.test(l.getText(sf)))) return l.getText(sf);
    }
    if (ts.isExportAssignment(b)) return 'default';
    return '<anonymous>';
  }

  private paramNames(params: readonly ts.ParameterDeclaration[]): ts.Identifier[] {
    const out: ts.Identifier[] = [];
    for (const p of params) {
      if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
      boundNames(p.name, out);
    }
    return out;
  }

  /** Start position of a function, after its decorators. */
  private fnStart(node: ts.Node): number {
    const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
    const decos = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
    if (decos && decos.length) {
      const last = decos[decos.length - 1]!;
      const next: ts.Node | undefined = mods?.find((m) => m.pos >= last.end) ?? (node as { name?: ts.Node }).name;
      if (next) return next.getStart(this.sf);
    }
    return node.getStart(this.sf);
  }

  private visitFunction(node: FunctionWithBody): ts.Node {
    const f = this.f;
    // Evaluated in the enclosing scope: decorators / modifiers and computed names.
    const modifiers = node.modifiers && ts.visitNodes(node.modifiers, this.visit) as ts.NodeArray<ts.ModifierLike>;
    const name = node.name && ts.isComputedPropertyName(node.name) ? ts.visitNode(node.name, this.visit) as ts.PropertyName : node.name;
    const flavorAsync = !!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const gen = !!(node as { asteriskToken?: ts.AsteriskToken }).asteriskToken;
    const flavor = flavorAsync && gen ? 'async-generator' : flavorAsync ? 'async' : gen ? 'generator' : undefined;
    const params = this.paramNames(node.parameters);
    const body = node.body!;
    const site = this.addSite(SiteKind.Function, node, {
      name: this.displayName(node), ...(flavor ? { flavor } : {}), params: params.map((p) => p.text),
      declared: this.declaredIn(params, ts.isBlock(body) ? body.statements : []),
      ...this.blocksOf(ts.isBlock(body) ? body.statements : []),
    }, this.fnStart(node));
    const outer = this.fn;
    // A derived class's constructor must not touch `this` before super(): recorded after each super(...) statement.
    const derivedCtor = ts.isConstructorDeclaration(node) && isDerivedClass(node.parent);
    const ctx: FnCtx = {
      site, frame: this.names.f, temps: [], tempsAllowed: true, suspendable: flavor !== undefined,
      thisAfterSuper: this.full && derivedCtor,
    };
    this.fn = ctx;
    try {
      const parameters = ts.visitNodes(node.parameters, this.visit) as ts.NodeArray<ts.ParameterDeclaration>;
      const pre: ts.Statement[] = this.full ? params.map((p) => this.writeStmt(p, 'param', p)) : [];
      // The receiver, as V8 shows it under "this": every non-arrow function records it at entry.
      if (this.full && !ts.isArrowFunction(node) && !derivedCtor) pre.push(this.thisWrite(node, this.fnStart(node)));
      if (ts.isBlock(body)) pre.push(...this.hoistedFunctionWrites(body.statements));
      let prologue: ts.Statement[] = [];
      let stmts: ts.Statement[];
      if (ts.isBlock(body)) {
        const sp = this.splitPrologue(body.statements);
        prologue = sp.prologue;
        stmts = this.visitStatements(sp.rest);
      } else {
        // Arrow with an expression body: `return <expr>` (a statement site of its own in balanced/full).
        const stepSite = this.steps ? this.addSite(SiteKind.Statement, body) : -1;
        const retSite = this.full ? this.addSite(SiteKind.Return, body) : -1;
        let e = this.visitExpr(body);
        if (this.full) e = this.hook('r', [this.siteRef(retSite), e]);
        stmts = [f.createReturnStatement(e)];
        if (this.steps) stmts.unshift(this.hookStmt('s', [this.siteRef(stepSite)]));
      }
      const block = this.wrapBody(ctx, prologue, [...pre, ...stmts], ts.isBlock(body) ? body : undefined, params.map((p) => p.text));
      switch (node.kind) {
        case ts.SyntaxKind.FunctionDeclaration:
          return f.updateFunctionDeclaration(node, modifiers, node.asteriskToken, node.name, node.typeParameters, parameters, node.type, block);
        case ts.SyntaxKind.FunctionExpression:
          return f.updateFunctionExpression(node, modifiers as ts.NodeArray<ts.Modifier> | undefined, node.asteriskToken, node.name, node.typeParameters, parameters, node.type, block);
        case ts.SyntaxKind.ArrowFunction:
          return f.updateArrowFunction(node, modifiers as ts.NodeArray<ts.Modifier> | undefined, node.typeParameters, parameters, node.type, node.equalsGreaterThanToken, block);
        case ts.SyntaxKind.MethodDeclaration:
          return f.updateMethodDeclaration(node, modifiers, node.asteriskToken, name!, node.questionToken, node.typeParameters, parameters, node.type, block);
        case ts.SyntaxKind.GetAccessor:
          return f.updateGetAccessorDeclaration(node, modifiers, name!, parameters, node.type, block);
        case ts.SyntaxKind.SetAccessor:
          return f.updateSetAccessorDeclaration(node, modifiers, name!, parameters, block);
        case ts.SyntaxKind.Constructor:
          return f.updateConstructorDeclaration(node, modifiers, parameters, block);
      }
    } finally {
      this.fn = outer;
    }
  }

  private visitStaticBlock(node: ts.ClassStaticBlockDeclaration): ts.Node {
    const site = this.addSite(SiteKind.Function, node, {
      name: this.displayName(node), params: [], declared: this.declaredIn([], node.body.statements), ...this.blocksOf(node.body.statements),
    });
    const outer = this.fn;
    const ctx: FnCtx = { site, frame: this.names.f, temps: [], tempsAllowed: true, suspendable: false };
    this.fn = ctx;
    try {
      const pre = this.full ? [this.thisWrite(node)] : [];
      const stmts = [...pre, ...this.visitStatements(node.body.statements)];
      return this.f.updateClassStaticBlockDeclaration(node, this.wrapBody(ctx, [], stmts, node.body));
    } finally {
      this.fn = outer;
    }
  }

  /** `var $$f = c(FN), temps; try { body } catch ($$e) { x(FN, $$e); throw $$e; } finally { e(FN, $$f); }` */
  private wrapBody(ctx: FnCtx, prologue: ts.Statement[], stmts: ts.Statement[], original: ts.Block | undefined, params: readonly string[] = []): ts.Block {
    const f = this.f;
    const decls = [f.createVariableDeclaration(ctx.frame, undefined, undefined, this.inlineBudget(ctx) ? this.budgetedCall(ctx) : this.hook('c', [this.siteRef(ctx.site)]))];
    for (const t of ctx.temps) decls.push(f.createVariableDeclaration(t));
    const { hoisted, rest } = this.fixConflictingFunctions(stmts, params);
    const tryStmt = this.tryWrap(ctx, [...hoisted, ...rest]);
    const block = f.createBlock([...prologue, f.createVariableStatement(undefined, decls), ...this.conflictVars, tryStmt], true);
    this.conflictVars = [];
    if (original) ts.setSourceMapRange(block, original);
    return block;
  }

  private tryWrap(ctx: FnCtx, stmts: ts.Statement[]): ts.TryStatement {
    const f = this.f;
    const e = this.names.e;
    const rec = this.recovery(ctx);
    return f.createTryStatement(
      f.createBlock(stmts, true),
      f.createCatchClause(e, f.createBlock([...rec, this.hookStmt('x', [this.siteRef(ctx.site), this.id(e)]), f.createThrowStatement(this.id(e))], true)),
      f.createBlock([...this.recovery(ctx), this.inlineBudget(ctx) ? this.budgetedExit(ctx) : this.hookStmt('e', [this.siteRef(ctx.site), this.id(ctx.frame)])], true));
  }

  /**
   * Minimal mode checks the call budget inline (runtime/call-budget.ts keeps it): an elided call
   * costs a few typed-array operations instead of two hook calls, most of that mode's overhead.
   * Async functions and generators (their elided frames suspend and resume), module bodies and
   * code in `with` bodies (where our names are rebound) call the hooks, which apply the same budget.
   */
  private inlineBudget(ctx: FnCtx): boolean {
    return this.budgeted && !ctx.suspendable && ctx !== this.moduleCtx && this.cur.es === this.names.es;
  }

  /**
   * `$$q[0] === 0 && $$b[2k] > 0 ? c(FN) : ($$q[0]++, $$b[2k + 1]++, -1)`: quiet, or out of budget,
   * is elided; a recorded call's hook takes it from the budget (the same test, so it agrees).
   */
  private budgetedCall(ctx: FnCtx): ts.Expression {
    const f = this.f;
    const quiet = (): ts.Expression => f.createElementAccessExpression(this.id(this.names.q), 0);
    const slot = (i: number): ts.Expression => f.createElementAccessExpression(this.id(this.names.b), BUDGET_SLOTS * ctx.site + i);
    const recorded = f.createLogicalAnd(
      f.createStrictEquality(quiet(), f.createNumericLiteral(0)),
      f.createGreaterThan(slot(BUDGET_LEFT), f.createNumericLiteral(0)));
    const elided = f.createParenthesizedExpression(f.createComma(f.createComma(f.createPostfixIncrement(quiet()), f.createPostfixIncrement(slot(BUDGET_ELIDED))),
      f.createPrefixMinus(f.createNumericLiteral(1))));
    return f.createConditionalExpression(recorded, undefined, this.hook('c', [this.siteRef(ctx.site)]), undefined, elided);
  }

  /** `$$f < 0 ? $$q[0]-- : e(FN, $$f)` */
  private budgetedExit(ctx: FnCtx): ts.Statement {
    const f = this.f;
    const elided = f.createLessThan(this.id(ctx.frame), f.createNumericLiteral(0));
    const unquiet = f.createPostfixDecrement(f.createElementAccessExpression(this.id(this.names.q), 0));
    return f.createExpressionStatement(f.createConditionalExpression(elided, undefined, unquiet, undefined, this.hook('e', [this.siteRef(ctx.site), this.id(ctx.frame)])));
  }

  /**
   * A frame suspended at await/yield can continue by an exception (rejected promise, generator
   * throw()/return()) without passing its rs hook. Where such a continuation lands (catch and
   * finally blocks of async functions and generators) we emit `rs(<function site>, frame)`;
   * the runtime treats it as a no-op when the frame is not suspended.
   */
  private recovery(ctx: FnCtx): ts.Statement[] {
    if (!ctx.suspendable) return [];
    return [this.hookStmt('rs', [this.siteRef(ctx.site), this.id(ctx.frame), this.f.createVoidZero()])];
  }

  private conflictVars: ts.Statement[] = [];

  /**
   * Moving a body into a try block makes its function declarations block-scoped; that is a
   * SyntaxError when the same name is also declared with `var` (anywhere in the function) or
   * declared twice, and a parameter of that name would no longer be the function (nor, in sloppy
   * mode, `arguments[i]`). Such declarations become `name = function () {...}` assignments at the
   * start of the block (same hoisting, same .name), with a `var name;` before the try.
   */
  private fixConflictingFunctions(stmts: ts.Statement[], params: readonly string[] = []): { hoisted: ts.Statement[]; rest: ts.Statement[] } {
    const fnNames = new Map<string, number>();
    for (const s of stmts) if (ts.isFunctionDeclaration(s) && s.name && s.body) fnNames.set(s.name.text, (fnNames.get(s.name.text) ?? 0) + 1);
    if (fnNames.size === 0) return { hoisted: [], rest: stmts };
    const vars = new Set<string>();
    const scan = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) {
        for (const d of n.declarations) for (const id of boundNames(d.name)) vars.add(id.text);
      }
      ts.forEachChild(n, scan);
    };
    for (const s of stmts) scan(s);
    const conflicted = new Set([...fnNames].filter(([n, c]) => c > 1 || vars.has(n) || params.includes(n)).map(([n]) => n));
    if (conflicted.size === 0) return { hoisted: [], rest: stmts };
    const f = this.f;
    const hoisted: ts.Statement[] = [];
    const rest: ts.Statement[] = [];
    for (const s of stmts) {
      if (ts.isFunctionDeclaration(s) && s.name && s.body && conflicted.has(s.name.text)) {
        const mods = s.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword) as ts.Modifier[] | undefined;
        const fe = f.createFunctionExpression(mods, s.asteriskToken, undefined, s.typeParameters, s.parameters, s.type, s.body);
        ts.setOriginalNode(fe, s);
        ts.setSourceMapRange(fe, s);
        hoisted.push(f.createExpressionStatement(f.createAssignment(this.id(s.name.text), fe)));
      } else rest.push(s);
    }
    const missing = [...conflicted].filter((n) => !vars.has(n));
    if (missing.length) this.conflictVars.push(f.createVariableStatement(undefined, missing.map((n) => f.createVariableDeclaration(n))));
    return { hoisted, rest };
  }

  // ---- await / yield ----------------------------------------------------------------------

  private visitAwait(node: ts.AwaitExpression): ts.Node {
    const site = this.addSite(SiteKind.Await, node);
    const frame = this.fn.frame;
    const inner = this.visitExpr(node.expression);
    const aw = this.f.createAwaitExpression(this.hook('sp', [this.siteRef(site), this.id(frame), inner]));
    return this.hook('rs', [this.siteRef(site), this.id(frame), aw]);
  }

  private visitYield(node: ts.YieldExpression): ts.Node {
    const site = this.addSite(SiteKind.Yield, node);
    const frame = this.fn.frame;
    const inner = node.expression ? this.visitExpr(node.expression) : this.f.createVoidZero();
    const y = this.f.createYieldExpression(node.asteriskToken as ts.AsteriskToken, this.hook('sp', [this.siteRef(site), this.id(frame), inner]));
    return this.hook('rs', [this.siteRef(site), this.id(frame), y]);
  }

  /**
   * `for await`: each iteration awaits the iterator. Suspend before the loop and at the end of
   * each body run, resume at the start of each body run and when the loop is left (any way):
   *   sp; try { for await (...) { rs; try { body } finally { sp } } } finally { rs }
   */
  private visitForAwait(node: ts.ForOfStatement, labels: ts.Identifier[]): ts.Statement[] {
    const f = this.f;
    const site = this.addSite(SiteKind.Await, node);
    const frame = this.fn.frame;
    const hk = (name: string) => this.hookStmt(name, [this.siteRef(site), this.id(frame), f.createVoidZero()]);
    const init = this.visitForInit(node.initializer);
    const expr = this.visitExpr(node.expression);
    const inner = this.visitEmbedded(node.statement, this.loopVarWrites(node.initializer));
    const innerBlock = ts.isBlock(inner) ? inner : f.createBlock([inner], true);
    const body = f.createBlock([hk('rs'), f.createTryStatement(innerBlock, undefined, f.createBlock([...this.recovery(this.fn), hk('sp')], true))], true);
    let loop: ts.Statement = f.updateForOfStatement(node, node.awaitModifier, init, expr, body);
    for (let i = labels.length - 1; i >= 0; i--) loop = f.createLabeledStatement(labels[i]!, loop);
    return [hk('sp'), f.createTryStatement(f.createBlock([loop], true), undefined, f.createBlock([hk('rs')], true))];
  }

  // ---- writes (full mode) -----------------------------------------------------------------

  /** An identifier usable in emitted code that still resolves like the user's binding (module exports substitution). */
  private ref(name: ts.Identifier): ts.Identifier {
    const r = this.f.createIdentifier(name.text);
    ts.setOriginalNode(r, name);
    return r;
  }

  private writeSite(name: ts.Identifier, binding: NonNullable<Site['binding']>, range: ts.Node): number {
    return this.addSite(SiteKind.Write, range, { name: name.text, binding }, range === name ? undefined : name.getStart(this.sf));
  }

  private writeStmt(name: ts.Identifier, binding: NonNullable<Site['binding']>, range: ts.Node): ts.Statement {
    const site = this.writeSite(name, binding, range);
    return this.hookStmt('w', [this.siteRef(site), this.ref(name)]);
  }

  /** `w(<this site>, this)`: the receiver of the current function; the site spans `range` (the function, or the super call). */
  private thisWrite(range: ts.Node, startPos?: number): ts.Statement {
    const site = this.addSite(SiteKind.Write, range, { name: 'this', binding: 'this' }, startPos);
    return this.hookStmt('w', [this.siteRef(site), this.f.createThis()]);
  }

  /**
   * Full mode: a write of each function declared at the top of a body, at the body's start: the
   * function exists (hoisted) from there on, and V8 shows it as that function, not undefined.
   */
  private hoistedFunctionWrites(stmts: readonly ts.Statement[]): ts.Statement[] {
    if (!this.full || this.fn.withDepth) return [];
    return stmts.filter((st): st is ts.FunctionDeclaration => ts.isFunctionDeclaration(st) && !!st.name && !!st.body && !hasAmbient(st))
      .map((fd) => this.writeStmt(fd.name!, 'function', fd.name!));
  }

  /** The `blocks` field of a function or module site (absent when its body has no block scope with names). */
  private blocksOf(stmts: readonly ts.Statement[]): { blocks?: BlockScope[] } {
    const blocks = blockScopes(stmts).map(({ node, start, kind, names }): BlockScope => {
      const s = this.sf.getLineAndCharacterOfPosition((start ?? node).getStart(this.sf));
      const e = this.sf.getLineAndCharacterOfPosition(node.end);
      return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, kind, names: uniqueNames(names) };
    });
    return blocks.length ? { blocks } : {};
  }

  /** The `declared` list of a function or module site: parameters first, then its own scope's declarations in source order. */
  private declaredIn(params: readonly ts.Identifier[], stmts: readonly ts.Statement[]): string[] {
    return uniqueNames([...params, ...scopeDeclarations(stmts, (m) => this.isExecutable(m))]);
  }

  private loopVarWrites(init: ts.ForInitializer): ts.Statement[] {
    if (!this.full) return [];
    if (ts.isVariableDeclarationList(init)) {
      const binding = init.flags & ts.NodeFlags.Const ? 'const' : init.flags & ts.NodeFlags.Let ? 'let' : 'var';
      if (!this.mayReread(binding)) return [];
      return init.declarations.flatMap((d) => boundNames(d.name).map((id) => this.writeStmt(id, binding, id)));
    }
    if (!this.mayReread('assign')) return [];
    return assignedIdentifiers(init).map((id) => this.writeStmt(id, 'assign', id));
  }

  private visitCatch(node: ts.CatchClause): ts.Node {
    const decl = node.variableDeclaration;
    const pre = this.full && decl ? boundNames(decl.name).map((id) => this.writeStmt(id, 'catch', id)) : [];
    const block = this.f.updateBlock(node.block, [...pre, ...this.visitStatements(node.block.statements)]);
    const vdecl = decl && ts.visitNode(decl, this.visitBindingOnly) as ts.VariableDeclaration;
    return this.f.updateCatchClause(node, vdecl, block);
  }

  /** Visit a binding (defaults may hold functions) without treating it as a write. */
  private visitBindingOnly = (node: ts.Node): ts.VisitResult<ts.Node> => ts.visitEachChild(node, this.visit, undefined);

  private visitReturn(node: ts.ReturnStatement): ts.Node {
    const site = this.addSite(SiteKind.Return, node);
    const e = node.expression ? this.visitExpr(node.expression) : this.f.createVoidZero();
    return this.f.updateReturnStatement(node, this.hook('r', [this.siteRef(site), e]));
  }

  private bindingKind(list: ts.VariableDeclarationList): 'var' | 'let' | 'const' {
    return list.flags & ts.NodeFlags.Let ? 'let' : list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing) ? 'const' : 'var';
  }

  private visitVariableStatement(node: ts.VariableStatement): ts.Node {
    const list = node.declarationList;
    const post = this.post[this.post.length - 1];
    const decls = list.declarations.map((d) => this.visitVariableDeclaration(d, post));
    return this.f.updateVariableStatement(node, node.modifiers, this.f.updateVariableDeclarationList(list, decls));
  }

  private visitVariableDeclaration(d: ts.VariableDeclaration, post: ts.Statement[] | undefined): ts.VariableDeclaration {
    const list = d.parent as ts.VariableDeclarationList;
    const binding = ts.isVariableDeclarationList(list) ? this.bindingKind(list) : 'var';
    const name = ts.isIdentifier(d.name) ? d.name : ts.visitNode(d.name, this.visitBindingOnly) as ts.BindingName;
    if (!d.initializer) {
      // `let x;` initializes x to undefined (it leaves the TDZ): record it. `var x;` writes nothing.
      if (binding === 'let' && post && ts.isIdentifier(d.name) && ts.isVariableStatement(list.parent)) post.push(this.writeStmt(d.name, binding, d));
      return this.f.updateVariableDeclaration(d, name, d.exclamationToken, d.type, undefined);
    }
    if (ts.isIdentifier(d.name)) {
      if (isAnonymousFunctionDefinition(d.initializer)) {
        // Wrapping would lose the function's inferred .name: record the write after the statement.
        const init = this.visitExpr(d.initializer);
        if (post && this.mayReread(binding)) post.push(this.writeStmt(d.name, binding, d));
        return this.f.updateVariableDeclaration(d, name, d.exclamationToken, d.type, init);
      }
      const site = this.writeSite(d.name, binding, d);
      const init = this.visitExpr(d.initializer);
      return this.f.updateVariableDeclaration(d, name, d.exclamationToken, d.type, this.hook('w', [this.siteRef(site), init]));
    }
    const init = this.visitExpr(d.initializer);
    if (post && this.mayReread(binding)) for (const id of boundNames(d.name)) post.push(this.writeStmt(id, binding, id));
    return this.f.updateVariableDeclaration(d, name, d.exclamationToken, d.type, init);
  }

  private visitAssignment(node: ts.BinaryExpression): ts.Node {
    const f = this.f;
    const left = skipOuter(node.left);
    const op = node.operatorToken.kind;
    if (ts.isIdentifier(left)) {
      const site = this.writeSite(left, 'assign', node);
      const updated = f.updateBinaryExpression(node, node.left, node.operatorToken, this.visitExpr(node.right));
      return this.hook('w', [this.siteRef(site), updated]);
    }
    if (op === ts.SyntaxKind.EqualsToken && (ts.isArrayLiteralExpression(left) || ts.isObjectLiteralExpression(left))) {
      const ids = assignedIdentifiers(left);
      const unused = isResultUnused(node);
      const record = ids.length > 0 && (unused || this.fn.tempsAllowed) && this.mayReread('assign');
      const sites = record ? ids.map((id) => this.writeSite(id, 'assign', id)) : [];
      const updated = f.updateBinaryExpression(node, this.visitPattern(node.left), node.operatorToken, this.visitExpr(node.right));
      if (!record) return updated;
      const writes = ids.map((id, i) => this.hook('w', [this.siteRef(sites[i]!), this.ref(id)]));
      if (unused) return f.createParenthesizedExpression(f.createCommaListExpression([f.createParenthesizedExpression(updated), ...writes]));
      const t = this.newTemp();
      return f.createParenthesizedExpression(f.createCommaListExpression([f.createAssignment(this.id(t), updated), ...writes, this.id(t)]));
    }
    if (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) {
      const target = this.propTarget(left, node, op === ts.SyntaxKind.EqualsToken && isAnonymousFunctionDefinition(node.right));
      if (target) {
        const right = this.visitExpr(node.right);
        // V8 places the setter call of `o.s = v` at the operator, and the printer maps no operator
        // token: the mapping at the end of the target (right before ` = ` in the output) points
        // at the original operator instead, so stack frames there read as plain Node's.
        ts.setSourceMapRange(target.access, { pos: left.pos, end: node.operatorToken.getStart(this.sf) });
        const assign = f.createBinaryExpression(target.access, node.operatorToken, right);
        ts.setSourceMapRange(assign, node);
        return this.hook('p', [this.siteRef(target.site), target.obj, target.key, assign]);
      }
    }
    return ts.visitEachChild(node, this.visit, undefined);
  }

  /**
   * For a property write target `o.k` / `o[k]`: the site, the object and key expressions (capturing
   * into temps), and the access expression rewritten to use them. Undefined when not instrumentable.
   */
  private propTarget(left: ts.PropertyAccessExpression | ts.ElementAccessExpression, range: ts.Node, namedRhs = false):
    { site: number; obj: ts.Expression; key: ts.Expression; access: ts.Expression } | undefined {
    const f = this.f;
    if (left.expression.kind === ts.SyntaxKind.SuperKeyword) return undefined;
    if (ts.isOptionalChain(left)) return undefined;
    const isThis = left.expression.kind === ts.SyntaxKind.ThisKeyword;
    let keyLiteral: ts.Expression | undefined;
    let name = '';
    if (ts.isPropertyAccessExpression(left)) {
      name = left.name.text;
      if (ts.isPrivateIdentifier(left.name)) keyLiteral = f.createStringLiteral(name);
      else keyLiteral = f.createStringLiteral(name);
    } else {
      const a = skipOuter(left.argumentExpression);
      if (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) { name = a.text; keyLiteral = f.createStringLiteral(a.text); }
      else if (ts.isNumericLiteral(a)) { name = a.text; keyLiteral = f.createNumericLiteral(a.text); }
    }
    // `o.k = function () {}`: V8 names the function after the assignment as written (stack traces
    // show "o.k"); inside a hook call it would become "$$es.p.o.k". Such writes are not recorded.
    if (namedRhs) return undefined;
    const needTemps = !isThis || !keyLiteral;
    if (needTemps && !this.fn.tempsAllowed) return undefined;
    const site = this.addSite(SiteKind.PropWrite, range, { name });
    const { obj, objRef } = this.captureObject(left.expression);
    let key: ts.Expression; let access: ts.Expression;
    if (ts.isPropertyAccessExpression(left)) {
      key = keyLiteral!;
      access = f.createPropertyAccessExpression(objRef, left.name);
    } else if (keyLiteral) {
      key = keyLiteral;
      access = f.createElementAccessExpression(objRef, this.visitExpr(left.argumentExpression));
    } else {
      const t = this.newTemp();
      key = f.createAssignment(this.id(t), this.visitExpr(left.argumentExpression));
      access = f.createElementAccessExpression(objRef, this.id(t));
    }
    ts.setSourceMapRange(access, left);
    return { site, obj, key, access };
  }

  /**
   * An object expression evaluated once: `obj` evaluates it (into a temp, unless it is `this`),
   * `objRef` reads it again afterwards.
   */
  private captureObject(target: ts.Expression): { obj: ts.Expression; objRef: ts.Expression } {
    const visited = this.visitExpr(target);
    if (target.kind === ts.SyntaxKind.ThisKeyword) return { obj: this.f.createThis(), objRef: visited };
    const t = this.newTemp();
    return { obj: this.f.createAssignment(this.id(t), visited), objRef: this.id(t) };
  }

  /**
   * `o.push(x)`, `o.sort()`, `m.set(k, v)`...: built-ins change their receiver where no write hook
   * sees it, so the receiver is recorded again after the call:
   * `$$es.m(SITE, $$t = o, $$t.push(x), 1)` (same evaluation order, same `this`, same result).
   */
  private visitMutatingCall(node: ts.CallExpression): ts.Expression | undefined {
    const f = this.f;
    const callee = node.expression;
    if (!ts.isPropertyAccessExpression(callee) || ts.isOptionalChain(node) || ts.isPrivateIdentifier(callee.name)) return undefined;
    const method = callee.name.text;
    if (!MUTATING_METHODS.has(method) || callee.expression.kind === ts.SyntaxKind.SuperKeyword) return undefined;
    const isThis = callee.expression.kind === ts.SyntaxKind.ThisKeyword;
    if (!isThis && !this.fn.tempsAllowed) return undefined;
    const site = this.addSite(SiteKind.PropWrite, node, { name: `${method}()` });
    const { obj, objRef } = this.captureObject(callee.expression);
    const call = f.updateCallExpression(node, f.updatePropertyAccessExpression(callee, objRef, callee.name), node.typeArguments, node.arguments.map((a) => this.visitExpr(a)));
    ts.setSourceMapRange(call, node);
    const appended = method === 'push' && !node.arguments.some(ts.isSpreadElement) ? node.arguments.length : -1;
    const count = appended >= 0 ? f.createNumericLiteral(appended) : f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(1));
    return this.hook('m', [this.siteRef(site), obj, call, count]);
  }

  /**
   * A destructuring assignment target: defaults, computed keys and member objects are code and
   * visited as such; the targets themselves are not assignments (`[a = 1] = x` must stay a pattern).
   */
  private visitPattern(e: ts.Expression): ts.Expression {
    const f = this.f;
    if (ts.isOmittedExpression(e) || ts.isIdentifier(e)) return e;
    if (ts.isSpreadElement(e)) return f.updateSpreadElement(e, this.visitPattern(e.expression));
    if (ts.isParenthesizedExpression(e)) return f.updateParenthesizedExpression(e, this.visitPattern(e.expression));
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      return f.updateBinaryExpression(e, this.visitPattern(e.left), e.operatorToken, this.visitExpr(e.right));
    }
    if (ts.isArrayLiteralExpression(e)) return f.updateArrayLiteralExpression(e, e.elements.map((el) => this.visitPattern(el)));
    if (ts.isObjectLiteralExpression(e)) {
      return f.updateObjectLiteralExpression(e, e.properties.map((p) => {
        if (ts.isPropertyAssignment(p)) {
          const name = ts.isComputedPropertyName(p.name) ? ts.visitNode(p.name, this.visit) as ts.PropertyName : p.name;
          return f.updatePropertyAssignment(p, name, this.visitPattern(p.initializer));
        }
        if (ts.isShorthandPropertyAssignment(p)) {
          return f.updateShorthandPropertyAssignment(p, p.name, p.objectAssignmentInitializer && this.visitExpr(p.objectAssignmentInitializer));
        }
        if (ts.isSpreadAssignment(p)) return f.updateSpreadAssignment(p, this.visitPattern(p.expression));
        return p;
      }));
    }
    if (ts.isAsExpression(e)) return f.updateAsExpression(e, this.visitPattern(e.expression), e.type);
    if (ts.isNonNullExpression(e)) return f.updateNonNullExpression(e, this.visitPattern(e.expression));
    if (ts.isSatisfiesExpression(e)) return f.updateSatisfiesExpression(e, this.visitPattern(e.expression), e.type);
    if (ts.isTypeAssertionExpression(e)) return f.updateTypeAssertion(e, e.type, this.visitPattern(e.expression));
    // A member target (o.k, o[k]): its object and key are code, the access itself is not wrapped.
    return ts.visitEachChild(e, this.visit, undefined);
  }

  private visitUpdate(node: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression): ts.Node {
    const f = this.f;
    const operand = skipOuter(node.operand);
    const unused = isResultUnused(node);
    const prefix = ts.isPrefixUnaryExpression(node);
    if (ts.isIdentifier(operand)) {
      if (prefix || unused) {
        const site = this.writeSite(operand, 'assign', node);
        const pre = prefix ? node : f.createPrefixUnaryExpression(node.operator, node.operand);
        if (!prefix) ts.setSourceMapRange(pre, node);
        return this.hook('w', [this.siteRef(site), pre]);
      }
      if (!this.fn.tempsAllowed || !this.mayReread('assign')) return node;
      // `x++` whose value is used: ($$t = x++, w(x), $$t)
      const site = this.writeSite(operand, 'assign', node);
      const t = this.newTemp();
      return f.createParenthesizedExpression(f.createCommaListExpression([
        f.createAssignment(this.id(t), node), this.hook('w', [this.siteRef(site), this.ref(operand)]), this.id(t)]));
    }
    if ((ts.isPropertyAccessExpression(operand) || ts.isElementAccessExpression(operand)) && (prefix || unused)) {
      const target = this.propTarget(operand, node);
      if (target) {
        // V8 places the getter/setter calls of `++o.k` / `o.k++` at the start of the update: no
        // mapping of its own for the target, so its position maps to the update's.
        ts.setEmitFlags(target.access, ts.EmitFlags.NoLeadingSourceMap);
        const upd = f.createPrefixUnaryExpression(node.operator, target.access);
        ts.setSourceMapRange(upd, node);
        return this.hook('p', [this.siteRef(target.site), target.obj, target.key, upd]);
      }
    }
    return ts.visitEachChild(node, this.visit, undefined);
  }

  // ---- the after transformer: header + module frame ---------------------------------------

  after = (context: ts.TransformationContext) => (sf: ts.SourceFile): ts.SourceFile => {
    if (!this.transformed) return sf;
    const f = context.factory;
    this.f = f;
    const { prologue, rest } = this.splitPrologue(sf.statements);
    const header = f.createVariableStatement(undefined, [
      f.createVariableDeclaration(this.names.es, undefined, undefined,
        f.createElementAccessExpression(f.createIdentifier('globalThis'), f.createStringLiteral(HOOKS_GLOBAL))),
      f.createVariableDeclaration(this.names.s, undefined, undefined, this.hook('file', [
        f.createStringLiteral(this.hash), f.createStringLiteral(this.fileName), f.createNumericLiteral(this.sites.length)])),
      ...(this.budgeted ? [
        f.createVariableDeclaration(this.names.b, undefined, undefined, this.hook('b', [this.id(this.names.s), f.createNumericLiteral(this.sites.length)])),
        f.createVariableDeclaration(this.names.q, undefined, undefined, f.createPropertyAccessExpression(this.id(this.names.es), 'q')),
      ] : []),
    ]);
    const mctx = this.moduleCtx;
    const decls = [f.createVariableDeclaration(mctx.frame, undefined, undefined, this.hook('c', [this.siteRef(0)]))];
    for (const t of mctx.temps) decls.push(f.createVariableDeclaration(t));
    const frame = f.createVariableStatement(undefined, decls);
    if (this.esm) {
      // import/export must stay at the top level: no try around the body; exit after the last statement.
      return f.updateSourceFile(sf, [...prologue, header, frame, ...rest, this.hookStmt('e', [this.siteRef(0), this.id(mctx.frame)])]);
    }
    const { hoisted, rest: body } = this.fixConflictingFunctions(rest);
    const conflictVars = this.conflictVars;
    this.conflictVars = [];
    return f.updateSourceFile(sf, [...prologue, header, frame, ...conflictVars, this.tryWrap(mctx, [...hoisted, ...body])]);
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Grammar errors TypeScript reports for code that is valid sloppy-mode JavaScript (legacy octal
 * literals and escapes, `\8` and `\9`, decimals with a leading zero such as `08`); its emit means
 * the same (`08` is written `8`), so plain .js files are built anyway.
 */
const SLOPPY_ONLY_CODES = new Set([1121, 1487, 1488, 1489]);

function diagToError(fileName: string, d: ts.Diagnostic): BuildError {
  let line = 1; let column = 1;
  if (d.file && d.start !== undefined) {
    const lc = d.file.getLineAndCharacterOfPosition(d.start);
    line = lc.line + 1; column = lc.character + 1;
  }
  return { file: fileName, line, column, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
}

const MARKER = '@es:';
const END_MARKER = '@ee:';
const V8_SKIPPED = /^(?:export|default|static|declare|abstract|public|private|protected|override|readonly|accessor)\s+(?![\s(=;:<!?,)}])/;

/**
 * Where V8 starts a function's or class's source text, from the start of its declaration: after
 * `export`, `default`, `static` and TypeScript-only modifiers (never after `async`, `get`, `*`).
 */
export function v8Start(text: string, pos: number): number {
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    const m = V8_SKIPPED.exec(text.slice(pos, pos + 40));
    if (!m) return pos;
    pos += m[0].length;
  }
}

/**
 * The text plain Node runs for this file and, per source marker, the [start, end) of each marked
 * function/class in it: the original text for JavaScript (not JSX), else a plain transpile (same options,
 * no instrumentation) with begin/end comments keyed by original position, taken out again.
 */
function plainSpans(fileName: string, text: string, options: ts.CompilerOptions, inst: FileInstrumenter): { text: string; spans: number[] } | undefined {
  const keys = inst.markerKeys;
  if (keys.length === 0) return undefined;
  const spans: number[] = [];
  // Plain Node runs .js/.mjs/.cjs as written; TypeScript and JSX only ever run transpiled.
  if (/\.(js|mjs|cjs)$/i.test(fileName)) {
    const ends = inst.markerEnds;
    for (let k = 0; k < keys.length; k++) spans.push(v8Start(text, keys[k]!), ends[k]!);
    return { text, spans };
  }
  const wanted = new Set(keys);
  const before = (_ctx: ts.TransformationContext) => (sf: ts.SourceFile): ts.SourceFile => {
    const v = (n: ts.Node): void => {
      if ((isFunctionWithBody(n) || ts.isClassLike(n)) && wanted.has(n.getStart(sf))) {
        const k = n.getStart(sf);
        ts.addSyntheticLeadingComment(n, ts.SyntaxKind.MultiLineCommentTrivia, `${MARKER}${k}`, false);
        ts.addSyntheticTrailingComment(n, ts.SyntaxKind.MultiLineCommentTrivia, `${END_MARKER}${k}`, false);
      }
      ts.forEachChild(n, v);
    };
    v(sf);
    return sf;
  };
  let out: string;
  try {
    out = ts.transpileModule(text, {
      fileName, compilerOptions: { ...options, sourceMap: false }, reportDiagnostics: false,
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone, transformers: { before: [before] },
    }).outputText;
  } catch {
    return undefined;
  }
  // The printer writes `/*@es:K*/ ` before and ` /*@ee:K*/` after a node: taken out exactly.
  const re = /\/\*@es:(\d+)\*\/ | \/\*@ee:(\d+)\*\//g;
  let plain = '';
  let last = 0;
  // TypeScript's transforms may copy a node's comments onto several output nodes (a decorated
  // class: `let K = class K {...}` and `K = __decorate(...)`): every begin/end pair is a
  // candidate, and the one that is exactly a function or class of the plain output wins.
  const starts = new Map<number, number[]>();
  const ends = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, k: number, at: number): void => { const l = m.get(k); if (l) l.push(at); else m.set(k, [at]); };
  for (let m = re.exec(out); m; m = re.exec(out)) {
    plain += out.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1] !== undefined) add(starts, Number(m[1]), plain.length);
    else add(ends, Number(m[2]), plain.length);
  }
  plain += out.slice(last);
  plain = plain.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '');
  const psf = ts.createSourceFile('plain.js', plain, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const nodes = new Set<string>();
  const walk = (n: ts.Node): void => {
    if (isFunctionWithBody(n) || ts.isClassLike(n)) nodes.add(`${v8Start(plain, n.getStart(psf))}:${n.end}`);
    ts.forEachChild(n, walk);
  };
  walk(psf);
  for (const key of keys) {
    let found: [number, number] | undefined;
    for (const s0 of starts.get(key) ?? []) {
      const s = v8Start(plain, s0);
      for (const e of ends.get(key) ?? []) if (e > s && nodes.has(`${s}:${e}`) && (!found || e - s < found[1] - found[0])) found = [s, e];
    }
    if (found) spans.push(found[0], found[1]); else spans.push(-1, -1);
  }
  return { text: plain, spans };
}

/** Replace transpileModule's map reference with an inline map whose source is the absolute original path. */
function inlineMap(code: string, mapText: string | undefined, fileName: string, outName: string): string {
  const body = code.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '');
  if (!mapText) return body;
  const map = JSON.parse(mapText) as { sources: string[]; sourceRoot?: string; file?: string };
  map.sources = [fileName];
  map.sourceRoot = '';
  map.file = outName;
  return `${body}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

export interface InstrumentOptions {
  /** Whether the file is an ES module (default: by extension, .mjs/.mts). */
  esm?: boolean;
  /** Precomputed hash (buildWorkspace computes it to decide reuse). */
  hash?: string;
  /** Name of the output file for the source map's `file` field. */
  outName?: string;
  /** Emit no instrumentation at all (the test baseline): plain transpile with the same options. */
  plain?: boolean;
}

/**
 * Instrument one file. `compilerOptions` are the workspace options (from tsconfig); they are
 * combined with our defaults by effectiveOptions().
 */
export function instrumentFile(fileName: string, text: string, mode: Mode, compilerOptions: ts.CompilerOptions | undefined,
  opt: InstrumentOptions = {}): InstrumentResult & { hash: string } {
  const esm = opt.esm ?? isEsmFile(fileName);
  const options = effectiveOptions(fileName, compilerOptions, esm);
  const hash = opt.hash ?? computeHash(mode, options, text);
  const inst = new FileInstrumenter(fileName, text, mode, hash, esm, (options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2015);
  const table: FileSiteTable = { file: fileName, hash, mode, sites: inst.sites };
  let out: ts.TranspileOutput;
  try {
    out = ts.transpileModule(text, {
      fileName, compilerOptions: options, reportDiagnostics: true,
      // JSDoc only matters for type checking; skipping it saves parse time on JavaScript files.
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
      transformers: opt.plain ? undefined : { before: [inst.before], after: [inst.after] },
    });
  } catch (err) {
    const e = err as Error;
    return { code: '', table, hash, errors: [{ file: fileName, line: 1, column: 1, message: `instrumenter failed: ${e.stack ?? e.message}` }] };
  }
  const errors = (out.diagnostics ?? [])
    .filter((d) => d.file && d.category === ts.DiagnosticCategory.Error && !(isJsFile(fileName) && SLOPPY_ONLY_CODES.has(d.code)))
    .map((d) => diagToError(fileName, d));
  if (errors.length) return { code: '', table, hash, errors };
  const code = inlineMap(out.outputText, out.sourceMapText, fileName, opt.outName ?? `${hash}.js`);
  if (!opt.plain && inst.transformed) {
    const plain = plainSpans(fileName, text, options, inst);
    if (plain) table.plain = plain;
  }
  return { code, table, hash, errors: [] };
}
