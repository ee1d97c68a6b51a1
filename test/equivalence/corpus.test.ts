/**
 * Semantic equivalence over real third-party code: every corpus library (vendored into one
 * workspace so that it is instrumented, see bench/corpus/vendor.js) runs under its deterministic
 * driver plainly and under `elixirscope record --mode full`; stdout, stderr and the exit code must
 * be identical, the recording must hold events, and the library's own files must have been
 * instrumented and run. Prints how much of each library ran (statement and function coverage).
 *
 * ES_EQ_SCALE (default 0.003) sets the drivers' CORPUS_SCALE; ES_EQ_PACKAGES (comma-separated)
 * restricts the packages (add "typescript" to include the compiler, slow to instrument).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp';
import { coverage, firstDifference, pct, queryStats, ROOT, runPlain, runRecorded, sumCoverage, type FileCoverage } from './run';

interface VendoredPackage { name: string; version: string; dir: string; files: string[]; lines: number; bytes: number; driver: boolean }
interface Corpus { root: string; packages: VendoredPackage[]; drivers: Record<string, string> }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const vendor = require(join(ROOT, 'bench', 'corpus', 'vendor.js')) as { prepareCorpus(dest: string, o?: { packages?: string[] }): Corpus; DEFAULT_PACKAGES: string[] };

const SCALE = process.env.ES_EQ_SCALE ?? '0.003';
const PACKAGES = process.env.ES_EQ_PACKAGES ? process.env.ES_EQ_PACKAGES.split(',') : vendor.DEFAULT_PACKAGES;

describe('equivalence: real libraries recorded in full mode behave exactly as plain node', function () {
  this.timeout(600000);
  let corpus: Corpus;
  let recordings: string;
  const rows: string[] = [];

  before(() => {
    const dir = tempDir('es-corpus-');
    corpus = vendor.prepareCorpus(join(dir, 'corpus'), { packages: PACKAGES });
    recordings = join(dir, 'recordings');
  });

  after(() => {
    if (!rows.length) return;
    console.log(`\n      coverage at CORPUS_SCALE=${SCALE} (statement sites that ran / all statement sites of the package's files; functions called / all):`);
    for (const r of rows) console.log(`      ${r}`);
  });

  for (const pkg of PACKAGES) {
    it(`${pkg}: same stdout, stderr and exit code; library instrumented and run`, async () => {
      const program = join('drivers', `${pkg}.js`);
      const env = { CORPUS_SCALE: SCALE };
      const plain = runPlain(program, corpus.root, env);
      assert.equal(plain.code, 0, `plain run of ${pkg} failed:\n${plain.stderr}`);
      const out = join(recordings, pkg);
      const rec = runRecorded(program, corpus.root, out, 'full', env);
      assert.equal(rec.stdout, plain.stdout, `${pkg}: stdout differs at ${firstDifference(plain.stdout, rec.stdout)}\nstderr:\n${rec.stderr.slice(0, 2000)}`);
      assert.equal(rec.stderr, plain.stderr, `${pkg}: stderr differs at ${firstDifference(plain.stderr, rec.stderr)}`);
      assert.equal(rec.code, plain.code, `${pkg}: exit code`);
      assert.equal(rec.signal, plain.signal, `${pkg}: signal`);

      const stats = queryStats(out);
      assert.ok(stats.events > 0, `${pkg}: no events recorded`);
      assert.equal(stats.complete, true, `${pkg}: recording incomplete`);
      // The driver, its helper and at least one file of the library.
      assert.ok(stats.files >= 3, `${pkg}: only ${stats.files} files recorded (the library was not instrumented?)`);

      const cov: FileCoverage[] = await coverage(out, join(corpus.root, '.elixirscope', 'build', 'full', 'manifest.json'));
      const lib = sumCoverage(cov, `/vendor/${pkg}/`);
      assert.ok(lib.files > 0, `${pkg}: no vendored file in the build manifest`);
      assert.ok(lib.loaded > 0, `${pkg}: no vendored file of ${pkg} was loaded in the recording`);
      assert.ok(lib.statementsRan > 0, `${pkg}: no statement of ${pkg} ran`);
      const deps = corpus.packages.filter((p) => !p.driver && pkg === 'markdown-it').map((p) => {
        const d = sumCoverage(cov, `/vendor/${p.name}/`);
        return `${p.name} ${d.statementsRan}/${d.statements}`;
      });
      rows.push(`${pkg.padEnd(12)} statements ${String(lib.statementsRan).padStart(6)}/${String(lib.statements).padEnd(6)} ${pct(lib.statementsRan, lib.statements).padStart(6)}` +
        `  functions ${String(lib.functionsCalled).padStart(5)}/${String(lib.functions).padEnd(5)} ${pct(lib.functionsCalled, lib.functions).padStart(6)}` +
        `  files ${lib.loaded}/${lib.files}  events ${stats.events}  dropped ${stats.dropped}  plain ${plain.ms} ms, recorded ${rec.ms} ms` +
        (deps.length ? `  (deps: ${deps.join(', ')})` : ''));
    });
  }
});
