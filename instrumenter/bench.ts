/**
 * Build-speed benchmark: a cold build of a workspace into a fresh temporary build folder, then
 * a rebuild after one source file changed (the file is restored afterwards).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Mode } from '../protocol/events';
import { buildWorkspace, listSourceFiles } from './build';

export interface BuildBenchResult { files: number; lines: number; coldMs: number; incrementalMs: number; built: number; errors: number }

export async function benchBuild(root: string, mode: Mode = 'full', opts: { include?: string[]; exclude?: string[] } = {}): Promise<BuildBenchResult> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-bench-build-'));
  try {
    const cold = await buildWorkspace({ root, outDir, mode, ...opts });
    const files = Object.keys(cold.manifest.files);
    let lines = 0;
    for (const f of files) lines += fs.readFileSync(f, 'utf8').split('\n').length;
    const victim = files[Math.floor(files.length / 2)] ?? listSourceFiles(root, outDir, opts.include, opts.exclude)[0];
    let incrementalMs = 0;
    let built = 0;
    if (victim) {
      const original = fs.readFileSync(victim);
      try {
        fs.appendFileSync(victim, `\n// elixirscope bench edit ${Date.now()}\n`);
        const inc = await buildWorkspace({ root, outDir, mode, ...opts });
        incrementalMs = inc.ms;
        built = inc.built;
      } finally {
        fs.writeFileSync(victim, original);
      }
    }
    return { files: files.length, lines, coldMs: cold.ms, incrementalMs, built, errors: cold.errors.length };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
