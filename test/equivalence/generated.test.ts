/**
 * Semantic equivalence over generated programs (fast-check): many small programs, batched as
 * functions into one file per seed, run plainly and under `elixirscope record`; every program's
 * printed output must be identical. A program that differs is narrowed down to the smallest set
 * of its snippets that still differs (one more recording), and the assertion shows its source.
 *
 * ES_EQ_SEED overrides the base seed; ES_EQ_BATCHES the number of full-mode batches (default 2).
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
const FULL_BATCHES = Number(process.env.ES_EQ_BATCHES ?? 2);
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

  /**
   * Narrows every differing program at once (one more recording): each of its snippets alone, and
   * (for 3+ snippets) all but one. Returns, per snippet kind that differs on its own, the smallest
   * differing program; programs where no single snippet differs are returned as they are.
   */
  function narrow(programs: Program[], differing: Array<{ index: number; plain: string; recorded: string }>, mode: Mode) {
    const candidates: Array<{ from: number; p: Program }> = [];
    for (const d of differing) {
      const p = programs[d.index]!;
      p.snippets.forEach((x) => candidates.push({ from: d.index, p: { strict: p.strict, snippets: [x] } }));
      if (p.snippets.length > 2) p.snippets.forEach((_, i) => candidates.push({ from: d.index, p: { strict: p.strict, snippets: p.snippets.filter((__, j) => j !== i) } }));
    }
    const r = runBatch(candidates.map((c) => c.p), mode, 'narrowing');
    const byKind = new Map<string, { program: Program; plain: string; recorded: string; programs: Set<number> }>();
    const explained = new Set<number>();
    for (const d of r.differing) {
      const c = candidates[d.index]!;
      if (c.p.snippets.length !== 1) continue;
      const kind = c.p.snippets[0]!.kind;
      explained.add(c.from);
      const seen = byKind.get(kind);
      if (!seen) byKind.set(kind, { program: c.p, plain: d.plain, recorded: d.recorded, programs: new Set([c.from]) });
      else {
        seen.programs.add(c.from);
        if (programSource(c.p).length < programSource(seen.program).length) Object.assign(seen, { program: c.p, plain: d.plain, recorded: d.recorded });
      }
    }
    const unexplained = differing.filter((d) => !explained.has(d.index));
    return { byKind, unexplained };
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
      if (differing.length) {
        const { byKind, unexplained } = narrow(programs, differing, mode);
        for (const [kind, k] of byKind) {
          problems.push(`snippet "${kind}" differs on its own (programs ${[...k.programs].map((i) => `#${i}`).join(' ')}); smallest:\n${programSource(k.program)}\n  plain:    ${k.plain.slice(0, 600)}\n  recorded: ${k.recorded.slice(0, 600)}`);
        }
        for (const d of unexplained.slice(0, 3)) {
          problems.push(`program #${d.index} differs but none of its snippets alone does (batch in ${dir}):\n${programSource(programs[d.index]!)}\n  plain:    ${d.plain.slice(0, 600)}\n  recorded: ${d.recorded.slice(0, 600)}`);
        }
        if (unexplained.length > 3) problems.push(`... and ${unexplained.length - 3} more such programs: ${unexplained.slice(3).map((d) => `#${d.index}`).join(' ')}`);
      }
      if (!problems.length) {
        const stats = queryStats(join(dir, 'rec'));
        assert.ok(stats.events > 0, 'no events recorded');
      }
      assert.equal(problems.length, 0, `${differing.length}/${programs.length} generated programs differ in mode ${mode}, seed ${seed}:\n${problems.join('\n\n')}`);
    });
  }
});
