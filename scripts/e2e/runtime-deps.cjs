#!/usr/bin/env node
// Which node_modules packages the bundles in dist/ need at run time: the bare `require("x")` calls
// left in dist/*.js by esbuild (its externals), plus their production dependency closure.
// Used by the e2e harness (to stage the extension) and by scripts/e2e/package.cjs (to check the .vsix).
// Usage: node scripts/e2e/runtime-deps.cjs [repoDir]   -> prints one package name per line
'use strict';
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');

const BUILTIN = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'vscode']);

function bareRequires(code) {
  const out = new Set();
  const re = /\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g;
  let m;
  while ((m = re.exec(code))) {
    const spec = m[1];
    if (BUILTIN.has(spec) || spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    out.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return out;
}

/** @returns {{roots: Map<string,string[]>, closure: string[]}} roots: bundle -> bare requires */
function runtimeDeps(repo = path.join(__dirname, '..', '..')) {
  const dist = path.join(repo, 'dist');
  const roots = new Map();
  const want = new Set();
  for (const f of fs.existsSync(dist) ? fs.readdirSync(dist) : []) {
    if (!f.endsWith('.js')) continue;
    const r = [...bareRequires(fs.readFileSync(path.join(dist, f), 'utf8'))];
    roots.set(f, r);
    r.forEach((x) => want.add(x));
  }
  const closure = new Set();
  const stack = [...want];
  while (stack.length) {
    const name = stack.pop();
    if (closure.has(name)) continue;
    const pj = path.join(repo, 'node_modules', name, 'package.json');
    if (!fs.existsSync(pj)) continue; // optional dependency not installed here
    closure.add(name);
    const pkg = JSON.parse(fs.readFileSync(pj, 'utf8'));
    for (const d of Object.keys({ ...(pkg.dependencies || {}), ...(pkg.optionalDependencies || {}) })) stack.push(d);
  }
  return { roots, closure: [...closure].sort() };
}

module.exports = { runtimeDeps, bareRequires };
if (require.main === module) {
  const { roots, closure } = runtimeDeps(process.argv[2]);
  for (const [f, r] of roots) console.error(`${f}: ${r.join(', ') || '(none)'}`);
  console.log(closure.join('\n'));
}
