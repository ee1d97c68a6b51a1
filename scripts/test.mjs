// The test command: build the bundles, type-check and compile the tests, run mocha,
// then print the one line CI counts: "N passed, N failed".
// Usage: node scripts/test.mjs [--grep PATTERN] [test/part ...]   (default: all unit+integration tests)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv.splice(grepAt, 2)[1] : undefined;
const roots = argv.length ? argv : ['test'];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) { console.log('0 passed, 1 failed'); process.exit(r.status ?? 1); }
}

run(process.execPath, ['scripts/build.mjs']);
rmSync('out', { recursive: true, force: true });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.']);

function findTests(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) found = found.concat(findTests(p));
    else if (name.endsWith('.test.js')) found.push(p);
  }
  return found;
}
const files = roots.flatMap((r) => findTests(join('out', r.replace(/\.ts$/, '.js')))).sort();
const mochaArgs = ['node_modules/mocha/bin/mocha.js', '--reporter', 'scripts/mocha-counting-reporter.cjs', '--timeout', '60000', ...(grep ? ['--grep', grep] : []), ...files];
const r = spawnSync(process.execPath, mochaArgs, { stdio: 'inherit' });
process.exit(r.status ?? 1);
