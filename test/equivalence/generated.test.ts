/**
 * Semantic equivalence over generated programs (fast-check): many small programs, batched as
 * functions into one file per seed, run plainly and under `elixirscope record`; every program's
 * printed output must be identical. A program that differs is narrowed down to the smallest set
 * of its snippets that still differs (one more recording), and the assertion shows its source.
 *
 * ES_EQ_SEED overrides the base seed; ES_EQ_BATCHES the number of full-mode batches (default 3).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Mode } from '../../protocol/events';
import { tempDir } from '../helpers/temp';
import { batchSource, programArb, programSource, type Program } from './programs';
import { queryStats, runPlain, runRecorded } from './run';

const BASE_SEED = Number(process.env.ES_EQ_SEED ?? 20261123);
const FULL_BATCHES = Number(process.env.ES_EQ_BATCHES ?? 3);
const PER_BATCH = 50;

function outputsByProgram(stdout: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const at = /^#(\d+) (.*)$/.exec(line);
    if (at) m.set(Number(at[1]), at[2]!);
  }
  return m;
}

describe('equivalence: generated programs behave exactly as plain node when recorded', function () {
  this.timeout(600000);
  let work: string;
  let n = 0;
  before(() => {
    work = tempDir('es-generated-');
    writeFileSync(join(work, 'package.json'), '{ "name": "generated-programs", "private": true }\n');
  });

  /** Writes a batch, runs it plain and recorded; returns the programs whose output differs. */
  function runBatch(programs: Program[], mode: Mode, label: string) {
    const dir = join(work, `w${n++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{ "name": "generated-batch", "private": true }\n');
    writeFileSync(join(dir, 'batch.js'), batchSource(programs));
    const plain = runPlain('batch.js', dir);
    assert.equal(plain.code, 0, `${label}: the plain run failed (a generator bug):\n${plain.stderr}`);
    const rec = runRecorded('batch.js', dir, join(dir, 'rec'), mode);
    const a = outputsByProgram(plain.stdout);
    const b = outputsByProgram(rec.stdout);
    assert.equal(a.size, programs.length, `${label}: plain output incomplete`);
    const differing: Array<{ index: number; plain: string; recorded: string }> = [];
    for (let i = 0; i < programs.length; i++) if (a.get(i) !== b.get(i)) differing.push({ index: i, plain: a.get(i)!, recorded: b.get(i) ?? '<nothing>' });
    return { plain, rec, differing, dir };
  }

  /** The smallest subset of a differing program's snippets (single snippets first, then all-but-one) that still differs. */
  function narrow(p: Program, mode: Mode): { program: Program; plain: string; recorded: string } | undefined {
    const candidates: Program[] = [];
    p.snippets.forEach((s) => candidates.push({ strict: p.strict, snippets: [s] }));
    if (p.snippets.length > 2) p.snippets.forEach((_, i) => candidates.push({ strict: p.strict, snippets: p.snippets.filter((__, j) => j !== i) }));
    const r = runBatch(candidates, mode, 'narrowing');
    const best = r.differing.sort((x, y) => programSource(candidates[x.index]!).length - programSource(candidates[y.index]!).length)[0];
    return best && { program: candidates[best.index]!, plain: best.plain, recorded: best.recorded };
  }

  const batches: Array<{ seed: number; mode: Mode }> = [];
  for (let i = 0; i < FULL_BATCHES; i++) batches.push({ seed: BASE_SEED + i, mode: 'full' });
  batches.push({ seed: BASE_SEED + 100, mode: 'balanced' }, { seed: BASE_SEED + 200, mode: 'minimal' });

  for (const { seed, mode } of batches) {
    it(`seed ${seed}: ${PER_BATCH} programs, mode ${mode}`, () => {
      const programs = fc.sample(programArb, { seed, numRuns: PER_BATCH });
      const { rec, differing, dir } = runBatch(programs, mode, `seed ${seed}`);
      const problems: string[] = [];
      if (rec.code !== 0) problems.push(`recorded run exited ${rec.code}${rec.signal ? ` (${rec.signal})` : ''}:\n${rec.stderr.slice(0, 3000)}`);
      if (rec.stderr) problems.push(`recorded run wrote to stderr:\n${rec.stderr.slice(0, 3000)}`);
      for (const d of differing.slice(0, 3)) {
        const small = narrow(programs[d.index]!, mode);
        problems.push(`program #${d.index} differs (batch in ${dir}):\n  plain:    ${d.plain.slice(0, 600)}\n  recorded: ${d.recorded.slice(0, 600)}` +
          (small ? `\n  smallest differing version:\n${programSource(small.program)}\n  plain:    ${small.plain.slice(0, 600)}\n  recorded: ${small.recorded.slice(0, 600)}` : '\n  (no smaller version differs on its own)'));
      }
      if (differing.length > 3) problems.push(`... and ${differing.length - 3} more programs differ: ${differing.slice(3).map((d) => `#${d.index}`).join(' ')}`);
      if (!problems.length) {
        const stats = queryStats(join(dir, 'rec'));
        assert.ok(stats.events > 0, 'no events recorded');
      }
      assert.equal(problems.length, 0, `${differing.length}/${programs.length} generated programs differ in mode ${mode}, seed ${seed}:\n${problems.join('\n\n')}`);
    });
  }
});
