import { parseExpressionAt, type Node } from 'acorn';
import { isObjectSnapshot, type ObjectSnapshot, type RecordedValue } from '../../protocol/values';

/** Evaluating over a recording never runs program code; what would need to is refused with this error. */
export class EvaluationError extends Error {}

/** Where names come from: the frame's locals at the current time, then enclosing module scope. */
export interface NameScope {
  lookup(name: string): RecordedValue | undefined;
}

type Value = unknown; // a JS primitive, or an ObjectSnapshot standing for an object

const MATH: Record<string, (...a: number[]) => number> = {
  abs: Math.abs, min: Math.min, max: Math.max, floor: Math.floor, ceil: Math.ceil, round: Math.round,
  sqrt: Math.sqrt, pow: Math.pow, sign: Math.sign, trunc: Math.trunc, log: Math.log, exp: Math.exp,
};
const STRING_METHODS = new Set(['includes', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf', 'slice', 'substring', 'toUpperCase', 'toLowerCase', 'trim', 'charAt', 'at', 'padStart', 'padEnd', 'repeat', 'split']);
const GLOBAL_FUNCTIONS: Record<string, (v: unknown) => unknown> = { String: (v) => String(v), Number: (v) => Number(v), Boolean: (v) => Boolean(v), isNaN: (v) => Number.isNaN(Number(v)) };

/** Evaluates a JavaScript expression over recorded values: names, members, operators, literals, pure built-ins. */
export function evaluateExpression(source: string, scope: NameScope): RecordedValue {
  let ast: Node;
  try {
    ast = parseExpressionAt(source, 0, { ecmaVersion: 'latest' });
  } catch (err) {
    throw new EvaluationError(`cannot parse "${source}": ${(err as Error).message}`);
  }
  if (ast.end < source.trimEnd().length) throw new EvaluationError(`cannot parse "${source}": unexpected text after the expression`);
  return toRecorded(evaluate(ast, scope));
}

/** Truthiness of a condition's value, as JavaScript would decide it. */
export function isTruthy(v: RecordedValue): boolean {
  if (typeof v === 'object' && v !== null) return isObjectSnapshot(v) || 'f' in v || 'r' in v || 'y' in v || ('b' in v && v.b !== '0');
  return Boolean(v);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function evaluate(node: any, scope: NameScope): Value {
  switch (node.type) {
    case 'Literal': return node.regex ? refuse('regular expressions') : node.value;
    case 'Identifier': return identifier(node.name, scope);
    case 'TemplateLiteral': return node.quasis.map((q: { value: { cooked: string } }, i: number) => q.value.cooked + (i < node.expressions.length ? String(display(evaluate(node.expressions[i], scope))) : '')).join('');
    case 'MemberExpression': return member(evaluate(node.object, scope), memberKey(node, scope), node.optional);
    case 'ChainExpression': return evaluate(node.expression, scope);
    case 'UnaryExpression': return unary(node.operator, node.operator === 'typeof' && node.argument.type === 'Identifier' ? scope.lookup(node.argument.name) === undefined ? undefined : evaluate(node.argument, scope) : evaluate(node.argument, scope));
    case 'BinaryExpression': return binary(node.operator, evaluate(node.left, scope), evaluate(node.right, scope));
    case 'LogicalExpression': {
      const left = evaluate(node.left, scope);
      if (node.operator === '&&') return truthy(left) ? evaluate(node.right, scope) : left;
      if (node.operator === '||') return truthy(left) ? left : evaluate(node.right, scope);
      return left === null || left === undefined ? evaluate(node.right, scope) : left;
    }
    case 'ConditionalExpression': return truthy(evaluate(node.test, scope)) ? evaluate(node.consequent, scope) : evaluate(node.alternate, scope);
    case 'CallExpression': return call(node, scope);
    case 'ArrayExpression': return node.elements.map((e: unknown) => evaluate(e, scope));
    case 'ThisExpression': return identifier('this', scope);
    default: return refuse(describeNode(node.type));
  }
}

function identifier(name: string, scope: NameScope): Value {
  const v = scope.lookup(name);
  if (v !== undefined) return fromRecorded(v);
  if (name === 'undefined') return undefined;
  if (name === 'NaN') return NaN;
  if (name === 'Infinity') return Infinity;
  throw new EvaluationError(`${name} is not recorded at this time`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function memberKey(node: any, scope: NameScope): string {
  if (!node.computed) return node.property.type === 'PrivateIdentifier' ? `#${node.property.name}` : node.property.name;
  return String(evaluate(node.property, scope));
}

function member(object: Value, key: string, optional: boolean): Value {
  if ((object === null || object === undefined) && optional) return undefined;
  if (typeof object === 'string') {
    if (key === 'length') return object.length;
    if (/^\d+$/.test(key)) return object[Number(key)];
    return refuse(`reading "${key}" of a string`);
  }
  if (Array.isArray(object)) return key === 'length' ? object.length : object[Number(key)];
  if (isObjectSnapshot(object as RecordedValue)) {
    const snap = object as ObjectSnapshot;
    if (key === 'length' && (snap.k === 'array' || snap.k === 'typedarray')) return snap.n;
    if (key === 'size' && (snap.k === 'map' || snap.k === 'set')) return snap.n;
    const entry = snap.p.find(([k]) => k === key);
    if (entry) return fromRecorded(entry[1]);
    if (snap.p.length < snap.n) throw new EvaluationError(`"${key}" was not recorded (the object was larger than the snapshot limit)`);
    return undefined;
  }
  if (object === null || object === undefined) throw new EvaluationError(`cannot read properties of ${object} (reading '${key}')`);
  return refuse(`reading "${key}" of ${typeof object}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function call(node: any, scope: NameScope): Value {
  const callee = node.callee;
  const args = (): Value[] => node.arguments.map((a: unknown) => evaluate(a, scope));
  if (callee.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier' && callee.object.name === 'Math' && scope.lookup('Math') === undefined) {
    const fn = MATH[callee.property.name];
    if (fn) return fn(...(args() as number[]));
  }
  if (callee.type === 'Identifier' && GLOBAL_FUNCTIONS[callee.name] && scope.lookup(callee.name) === undefined) return GLOBAL_FUNCTIONS[callee.name](display(args()[0]));
  if (callee.type === 'MemberExpression' && !callee.computed) {
    const target = evaluate(callee.object, scope);
    const method = callee.property.name as string;
    if (typeof target === 'string' && STRING_METHODS.has(method)) return (String.prototype[method as 'slice'] as (...a: unknown[]) => unknown).apply(target, args());
    if (isObjectSnapshot(target as RecordedValue) && (method === 'includes' || method === 'indexOf') && (target as ObjectSnapshot).k === 'array') {
      const needle = args()[0];
      const at = (target as ObjectSnapshot).p.findIndex(([, v]) => fromRecorded(v) === needle);
      return method === 'includes' ? at >= 0 : at;
    }
  }
  return refuse('calling functions of the program');
}

function unary(op: string, v: Value): Value {
  switch (op) {
    case '!': return !truthy(v);
    case '-': return -(v as number);
    case '+': return +(v as number);
    case '~': return ~(v as number);
    case 'typeof': return isObjectSnapshot(v as RecordedValue) ? 'object' : typeof v;
    default: return refuse(`the ${op} operator`);
  }
}

function binary(op: string, a: Value, b: Value): Value {
  if (isObjectSnapshot(a as RecordedValue) || isObjectSnapshot(b as RecordedValue)) {
    const id = (v: Value) => (isObjectSnapshot(v as RecordedValue) ? (v as ObjectSnapshot).o : v);
    if (op === '===' || op === '==') return id(a) === id(b);
    if (op === '!==' || op === '!=') return id(a) !== id(b);
    return refuse(`${op} on objects (it would call their valueOf/toString)`);
  }
  const x = a as number, y = b as number;
  switch (op) {
    case '+': return (x as unknown as string) + (y as unknown as string);
    case '-': return x - y; case '*': return x * y; case '/': return x / y; case '%': return x % y; case '**': return x ** y;
    case '==': return a == b; case '!=': return a != b; case '===': return a === b; case '!==': return a !== b; // eslint-disable-line eqeqeq
    case '<': return x < y; case '<=': return x <= y; case '>': return x > y; case '>=': return x >= y;
    case '&': return x & y; case '|': return x | y; case '^': return x ^ y; case '<<': return x << y; case '>>': return x >> y; case '>>>': return x >>> y;
    default: return refuse(`the ${op} operator`);
  }
}

function truthy(v: Value): boolean { return isObjectSnapshot(v as RecordedValue) || Array.isArray(v) ? true : Boolean(v); }
function display(v: Value): unknown { return isObjectSnapshot(v as RecordedValue) ? `[object ${(v as ObjectSnapshot).c}]` : v; }

function refuse(what: string): never {
  throw new EvaluationError(`not evaluated: ${what} would have side effects or run program code, and the recording cannot do that`);
}

function describeNode(type: string): string {
  if (/Assignment|Update/.test(type)) return 'assignment';
  if (type === 'NewExpression') return 'constructing objects';
  if (/Function|Arrow|Class/.test(type)) return 'creating functions';
  if (type === 'AwaitExpression' || type === 'YieldExpression') return 'await/yield';
  return `a ${type}`;
}

/** RecordedValue → the JS value used in computation (objects stay snapshots). */
function fromRecorded(v: RecordedValue): Value {
  if (v === null || typeof v !== 'object') return v;
  if (isObjectSnapshot(v)) return v;
  if ('u' in v) return undefined;
  if ('n' in v) return v.n === '-0' ? -0 : Number(v.n);
  if ('b' in v) return BigInt(v.b);
  if ('x' in v) throw new EvaluationError('the value is redacted: it never left the program');
  return v;
}

function toRecorded(v: Value): RecordedValue {
  if (v === undefined) return { u: 1 };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { n: 'NaN' };
    if (v === Infinity) return { n: 'Infinity' };
    if (v === -Infinity) return { n: '-Infinity' };
    if (Object.is(v, -0)) return { n: '-0' };
    return v;
  }
  if (typeof v === 'bigint') return { b: v.toString() };
  if (Array.isArray(v)) return { o: 0, c: 'Array', k: 'array', p: v.map((x, i) => [String(i), toRecorded(x)]), n: v.length };
  return v as RecordedValue;
}
