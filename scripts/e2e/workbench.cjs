#!/usr/bin/env node
// `npm run workbench`: a real VS Code workbench (code-server) with ElixirScope installed, opened on
// examples/ (the repository folder itself, so edits are real), for trying the extension by hand.
// Prints the URL and runs until Ctrl+C. Needs `bash scripts/e2e/install.sh` once.
// Env: PORT (default: a free port), ADAPTER=fake (scripted adapter), EXT_VSIX=x.vsix (install a package),
//      WORKSPACE (folder to open; default examples/), WORKBENCH_HOME (state dir; default /tmp/elixirscope-workbench).
'use strict';
const fs = require('fs');
const path = require('path');
const lib = require('../../test/e2e/lib.cjs');

(async () => {
  lib.checkTools(false);
  const b = lib.build();
  if (!b.full) console.warn(`warning: the full build failed, only the extension bundle was rebuilt:\n${b.output}\n`);
  const home = process.env.WORKBENCH_HOME || path.join(require('os').tmpdir(), 'elixirscope-workbench');
  const userData = path.join(home, 'user-data');
  const extensionsDir = path.join(home, 'extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (!fs.existsSync(path.join(userData, 'User', 'settings.json'))) lib.writeUserSettings(userData, { 'security.workspace.trust.enabled': true });
  const staged = process.env.EXT_VSIX ? lib.installVsix(process.env.EXT_VSIX, extensionsDir, userData) : lib.stageExtension(extensionsDir);
  let ws = process.env.WORKSPACE ? path.resolve(process.env.WORKSPACE) : path.join(lib.REPO, 'examples');
  if (!fs.existsSync(ws) || !fs.readdirSync(ws).length) {
    ws = path.join(home, 'workspace');
    lib.makeWorkspace(ws);
    console.warn(`examples/ is empty: opening a generated workspace ${ws}`);
  }
  const env = process.env.ADAPTER === 'fake' ? { ELIXIRSCOPE_ADAPTER: path.join(lib.REPO, 'test', 'e2e', 'fake-adapter.cjs') } : {};
  const server = await lib.startCodeServer({ root: home, userData, extensionsDir, workspace: ws, env, port: process.env.PORT ? Number(process.env.PORT) : undefined });
  console.log(`ElixirScope ${staged.id} installed in ${staged.dest}`);
  console.log(`code-server log: ${server.logFile}`);
  console.log(`\n  Open: ${server.url}\n\n(Ctrl+C to stop)`);
  const stop = async () => { await server.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.proc.on('exit', (c) => { console.log(`code-server exited (${c})`); process.exit(c || 0); });
})().catch((e) => { console.error(e.message || e); process.exit(1); });
