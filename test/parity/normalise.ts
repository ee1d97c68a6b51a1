/**
 * Named normalisations of the parity harness: pauses one debugger makes by design and the
 * other does not. Each is a deliberate, documented difference, not a bug; every pause a rule
 * removes is kept on the stop that follows (`Stop.skipped`), so nothing disappears unseen.
 *
 * They are applied while stepping, not afterwards: when a step lands on a pause a rule names,
 * the driver steps again (the same command; `next` after a stepOut) and records the pause where
 * it comes to rest. Applying them afterwards would not do for mixed sequences: a `next` spent on
 * V8's closing brace would make every later stepIn/stepOut act on a different statement.
 *
 * Positions are mapped to statements with acorn (the fixture programs are plain JavaScript).
 */
import { parse } from 'acorn';
import { readFileSync } from 'node:fs';

export type Rule =
  /**
   * V8 pauses at a function's closing brace (its implicit return), and at the end of a module's
   * code (the CommonJS wrapper's return). ElixirScope stops only at statements.
   */
  | 'v8-function-end'
  /**
   * V8 pauses at a loop's head (for: update and test; while/do: test; for-of/in: next element)
   * each time the body finishes. ElixirScope stops at a loop statement once, when the loop
   * starts, and then only at the statements of its body. (The design notes name for-loops; the
   * same holds for while, do-while, for-of and for-in, and this rule covers all of them.)
   */
  | 'v8-loop-head-revisit'
  /**
   * V8 has several break positions inside one statement (each call in it, the `return` itself
   * after its expression) and `next` visits each. ElixirScope stops once per statement.
   */
  | 'v8-same-statement'
  /**
   * Coming back from a callee into the statement that called it. ElixirScope stops there by
   * design (a "return point", shown at the caller's statement, before its assignment happens).
   * V8 pauses there only when the statement has a later break position (another call), and
   * otherwise goes on to the next statement. Applied to both sides: the stop after it (the next
   * statement, or the next call's callee) is what both debuggers agree on. (This also covers
   * ElixirScope's stop at the `arr.map(cb)` statement each time `cb` returns into map.)
   */
  | 'return-to-caller';

export const V8_RULES: readonly Rule[] = ['v8-function-end', 'v8-loop-head-revisit', 'v8-same-statement', 'return-to-caller'];
export const ELIXIRSCOPE_RULES: readonly Rule[] = ['return-to-caller'];

/** A place in a frame. */
export interface Place { file: string; line: number; column: number; functionName: string }
/** A pause as a driver sees it: the top frame's place and the whole stack, innermost first (stack[0] is the top). */
export interface Pause extends Place { stack: Place[] }

interface Range { start: number; end: number }
interface Statement extends Range { type: string; body?: Range }

const returns = (s: Statement) => s.type === 'ReturnStatement' || s.type === 'ArrowBody';

/** The position V8 pauses at when a `return` (or an arrow's expression body) hands its value back. */
function isReturnPosition(shape: ProgramShape, offset: number): boolean {
  const st = shape.statementAt(offset);
  return !!st && returns(st) && offset === st.end;
}

interface AstNode { type: string; start: number; end: number; [key: string]: unknown }

/** Static facts of one program file: its statements, loops and function ends. */
class ProgramShape {
  readonly statements: Statement[] = [];
  readonly functionEnds = new Set<number>();
  readonly moduleEnd: number;
  private readonly lineStarts: number[] = [0];

  constructor(source: string) {
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
    const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true }) as unknown as AstNode & { body: AstNode[] };
    this.moduleEnd = ast.body.length ? ast.body[ast.body.length - 1].end : 0;
    const visit = (node: AstNode, parent?: AstNode) => {
      // A loop's `let i = 0` / `const x of` belongs to the loop's head, not a statement of its own.
      const loopHead = !!parent && /^For(In|Of)?Statement$/.test(parent.type) && (parent.init === node || parent.left === node);
      if (/Statement$|Declaration$/.test(node.type) && !loopHead && node.type !== 'FunctionDeclaration' && node.type !== 'ClassDeclaration' && node.type !== 'BlockStatement') {
        const s: Statement = { type: node.type, start: node.start, end: node.end };
        if (/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(node.type)) s.body = node.body as AstNode;
        this.statements.push(s);
      }
      if (/Function/.test(node.type) && (node.body as AstNode | undefined)?.type === 'BlockStatement') this.functionEnds.add((node.body as AstNode).end - 1);
      // An arrow function's expression body is where both debuggers stop inside it: a statement of its own.
      if (node.type === 'ArrowFunctionExpression' && (node.body as AstNode).type !== 'BlockStatement') this.statements.push({ type: 'ArrowBody', start: (node.body as AstNode).start, end: (node.body as AstNode).end });
      for (const value of Object.values(node)) {
        if (Array.isArray(value)) { for (const v of value) if (v && typeof v === 'object' && typeof v.type === 'string') visit(v as AstNode, node); }
        else if (value && typeof value === 'object' && typeof (value as AstNode).type === 'string') visit(value as AstNode, node);
      }
    };
    visit(ast);
  }

  offset(line: number, column: number): number { return (this.lineStarts[line - 1] ?? 0) + column - 1; }

  /**
   * The innermost statement containing `offset` (a loop counts only for its head, not its body).
   * A `return` statement (and an arrow's expression body) also owns the position just after
   * it: V8's break position for the return itself, after the value is computed.
   */
  statementAt(offset: number): Statement | undefined {
    let best: Statement | undefined;
    for (const s of this.statements) {
      if (offset < s.start || offset > s.end || (offset === s.end && !returns(s))) continue;
      if (s.body && offset >= s.body.start && offset < s.body.end) continue;
      if (!best || s.end - s.start < best.end - best.start) best = s;
    }
    return best;
  }
}

/**
 * Decides, pause by pause, which rule (if any) a pause falls under. Feed it every pause of a
 * run in order, kept or not: the rules compare a pause with the one before it.
 */
export class Normaliser {
  private readonly rules: Set<Rule>;
  private readonly shapes = new Map<string, ProgramShape | null>();
  private previous: Pause | undefined;

  constructor(rules: readonly Rule[]) { this.rules = new Set(rules); }

  classify(p: Pause): Rule | undefined {
    const prev = this.previous;
    this.previous = p;
    const shape = this.shape(p.file);
    if (!shape || !prev) return undefined;
    const offset = shape.offset(p.line, p.column);
    const st = shape.statementAt(offset);
    const depth = p.stack.length;
    // Where this frame was at the previous pause: its top if it was on top, its call site if a callee was.
    const before = prev.stack.length >= depth ? prev.stack[prev.stack.length - depth] : undefined;
    const sameFrame = !!before && before.file === p.file && before.functionName === p.functionName;
    const beforeOffset = sameFrame ? shape.offset(before.line, before.column) : -1;
    const sameStatement = sameFrame && !!st && shape.statementAt(beforeOffset) === st;
    if (this.rules.has('v8-function-end') && (shape.functionEnds.has(offset) || offset >= shape.moduleEnd)) return 'v8-function-end';
    if (this.rules.has('return-to-caller') && prev.stack.length > depth && sameStatement) return 'return-to-caller';
    if (this.rules.has('v8-loop-head-revisit') && st?.body && sameFrame && beforeOffset >= st.body.start && beforeOffset < st.body.end) return 'v8-loop-head-revisit';
    // (After a pause at a return position, the next pause at the same depth is another call of the
    // function; so is a pause at the very position of the previous one: one run of a statement
    // passes each of its break positions once, and a callback called again by a built-in comes
    // back to the same one.)
    if (this.rules.has('v8-same-statement') && prev.stack.length === depth && sameStatement && !isReturnPosition(shape, beforeOffset) && offset !== beforeOffset) return 'v8-same-statement';
    return undefined;
  }

  private shape(file: string): ProgramShape | undefined {
    if (!this.shapes.has(file)) {
      let shape: ProgramShape | null = null;
      try { shape = new ProgramShape(readFileSync(file, 'utf8')); } catch { shape = null; }
      this.shapes.set(file, shape);
    }
    return this.shapes.get(file) ?? undefined;
  }
}

/** The command that continues a step which came to rest on a pause a rule drops. */
export function followUp(step: 'next' | 'stepIn' | 'stepOut' | 'continue'): 'next' | 'stepIn' | 'continue' {
  return step === 'stepOut' ? 'next' : step;
}

/** How many follow-up steps one step may take before the driver gives up (and records where it is). */
export const MAX_FOLLOW_UPS = 50;
