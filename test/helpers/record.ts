import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../adapter/targets/paths';

/** Records `program` with the real CLI into `out` and returns the folder; throws with stderr when it fails. */
export function recordWithCli(program: string, out: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'record', '--quiet', '--out', out, '--', program, ...args], { encoding: 'utf8' });
  if (r.status !== 0 && !/Error/.test(r.stderr)) throw new Error(`record failed (${r.status}): ${r.stderr}`);
  return out;
}
