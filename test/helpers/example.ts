import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../adapter/targets/paths';

export const EXAMPLE = join(packageRoot(), 'examples', 'invoice');
export const MAIN = join(EXAMPLE, 'src', 'main.ts');
export const INVOICE = join(EXAMPLE, 'src', 'invoice.ts');

/** 1-based line of the first line of `file` containing `text` (tests find lines by content, not by number). */
export function lineOf(file: string, text: string): number {
  const at = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (at < 0) throw new Error(`${text} not found in ${file}`);
  return at + 1;
}

export const PROGRAMS = join(packageRoot(), 'test', 'fixtures', 'programs');
