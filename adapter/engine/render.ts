import { isAccessor, isArrayIndex, isObjectSnapshot, isSetterOnly, type ObjectSnapshot, type RecordedValue } from '../../protocol/values';

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
  if ('f' in v) return depth > 0 ? 'ƒ' : `ƒ ${v.f || 'anonymous'}`; // a preview shows no function names
  if ('x' in v) return '[redacted]';
  if ('t' in v) return '…';
  if ('r' in v) return v.c;
  return '?';
}

function renderObject(o: ObjectSnapshot, depth: number): string {
  if (o.k === 'date') return dateText(o);
  if (o.k === 'regexp') return o.d ?? o.c;
  if (o.k === 'error') return errorText(o);
  if (depth > 0) return o.k === 'array' ? `Array(${o.n})` : o.c === 'Object' ? '{…}' : o.c;
  if (o.k === 'array' || o.k === 'typedarray') return arrayText(o);
  const more = o.n > o.p.length ? ', …' : '';
  const items = o.p.filter(([, val]) => !isSetterOnly(val)).map(([k, val]) => `${keyText(k)}: ${propertyText(val)}`).join(', ');
  switch (o.k) {
    case 'map': return `Map(${o.n}) {${o.p.map(([k, val]) => `${renderValue(k as RecordedValue, 1)} => ${renderValue(val, 1)}`).join(', ')}${more}}`;
    case 'set': return `Set(${o.n}) {${o.p.map(([, val]) => renderValue(val, 1)).join(', ')}${more}}`;
    default: return `${o.c === 'Object' ? '' : o.c + ' '}{${items}${more}}`;
  }
}

/**
 * A property's value in a one-line preview. Like V8's preview (as vscode-js-debug renders it): an
 * accessor with a getter as `<accessor>`, one with only a setter left out (both show when the
 * object is expanded).
 */
function propertyText(v: RecordedValue): string {
  return isAccessor(v) ? '<accessor>' : renderValue(v, 1);
}

/**
 * An array as V8's preview reads (vscode-js-debug's form): `(3) [1, 2, 3]`, a typed array
 * `Uint8Array(3) [1, 2, 3]`; elements in index order, `…` for a run of holes or what the snapshot
 * left out, then the other own properties by name.
 */
function arrayText(o: ObjectSnapshot): string {
  const parts: string[] = [];
  let last = -1;
  for (const [k, val] of o.p) {
    if (!isArrayIndex(k)) continue;
    const i = Number(k);
    if (i > last + 1) parts.push('…');
    last = i;
    parts.push(propertyText(val));
  }
  if (o.n > last + 1) parts.push('…');
  for (const [k, val] of o.p) if (!isArrayIndex(k) && !isSetterOnly(val)) parts.push(`${keyText(k)}: ${propertyText(val)}`);
  return `${o.k === 'array' ? '' : o.c}(${o.n}) [${parts.join(', ')}]`;
}

/** A date as V8 describes it (Date.prototype.toString, in this process's time zone). */
function dateText(o: ObjectSnapshot): string {
  const t = o.d === undefined ? NaN : Date.parse(o.d);
  return t === t ? new Date(t).toString() : o.d ?? o.c;
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
