#!/usr/bin/env node
// `npm run package`: build dist/, package the extension with @vscode/vsce, then check the .vsix:
// under the size cap, contains dist/*.js + media/ + every runtime dependency the bundles require
// (scripts/e2e/runtime-deps.cjs), and none of the sources/tests. Output: elixirscope-<version>.vsix.
// Env: VSIX_MAX_BYTES (default 5 MB), VSCE (command to run vsce; default node_modules/.bin/vsce, else npx).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { runtimeDeps } = require('./runtime-deps.cjs');

const REPO = path.resolve(__dirname, '..', '..');
const MAX = Number(process.env.VSIX_MAX_BYTES || 5 * 1024 * 1024);
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const out = path.join(REPO, `${pkg.name}-${pkg.version}.vsix`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit', ...opts });
  if (r.status !== 0) { console.error(`${cmd} ${args.join(' ')} failed (${r.status})`); process.exit(r.status || 1); }
  return r;
}

run(process.execPath, ['scripts/build.mjs']);
const localVsce = path.join(REPO, 'node_modules', '.bin', 'vsce');
const vsceArgs = ['package', '--out', out, '--skip-license', '--allow-missing-repository', '--no-update-package-json', '--no-rewrite-relative-links'];
if (process.env.VSCE) run('sh', ['-c', `${process.env.VSCE} ${vsceArgs.join(' ')}`], { stdio: ['ignore', 'inherit', 'inherit'] });
else if (fs.existsSync(localVsce)) run(localVsce, vsceArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
else run('npx', ['--yes', '@vscode/vsce@3', ...vsceArgs], { stdio: ['ignore', 'inherit', 'inherit'] });

// ---- check the result
const size = fs.statSync(out).size;
const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
if (list.status !== 0) { console.error('unzip -Z1 failed: cannot list the .vsix'); process.exit(1); }
const files = list.stdout.trim().split('\n').map((f) => f.replace(/^extension\//, ''));
const problems = [];
if (size > MAX) problems.push(`size ${size} B > ${MAX} B`);
for (const f of ['package.json', 'dist/extension.js', 'dist/adapter.js', 'dist/server.js', 'media/timeline.js', 'media/timeline.css']) {
  if (!files.includes(f)) problems.push(`missing ${f}`);
}
// `level` depends on browser-level for its "browser" field only; Node resolves level -> classic-level.
const BROWSER_ONLY = new Set(['browser-level']);
for (const dep of runtimeDeps(REPO).closure.filter((d) => !BROWSER_ONLY.has(d))) {
  if (!files.includes(`node_modules/${dep}/package.json`)) problems.push(`missing runtime dependency ${dep}`);
}
if (!files.some((f) => /^node_modules\/classic-level\/prebuilds\/linux-x64\//.test(f))) problems.push('missing classic-level linux-x64 prebuild');
const leaked = files.filter((f) => /^(extension|adapter|instrumenter|runtime|protocol|cli|server|test|scripts|out)\//.test(f) || /\.map$/.test(f));
if (leaked.length) problems.push(`sources/tests in the package: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ' …' : ''}`);

const byTop = {};
for (const f of files) { const k = f.startsWith('node_modules/') ? f.split('/').slice(0, f.split('/')[1].startsWith('@') ? 3 : 2).join('/') : f.split('/')[0]; byTop[k] = (byTop[k] || 0) + 1; }
console.log(`\n${path.relative(REPO, out)}: ${(size / 1024 / 1024).toFixed(2)} MB, ${files.length} files`);
console.log(Object.entries(byTop).map(([k, n]) => `  ${k} (${n})`).join('\n'));
if (problems.length) { console.error(`\nPACKAGE CHECK FAILED:\n  ${problems.join('\n  ')}`); process.exit(1); }
console.log('package check: ok');
