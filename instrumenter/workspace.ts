/** Workspace helpers that need no TypeScript compiler (cheap to load). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Nearest ancestor (or the program's own folder) holding package.json or tsconfig.json. */
export function findWorkspaceRoot(programPath: string): string {
  const start = path.dirname(path.resolve(programPath));
  for (let d = start; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) || fs.existsSync(path.join(d, 'tsconfig.json'))) return d;
    if (path.dirname(d) === d) return start;
  }
}
