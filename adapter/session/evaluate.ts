import { isObjectSnapshot, type RecordedValue } from '../../protocol/values';
import type { Local } from '../engine/state';

/**
 * Evaluates `name`, `a.b`, `a[0]`, `a["k"]` over recorded state. Never runs program code:
 * anything else is refused with a clear message.
 */
export function evaluatePath(expression: string, locals: Local[]): RecordedValue {
  const parts = parsePath(expression.trim());
  if (!parts) throw new Error(`cannot evaluate "${expression}" over a recording: only names and property paths (a.b[0]) are supported`);
  const [head, ...rest] = parts;
  const local = locals.find((l) => l.name === head);
  if (!local) throw new Error(`${head} is not recorded at this time`);
  let value = local.value;
  for (const key of rest) {
    if (!isObjectSnapshot(value)) throw new Error(`cannot read "${key}" of ${expression}: not an object at this time`);
    const entry = value.p.find(([k]) => k === key);
    if (!entry) throw new Error(`"${key}" is not recorded on this object at this time`);
    value = entry[1];
  }
  return value;
}

function parsePath(text: string): string[] | undefined {
  const m = /^[A-Za-z_$][\w$]*/.exec(text);
  if (!m) return undefined;
  const parts = [m[0]];
  let rest = text.slice(m[0].length);
  while (rest) {
    const step = /^\.([A-Za-z_$][\w$]*)|^\[(\d+)\]|^\[(["'])((?:(?!\3).)*)\3\]/.exec(rest);
    if (!step) return undefined;
    parts.push(step[1] ?? step[2] ?? step[4]);
    rest = rest.slice(step[0].length);
  }
  return parts;
}
