import { isObjectSnapshot, type ObjectSnapshot, type RecordedValue } from '../../protocol/values';

/** Renders a recorded value the way VS Code's variables view shows JavaScript values. */
export function renderValue(v: RecordedValue, depth = 0): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number': return String(v);
    case 'boolean': return String(v);
    case 'string': return JSON.stringify(v);
  }
  if (isObjectSnapshot(v)) return renderObject(v, depth);
  if ('u' in v) return 'undefined';
  if ('n' in v) return String(v.n);
  if ('b' in v) return `${v.b}n`;
  if ('y' in v) return `Symbol(${v.y})`;
  if ('f' in v) return `ƒ ${v.f || 'anonymous'}`;
  if ('x' in v) return '[redacted]';
  if ('t' in v) return '…';
  if ('r' in v) return v.c;
  return '?';
}

function renderObject(o: ObjectSnapshot, depth: number): string {
  if (o.k === 'date' || o.k === 'regexp') return o.d ?? o.c;
  if (o.k === 'error') return errorText(o);
  if (depth > 0) return o.k === 'array' ? `Array(${o.n})` : o.c === 'Object' ? '{…}' : o.c;
  const more = o.n > o.p.length ? ', …' : '';
  // Like V8's preview, an object's one-line form leaves out accessors (recorded with no value);
  // they show when it is expanded.
  const shown = o.k === 'array' ? o.p : o.p.filter(([, val]) => !isAccessor(val));
  const items = shown.map(([k, val]) => (o.k === 'array' ? renderValue(val, 1) : `${keyText(k)}: ${renderValue(val, 1)}`)).join(', ');
  switch (o.k) {
    case 'array': return `(${o.n}) [${items}${more}]`;
    case 'map': return `Map(${o.n}) {${o.p.map(([k, val]) => `${renderValue(k as RecordedValue, 1)} => ${renderValue(val, 1)}`).join(', ')}${more}}`;
    case 'set': return `Set(${o.n}) {${o.p.map(([, val]) => renderValue(val, 1)).join(', ')}${more}}`;
    default: return `${o.c === 'Object' ? '' : o.c + ' '}{${items}${more}}`;
  }
}

/**
 * An error as V8 describes it: its stack's first line, which is Error.prototype.toString's
 * `name: message` (just one of them when the other is empty). `e` is the name the runtime read
 * (an Error subclass that sets none is an `Error`); without it, the class name.
 */
function errorText(o: ObjectSnapshot): string {
  const name = o.e ?? o.c, message = o.d ?? '';
  return name === '' ? message : message === '' ? name : `${name}: ${message}`;
}

/** An accessor property (recorded with no value: the runtime never runs a getter). */
function isAccessor(v: RecordedValue): boolean {
  return typeof v === 'object' && v !== null && 'a' in v;
}

function keyText(k: string | RecordedValue): string {
  return typeof k === 'string' ? (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)) : renderValue(k, 1);
}

/** The children VS Code shows when a value is expanded. */
export function childrenOf(v: RecordedValue): Array<{ name: string; value: RecordedValue }> {
  if (!isObjectSnapshot(v)) return [];
  if (v.k === 'map') return v.p.map(([k, val], i) => ({ name: `${i}: ${renderValue(k as RecordedValue, 1)}`, value: val }));
  return v.p.map(([k, val]) => ({ name: typeof k === 'string' ? k : renderValue(k, 1), value: val }));
}

export function isExpandable(v: RecordedValue): boolean {
  return isObjectSnapshot(v) && v.p.length > 0 && v.k !== 'date' && v.k !== 'regexp';
}
