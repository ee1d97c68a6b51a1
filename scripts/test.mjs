// The test command: build the bundles, type-check and compile the tests, run mocha, then the
// real-workbench e2e steps when their toolchain is installed (bash scripts/e2e/install.sh),
// and print the one line CI counts: "N passed, N failed".
// Usage: node scripts/test.mjs [--grep PATTERN] [--no-e2e] [test/part ...]   (default: everything)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv.splice(grepAt, 2)[1] : undefined;
const noE2e = argv.includes('--no-e2e') || argv.length > 0;
const roots = argv.filter((a) => !a.startsWith('--'));
const E2E_ENV = join(process.env.CS_E2E_HOME ?? '/opt/cs-e2e', 'env.sh');

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) { console.log('0 passed, 1 failed'); process.exit(r.status ?? 1); }
}

run(process.execPath, ['scripts/build.mjs']);
rmSync('out', { recursive: true, force: true });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return dir.endsWith('.test.js') ? [dir] : [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? findTests(p) : name.endsWith('.test.js') ? [p] : [];
  });
}
const files = (roots.length ? roots : ['test']).flatMap((r) => findTests(join('out', r.replace(/\.ts$/, '.js')))).sort();
const countFile = join(tmpdir(), `elixirscope-counts-${process.pid}.json`);
const mocha = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', '--reporter', 'scripts/mocha-counting-reporter.cjs', '--timeout', '120000', ...(grep ? ['--grep', grep] : []), ...files], {
  stdio: 'inherit', env: { ...process.env, MOCHA_COUNT_FILE: countFile },
});
const counts = existsSync(countFile) ? JSON.parse(readFileSync(countFile, 'utf8')) : { passed: 0, failed: 1, skipped: 0 };
rmSync(countFile, { force: true });
if (mocha.status !== 0 && counts.failed === 0) counts.failed = 1; // mocha itself failed (a crash, not a test)

if (!noE2e && !grep) {
  if (existsSync(E2E_ENV)) {
    console.log('\nReal VS Code workbench (code-server + chromium):');
    const e2eEnv = Object.fromEntries([...readFileSync(E2E_ENV, 'utf8').matchAll(/^export (\w+)="?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]));
    const e2e = spawnSync(process.execPath, ['test/e2e/run-e2e.cjs'], { env: { ...process.env, ...e2eEnv, SKIP_BUILD: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const out = e2e.stdout ?? '';
    process.stdout.write(out.replace(/^(\d+) passed, (\d+) failed.*$/m, 'e2e: $&'));
    const m = /^(\d+) passed, (\d+) failed/m.exec(out);
    counts.passed += m ? Number(m[1]) : 0;
    counts.failed += m ? Number(m[2]) : 1;
  } else {
    console.log(`\ne2e: skipped — the workbench toolchain is not installed (bash scripts/e2e/install.sh; looked for ${E2E_ENV})`);
  }
}
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed ? 1 : 0);
