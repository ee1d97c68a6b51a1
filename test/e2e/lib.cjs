// Shared plumbing of the e2e harness and `npm run workbench`: tools, building and staging the
// extension, the test workspace, and starting/stopping code-server (the real VS Code workbench).
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');

const REPO = path.resolve(__dirname, '..', '..');
const HOME = process.env.CS_E2E_HOME || '/opt/cs-e2e';
const TOOLS = {
  NODE24: process.env.NODE24 || `${HOME}/node24/node_modules/node/bin/node`,
  CODE_SERVER: process.env.CODE_SERVER || `${HOME}/cs/node_modules/code-server/out/node/entry.js`,
  PLAYWRIGHT_CORE: process.env.PLAYWRIGHT_CORE || `${HOME}/pw/node_modules/playwright-core`,
  CHROMIUM: process.env.CHROMIUM || '/usr/bin/chromium',
};
TOOLS.VSROOT = process.env.VSROOT || path.resolve(path.dirname(TOOLS.CODE_SERVER), '../../lib/vscode');

function checkTools(needBrowser) {
  const missing = Object.entries(TOOLS).filter(([k, p]) => (needBrowser || (k !== 'PLAYWRIGHT_CORE' && k !== 'CHROMIUM')) && !fs.existsSync(p));
  if (missing.length) {
    throw new Error(`e2e tools missing (${missing.map(([k, p]) => `${k}=${p}`).join(', ')}). Run: bash scripts/e2e/install.sh`);
  }
}

const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}
function httpOk(url) {
  return new Promise((res) => {
    const req = http.get(url, (r) => { r.resume(); res(r.statusCode && r.statusCode < 500); });
    req.on('error', () => res(false));
    req.setTimeout(2000, () => { req.destroy(); res(false); });
  });
}
async function waitFor(fn, what, timeoutMs = 60000, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Builds dist/. The full build may fail while other parts are mid-change; then the extension
 * bundle alone is built with the same options so the VS Code side can still be tested.
 * Returns {full: boolean, output: string}.
 */
function build() {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  if (r.status === 0) return { full: true, output: (r.stdout + r.stderr).trim() };
  const e = spawnSync(process.execPath, ['-e', `
    require('esbuild').build({ entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', bundle: true,
      platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning',
      external: ['vscode', 'classic-level', 'level', 'ts-morph', 'typescript'] }).catch(() => process.exit(1));`],
  { cwd: REPO, encoding: 'utf8' });
  if (e.status !== 0) throw new Error(`extension bundle does not build:\n${e.stdout}${e.stderr}`);
  return { full: false, output: (r.stdout + r.stderr).trim().split('\n').slice(0, 12).join('\n') };
}

/** Copies the extension as it would be installed: package.json, dist/, media/, runtime node_modules. */
function stageExtension(extensionsDir) {
  const { runtimeDeps } = require(path.join(REPO, 'scripts', 'e2e', 'runtime-deps.cjs'));
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const dest = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  fs.mkdirSync(dest, { recursive: true });
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (fs.existsSync(path.join(REPO, f))) fs.copyFileSync(path.join(REPO, f), path.join(dest, f));
  }
  for (const d of ['dist', 'media']) fs.cpSync(path.join(REPO, d), path.join(dest, d), { recursive: true, dereference: true });
  const deps = runtimeDeps(REPO).closure;
  for (const name of deps) {
    fs.cpSync(path.join(REPO, 'node_modules', name), path.join(dest, 'node_modules', name), { recursive: true, dereference: true });
  }
  return { dest, deps, id: `${pkg.publisher}.${pkg.name}` };
}

/**
 * The workspace opened in the workbench: a copy of examples/ (when it has content) plus the e2e
 * scenario program, so the checks are deterministic whatever the examples contain.
 */
function makeWorkspace(dir, { launchJson = false, settings = {} } = {}) {
  const scenario = require('./scenario.cjs');
  fs.mkdirSync(dir, { recursive: true });
  const examples = path.join(REPO, 'examples');
  if (fs.existsSync(examples) && fs.readdirSync(examples).length) {
    fs.cpSync(examples, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.elixirscope)([\\/]|$)/.test(src) });
  }
  for (const [rel, text] of Object.entries(scenario.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  if (launchJson) {
    fs.writeFileSync(path.join(dir, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{ type: 'elixirscope', request: 'launch', name: 'ElixirScope: e2e app', program: `\${workspaceFolder}/${scenario.program}` }],
    }, null, 2));
  }
  return { dir, scenario };
}

function writeUserSettings(userData, extra = {}) {
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'editor.hover.delay': 150,
    'debug.toolBarLocation': 'floating',
    'debug.inlineValues': 'on',
    'debug.openDebug': 'openOnDebugBreak',
    'workbench.editor.enablePreview': false,
    'terminal.integrated.gpuAcceleration': 'off', // DOM renderer: a task's output is readable in .xterm-rows
    ...extra,
  }, null, 2));
}

/**
 * Starts code-server in its own process group. Returns {url, port, proc, stop(), logFile}.
 * `trust`: keep workspace trust on (the user settings must enable it too); otherwise every folder is trusted.
 * `name`: distinguishes the config/log files of several servers under one root.
 */
async function startCodeServer({ root, userData, extensionsDir, workspace, env = {}, port, trust = false, name = 'code-server' }) {
  port = port || await freePort();
  const cfg = path.join(root, `${name}.config.yaml`);
  fs.writeFileSync(cfg, 'auth: none\n'); // keeps code-server from writing ~/.config/code-server/config.yaml
  const args = [TOOLS.CODE_SERVER, '--config', cfg, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', userData, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--ignore-last-opened', workspace];
  const logFile = path.join(root, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const proc = spawn(TOOLS.NODE24, args, {
    stdio: ['ignore', out, out],
    env: { ...process.env, VSCODE_PROXY_URI: '', ...env },
    detached: true, // own process group: exthost, ptyhost, language servers, debug adapters die with it
  });
  let exited = null;
  proc.on('exit', (c, s) => { exited = `${c}/${s}`; });
  await waitFor(async () => { if (exited) throw new Error(`code-server exited ${exited}; see ${logFile}`); return httpOk(`http://127.0.0.1:${port}/healthz`); }, 'code-server http', 90000);
  const stop = async () => {
    const alive = () => { try { process.kill(-proc.pid, 0); return true; } catch { return false; } };
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
    await waitFor(() => !alive(), 'server process group exit', 5000, 100).catch(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } });
  };
  return { url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, port, proc, stop, logFile };
}

/** Installs a packaged .vsix the way a user would (code-server --install-extension). */
function installVsix(vsix, extensionsDir, userData) {
  const r = spawnSync(TOOLS.NODE24, [TOOLS.CODE_SERVER, '--extensions-dir', extensionsDir, '--user-data-dir', userData, '--install-extension', path.resolve(vsix)],
    { encoding: 'utf8', env: { ...process.env, VSCODE_PROXY_URI: '' } });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}${r.stderr}`);
  const dirs = fs.readdirSync(extensionsDir).filter((d) => /^elixirscope\.elixirscope-/.test(d));
  return { dest: path.join(extensionsDir, dirs[0] || ''), deps: [], id: 'elixirscope.elixirscope' };
}

function tmpRoot(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

module.exports = { REPO, TOOLS, checkTools, log, freePort, httpOk, waitFor, build, stageExtension, installVsix, makeWorkspace, writeUserSettings, startCodeServer, tmpRoot };
