// Builds every bundle with esbuild. Native modules and the TypeScript compiler stay external:
// classic-level ships prebuilt binaries, and ts-morph/typescript are large and loaded lazily.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const external = ['vscode', 'classic-level', 'level', 'ts-morph', 'typescript', 'acorn'];
const entries = [
  { in: 'runtime/preload.ts', out: 'runtime' },
  { in: 'runtime/drain-worker.ts', out: 'runtime-worker' },
  { in: 'instrumenter/worker.ts', out: 'instrumenter-worker' },
  { in: 'adapter/main.ts', out: 'adapter' },
  { in: 'cli/main.ts', out: 'cli' },
  { in: 'extension/extension.ts', out: 'extension' },
  { in: 'server/main.ts', out: 'server' },
].filter((e) => existsSync(e.in));

const watch = process.argv.includes('--watch');
const ctx = await esbuild.context({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
});
if (watch) await ctx.watch();
else { await ctx.rebuild(); await ctx.dispose(); console.log(`built ${entries.map((e) => e.out).join(', ')}`); }
