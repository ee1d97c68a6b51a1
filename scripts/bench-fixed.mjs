// Fixed cost of one recorded run: a trivial program, plain node vs `elixirscope record --mode minimal`,
// interleaved (same-run ratios; this machine's noise is large, so quote medians and load).
// Usage: node scripts/bench-fixed.mjs [--reps N] [--mode minimal|balanced|full] [--base DIR]
// --base DIR: also time DIR/bin/elixirscope.js (a copy of another build, with package.json) in the same run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const arg = (name, dflt) => { const at = process.argv.indexOf(name); return at > 0 ? process.argv[at + 1] : dflt; };
const reps = Number(arg('--reps', 15));
const mode = arg('--mode', 'minimal');
const work = join(tmpdir(), 'elixirscope-bench-fixed');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'package.json'), '{ "name": "bench-fixed", "private": true }');
const program = join(work, 'trivial.js');
writeFileSync(program, 'let s = 0;\nfor (let i = 0; i < 10; i++) s += i;\nconsole.log(s);\n');
const cli = join(root, 'bin', 'elixirscope.js');
const baseDir = arg('--base', undefined);
const base = baseDir && join(resolve(baseDir), 'bin', 'elixirscope.js');
const run = (args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
  return Number(process.hrtime.bigint() - t) / 1e6;
};
run([cli, 'record', '--quiet', '--mode', mode, '--out', join(work, 'warm'), '--', program]); // builds once
const load0 = loadavg()[0];
const plain = [], rec = [], ratios = [], old = [], oldRatios = [];
for (let i = 0; i < reps; i++) {
  const p = run([program]);
  const r = run([cli, 'record', '--quiet', '--mode', mode, '--out', join(work, `rec${i}`), '--', program]);
  plain.push(p); rec.push(r); ratios.push(r / p);
  if (base) { const o = run([base, 'record', '--quiet', '--mode', mode, '--out', join(work, `old${i}`), '--', program]); old.push(o); oldRatios.push(o / p); rmSync(join(work, `old${i}`), { recursive: true, force: true }); }
  rmSync(join(work, `rec${i}`), { recursive: true, force: true });
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`mode ${mode}, ${reps} reps, load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
console.log(`plain node   median ${med(plain).toFixed(0)} ms`);
console.log(`record       median ${med(rec).toFixed(0)} ms`);
if (base) console.log(`base record  median ${med(old).toFixed(0)} ms, fixed cost ${(med(old) - med(plain)).toFixed(0)} ms, ratio median ${med(oldRatios).toFixed(2)}x`);
console.log(`fixed cost   median ${(med(rec) - med(plain)).toFixed(0)} ms, ratio median ${med(ratios).toFixed(2)}x`);
