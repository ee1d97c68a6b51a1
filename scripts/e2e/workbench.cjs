#!/usr/bin/env node
// `npm run workbench`: a real VS Code workbench (code-server) with ElixirScope installed, opened on
// examples/ (the repository folder itself, so edits are real), for trying the extension by hand.
// Prints the URL and runs until Ctrl+C. Needs `bash scripts/e2e/install.sh` once.
// Workspace trust is on, as in a normal VS Code: the first time a folder is opened, VS Code asks whether
// you trust its authors. "Yes, I trust the authors" lets ElixirScope record and debug (the choice is kept
// in WORKBENCH_HOME, so it is asked once); "No" opens Restricted Mode, where nothing is instrumented or run
// and Open Recording… shows an existing recording read-only.
// Env: PORT (default: a free port), ADAPTER=fake (scripted adapter), EXT_VSIX=x.vsix (install a package),
//      WORKSPACE (folder to open; default examples/), WORKBENCH_HOME (state dir; default /tmp/elixirscope-workbench),
//      SKIP_BUILD=1 (use dist/ as it is).
'use strict';
const fs = require('fs');
const path = require('path');
const lib = require('../../test/e2e/lib.cjs');

(async () => {
  lib.checkTools(false);
  const b = process.env.SKIP_BUILD ? { full: true } : lib.build();
  if (!b.full) console.warn(`warning: the full build failed, only the extension bundle was rebuilt:\n${b.output}\n`);
  const home = process.env.WORKBENCH_HOME || path.join(require('os').tmpdir(), 'elixirscope-workbench');
  const userData = path.join(home, 'user-data');
  const extensionsDir = path.join(home, 'extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const settings = path.join(userData, 'User', 'settings.json');
  // Trust on, and asked as a dialog when an untrusted folder opens: with the default startup prompt ("once")
  // the web workbench opens the folder in Restricted Mode with only a banner, easy to miss.
  const trust = { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' };
  if (!fs.existsSync(settings)) lib.writeUserSettings(userData, trust);
  else {
    // a state dir from an older version had trust turned off: turn it back on, keep the rest
    try {
      const s = JSON.parse(fs.readFileSync(settings, 'utf8'));
      if (s['security.workspace.trust.enabled'] === false || !s['security.workspace.trust.startupPrompt']) {
        fs.writeFileSync(settings, JSON.stringify({ ...s, ...trust }, null, 2));
      }
    } catch { /* hand-edited (comments): leave it as the user wrote it */ }
  }
  const staged = process.env.EXT_VSIX ? lib.installVsix(process.env.EXT_VSIX, extensionsDir, userData) : lib.stageExtension(extensionsDir);
  let ws = process.env.WORKSPACE ? path.resolve(process.env.WORKSPACE) : path.join(lib.REPO, 'examples');
  if (!fs.existsSync(ws) || !fs.readdirSync(ws).length) {
    ws = path.join(home, 'workspace');
    lib.makeWorkspace(ws);
    console.warn(`examples/ is empty: opening a generated workspace ${ws}`);
  }
  const env = process.env.ADAPTER === 'fake' ? { ELIXIRSCOPE_ADAPTER: path.join(lib.REPO, 'test', 'e2e', 'fake-adapter.cjs') } : {};
  const server = await lib.startCodeServer({ root: home, userData, extensionsDir, workspace: ws, env, port: process.env.PORT ? Number(process.env.PORT) : undefined, trust: true });
  console.log(`ElixirScope ${staged.id} installed in ${staged.dest}`);
  console.log(`code-server log: ${server.logFile}`);
  console.log(`\n  Open: ${server.url}\n`);
  console.log(`VS Code asks once whether you trust the authors of ${ws}: "Yes" to record and debug,`);
  console.log('"No" for Restricted Mode (nothing runs; Open Recording… shows a recording read-only).\n\n(Ctrl+C to stop)');
  const stop = async () => { await server.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.proc.on('exit', (c) => { console.log(`code-server exited (${c})`); process.exit(c || 0); });
})().catch((e) => { console.error(e.message || e); process.exit(1); });
