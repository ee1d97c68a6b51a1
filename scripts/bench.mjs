// npm run bench: slowdown of recording against plain node on the real-code corpus, measured in
// the same run (interleaved repetitions, medians, geometric means), and the instrumenter's speed.
//
// usage: node scripts/bench.mjs [--reps N] [--only pkg[,pkg]] [--modes minimal,balanced,full]
//                               [--scale S] [--dir DIR] [--json FILE] [--timeout SECONDS] [--typescript] [--no-build-bench] [--no-snapshot]
//
// Method (see ../shared/perf-floor.md): the corpus (bench/corpus) is vendored into one workspace so
// the libraries themselves are instrumented; every mode is built and recorded once as a warm-up
// (instrumentation time is excluded from the timed runs); then per driver, N repetitions each of
// plain `node driver` and `elixirscope record --quiet --mode M`, interleaved in a rotating order.
// Times are wall-clock spawn-to-exit of the whole command (for record: CLI start, build-cache
// check, program, draining, closing the store). Peak RSS is each process's VmHWM sampled from
// /proc every 20 ms (program = the recorded node process; recorder = the CLI process).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, readdirSync, copyFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
let cli = join(root, 'bin', 'elixirscope.js');

// ---------------------------------------------------------------------------------------------
// Options
const argv = process.argv.slice(2);
function opt(name, fallback) {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const v = argv[at + 1];
  if (v === undefined || v.startsWith('--')) { console.error(`${name} needs a value`); process.exit(2); }
  return v;
}
const flag = (name) => argv.includes(name);
const REPS = Number(opt('--reps', '5'));
const SCALE = opt('--scale', process.env.CORPUS_SCALE ?? '1');
const MODES = opt('--modes', 'minimal,balanced,full').split(',');
const TIMEOUT_MS = Number(opt('--timeout', '900')) * 1000;
const DIR = resolve(opt('--dir', join(tmpdir(), 'elixirscope-bench-corpus')));
const JSON_OUT = resolve(opt('--json', join(root, 'bench', 'results', 'latest.json')));
const vendor = require(join(root, 'bench', 'corpus', 'vendor.js'));
const PACKAGES = opt('--only', undefined)?.split(',') ?? (flag('--typescript') ? [...vendor.DEFAULT_PACKAGES, 'typescript'] : vendor.DEFAULT_PACKAGES);
if (!(REPS >= 1)) { console.error('--reps must be at least 1'); process.exit(2); }

const log = (s = '') => process.stdout.write(s + '\n');
const median = (xs) => { const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b); if (!s.length) return NaN; const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const geomean = (xs) => { const v = xs.filter((x) => Number.isFinite(x) && x > 0); return v.length ? Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length) : NaN; };
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const fmtBig = (x) => (!Number.isFinite(x) ? '-' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : String(Math.round(x)));
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)}` : '-');

function table(headers, rows, right = headers.map((_, i) => i > 0)) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (right[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  log(line(headers));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
}

// ---------------------------------------------------------------------------------------------
// Running a command and sampling peak RSS of it and of its node child
const HAVE_PROC = existsSync('/proc/self/status');
function vmHWM(pid) {
  try { const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8')); return m ? Number(m[1]) : undefined; } catch { return undefined; }
}
function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch { return []; }
}

/** Spawns `node args` in `cwd`; resolves { ms, code, signal, stdout, stderr, rssKb, childRssKb }. */
function measure(args, cwd, env) {
  return new Promise((resolveRun) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    let rss; let childRss; const kids = new Set();
    const sample = () => {
      const r = vmHWM(child.pid); if (r !== undefined) rss = Math.max(rss ?? 0, r);
      for (const k of childrenOf(child.pid)) kids.add(k);
      for (const k of kids) { const c = vmHWM(k); if (c !== undefined) childRss = Math.max(childRss ?? 0, c); }
    };
    const timer = HAVE_PROC ? setInterval(sample, 20) : undefined;
    const killer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('exit', () => { /* stdio may still be flushing */ });
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearInterval(timer); clearTimeout(killer);
      resolveRun({ ms, code, signal, stdout, stderr, rssKb: rss, childRssKb: childRss });
    });
  });
}

function queryStats(dir) {
  return JSON.parse(execFileSync(process.execPath, [cli, 'query', dir, 'stats', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

// ---------------------------------------------------------------------------------------------
// 1. Build the bundles if needed, prepare the corpus
if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'runtime.js'))) {
  log('dist/ is missing: building');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
}
// A private copy of the built CLI/runtime, so a rebuild of dist/ during the run (others working in
// the same checkout) cannot mix two versions in one run set. --no-snapshot uses dist/ directly.
if (!flag('--no-snapshot')) {
  const snap = `${DIR}-dist`;
  rmSync(snap, { recursive: true, force: true });
  mkdirSync(join(snap, 'dist'), { recursive: true });
  mkdirSync(join(snap, 'bin'));
  for (const f of readdirSync(join(root, 'dist'))) copyFileSync(join(root, 'dist', f), join(snap, 'dist', f));
  copyFileSync(join(root, 'bin', 'elixirscope.js'), join(snap, 'bin', 'elixirscope.js'));
  writeFileSync(join(snap, 'package.json'), JSON.stringify({ name: 'elixirscope', private: true, note: 'bench snapshot of dist/' }) + '\n');
  symlinkSync(join(root, 'node_modules'), join(snap, 'node_modules'), 'dir');
  cli = join(snap, 'bin', 'elixirscope.js');
}
rmSync(DIR, { recursive: true, force: true });
const corpus = vendor.prepareCorpus(DIR, { packages: PACKAGES });
const env = { CORPUS_SCALE: SCALE };
const started = new Date();
log(`ElixirScope benchmark — ${started.toISOString()}  node ${process.version}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
log(`corpus: ${corpus.packages.map((p) => `${p.name}@${p.version}`).join(', ')}`);
log(`workspace ${DIR}, CORPUS_SCALE=${SCALE}, ${REPS} repetitions, modes ${MODES.join(', ')}`);
let head = '?'; try { head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
log(`commit ${head}, CLI ${cli}`);
mkdirSync(dirname(JSON_OUT), { recursive: true });
const results = { date: started.toISOString(), node: process.version, cores: cpus().length, loadavgStart: loadavg(), scale: Number(SCALE), reps: REPS, modes: MODES, packages: corpus.packages.map(({ name, version, lines, bytes, files }) => ({ name, version, lines, bytes, files: files.length })), instrumentation: {}, programs: {}, geomean: {} };

// ---------------------------------------------------------------------------------------------
// 2. Instrumentation speed (instrumenter/bench.ts benchBuild, bundled here with esbuild)
async function loadInstrumenter() {
  const esbuild = await import('esbuild');
  const outfile = join(root, 'bench', '.work', 'instrumenter-bench.cjs');
  mkdirSync(join(root, 'bench', '.work'), { recursive: true });
  const hasBench = existsSync(join(root, 'instrumenter', 'bench.ts')) && /export\s+(async\s+)?function\s+benchBuild/.test(readFileSync(join(root, 'instrumenter', 'bench.ts'), 'utf8'));
  const contents = `${hasBench ? "export { benchBuild } from './instrumenter/bench';\n" : ''}export { buildWorkspace } from './instrumenter/build';\n`;
  await esbuild.build({ stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, external: ['ts-morph', 'typescript'], logLevel: 'warning' });
  return require(outfile);
}

if (!flag('--no-build-bench')) {
  log('\n== Instrumentation (whole vendored corpus + drivers, one workspace) ==');
  try {
    const inst = await loadInstrumenter();
    const rows = [];
    const outDir = join(DIR, '.elixirscope', 'build');
    const edit = async (file, mode) => {
      const original = readFileSync(file);
      appendFileSync(file, '\n// bench edit\n');
      try { return await inst.buildWorkspace({ root: DIR, outDir, mode }); } finally { writeFileSync(file, original); }
    };
    const bigFile = corpus.packages.flatMap((p) => p.files).filter((f) => /\.c?js$/.test(f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
    for (const mode of MODES) {
      // Cold: the workspace's own build folder is empty (fresh corpus), as on a user's first record.
      const cold = await inst.buildWorkspace({ root: DIR, outDir, mode });
      const files = Object.keys(cold.manifest.files);
      const lines = files.reduce((a, f) => a + readFileSync(f, 'utf8').split('\n').length, 0);
      const noChange = await inst.buildWorkspace({ root: DIR, outDir, mode });
      const driverEdit = await edit(corpus.drivers[PACKAGES[0]], mode);
      const bigEdit = await edit(bigFile, mode);
      await inst.buildWorkspace({ root: DIR, outDir, mode }); // back to the unedited files (their outputs are cached)
      const r = { files: files.length, lines, coldMs: cold.ms, built: cold.built, filesPerSec: files.length / (cold.ms / 1000), linesPerSec: lines / (cold.ms / 1000), noChangeMs: noChange.ms, driverEditMs: driverEdit.ms, driverEditBuilt: driverEdit.built, bigFile, bigFileEditMs: bigEdit.ms, errors: cold.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`) };
      results.instrumentation[mode] = r;
      rows.push([mode, r.files, r.lines, fmt(r.coldMs), fmt(r.filesPerSec, 1), fmt(r.linesPerSec), fmt(r.noChangeMs), fmt(r.driverEditMs), fmt(r.bigFileEditMs), cold.errors.length]);
      for (const e of cold.errors.slice(0, 5)) log(`  build error (${mode}): ${e.file}:${e.line}:${e.column}: ${e.message}`);
    }
    table(['mode', 'files', 'lines', 'cold ms', 'files/s', 'lines/s', 'no-change ms', 'driver edit ms', 'largest-file edit ms', 'errors'], rows, [false, true, true, true, true, true, true, true, true, true]);
    log(`(buildWorkspace on the workspace build folder; driver edit = drivers/${PACKAGES[0]}.js, largest file = ${bigFile.slice(DIR.length + 1)})`);
    if (inst.benchBuild && MODES.includes('full')) {
      const b = await inst.benchBuild(DIR, 'full');
      results.instrumentation.benchBuild = b;
      log(`instrumenter/bench.ts benchBuild(full): ${b.files} files, ${b.lines} lines, cold ${fmt(b.coldMs)} ms (${fmt(b.lines / (b.coldMs / 1000))} lines/s), one-file rebuild ${fmt(b.incrementalMs)} ms (${b.built} rebuilt), ${b.errors} errors`);
    }
  } catch (err) {
    log(`instrumentation benchmark unavailable: ${err.stack ?? err.message}`);
    results.instrumentation.error = String(err.message ?? err);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Warm-up: one recording per mode (builds the workspace's build folder; excluded from timings)
log('\n== Warm-up ==');
const warm = join(DIR, 'warmup.js');
writeFileSync(warm, "'use strict';\nlet s = 0;\nfor (let i = 0; i < 1000; i++) s += i;\nconsole.log('warm', s);\n");
const recDir = join(DIR, '.bench-recordings');
const working = {};
for (const mode of MODES) {
  const out = join(recDir, `warmup-${mode}`);
  const r = await measure([cli, 'record', '--mode', mode, '--out', out, '--', warm], DIR, env);
  const ok = r.code === 0 && r.stdout === 'warm 499500\n';
  working[mode] = ok;
  const built = /instrumented (\d+) files \((\d+) rebuilt\) in (\d+) ms/.exec(r.stderr);
  log(`  ${mode.padEnd(8)} ${ok ? 'ok' : 'FAILED'} in ${fmt(r.ms)} ms${built ? ` (build: ${built[1]} files, ${built[2]} rebuilt, ${built[3]} ms)` : ''}${ok ? '' : `\n${r.stderr.split('\n').slice(-15).join('\n')}`}`);
  rmSync(out, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// 4. Interleaved runs per driver
const configs = ['plain', ...MODES];
// "(startup)" records the trivial warm-up program the same way: the fixed cost of a run (node and
// CLI start, build-cache check, store open/close), shown separately and subtracted in "ratio-fixed".
const STARTUP = '(startup)';
const callBudgets = new Map(); // mode -> the call budget its recordings had (query stats)
for (const pkg of [STARTUP, ...PACKAGES]) {
  const program = pkg === STARTUP ? 'warmup.js' : join('drivers', `${pkg}.js`);
  const runs = Object.fromEntries(configs.map((c) => [c, []]));
  const stats = Object.fromEntries(MODES.map((m) => [m, []]));
  const problems = [];
  let expected;
  log(`\n== ${pkg} ==`);
  for (let rep = 0; rep < REPS; rep++) {
    const order = configs.map((_, i) => configs[(i + rep) % configs.length]);
    for (const c of order) {
      if (c !== 'plain' && !working[c]) continue;
      const out = join(recDir, `${pkg === STARTUP ? 'startup' : pkg}-${c}-${rep}`);
      const r = c === 'plain' ? await measure([program], DIR, env) : await measure([cli, 'record', '--quiet', '--mode', c, '--out', out, '--', program], DIR, env);
      runs[c].push(r);
      if (c === 'plain' && expected === undefined) expected = r.stdout;
      if (r.code !== 0 || r.signal) problems.push(`${c} rep ${rep}: exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}${r.signal === 'SIGKILL' ? ` (timeout ${TIMEOUT_MS / 1000}s)` : ''}: ${r.stderr.split('\n').slice(-5).join(' | ')}`);
      else if (expected !== undefined && r.stdout !== expected) problems.push(`${c} rep ${rep}: output differs from plain`);
      if (c !== 'plain') {
        try { const st = queryStats(out); stats[c].push(st); if (st.callBudget) callBudgets.set(c, st); } catch (err) { problems.push(`${c} rep ${rep}: query stats failed: ${String(err.message).split('\n')[0]}`); }
        rmSync(out, { recursive: true, force: true });
      }
      if (process.stdout.isTTY) process.stdout.write(`  rep ${rep + 1}/${REPS} ${c} ${fmt(r.ms)} ms          \r`);
    }
  }
  if (process.stdout.isTTY) process.stdout.write(' '.repeat(60) + '\r');
  const plainMs = median(runs.plain.filter((r) => r.code === 0).map((r) => r.ms));
  const entry = { plainMs, plainRssKb: median(runs.plain.map((r) => r.rssKb)), modes: {}, problems };
  const fixed = results.programs[STARTUP];
  const rows = [['plain', fmt(plainMs), '1.00', '-', '-', '-', '-', '-', '-', mb(entry.plainRssKb), '-']];
  for (const m of MODES) {
    const ok = runs[m].filter((r) => r.code === 0 && !r.signal);
    const ms = median(ok.map((r) => r.ms));
    const s = stats[m];
    const events = median(s.map((x) => x.events));
    const bytes = median(s.map((x) => x.bytes));
    const dropped = Math.max(0, ...s.map((x) => x.dropped ?? 0));
    const elided = median(s.map((x) => x.elidedCalls ?? 0)); // calls the call budget counted, not recorded (minimal)
    const e = {
      ms, ratio: ms / plainMs, ratioFixed: fixed && pkg !== STARTUP && plainMs - fixed.plainMs > 0.25 * plainMs ? Math.max(0, ms - fixed.modes[m].ms) / (plainMs - fixed.plainMs) : undefined, runs: ok.length, events, eventsPerSec: events / (ms / 1000), eventsPerSecRecording: events / (median(s.map((x) => x.durationMs)) / 1000), bytes, bytesPerEvent: bytes / events, dropped, elided,
      complete: s.every((x) => x.complete), programRssKb: median(ok.map((r) => r.childRssKb)), recorderRssKb: median(ok.map((r) => r.rssKb)), allMs: runs[m].map((r) => Math.round(r.ms)),
    };
    entry.modes[m] = e;
    rows.push([m, fmt(ms), fmt(e.ratio, 2), fmt(e.ratioFixed, 1), fmtBig(events), fmtBig(elided), fmtBig(e.eventsPerSec), fmt(e.bytesPerEvent, 2), String(dropped), mb(e.programRssKb), mb(e.recorderRssKb)]);
  }
  entry.allPlainMs = runs.plain.map((r) => Math.round(r.ms));
  results.programs[pkg] = entry;
  table(['config', 'ms (median)', 'ratio', 'ratio-fixed', 'events', 'elided calls', 'events/s', 'B/event', 'dropped', 'program RSS MB', 'recorder RSS MB'], rows, [false, ...Array(10).fill(true)]);
  for (const p of problems.slice(0, 6)) log(`  ! ${p}`);
  writeFileSync(JSON_OUT, JSON.stringify(results, null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------
// 5. Summary
log(`\n== Slowdown vs plain node: geometric mean over ${PACKAGES.length} programs (CORPUS_SCALE=${SCALE}, ${REPS} reps, medians) ==`);
const sumRows = [];
for (const m of MODES) {
  const ratios = PACKAGES.map((p) => results.programs[p]?.modes[m]?.ratio);
  const g = geomean(ratios);
  const gFixed = geomean(PACKAGES.map((p) => results.programs[p]?.modes[m]?.ratioFixed));
  const n = ratios.filter((x) => Number.isFinite(x)).length;
  results.geomean[m] = { ratio: g, ratioFixed: gFixed, startupMs: results.programs[STARTUP]?.modes[m]?.ms, programs: n, eventsPerSec: geomean(PACKAGES.map((p) => results.programs[p]?.modes[m]?.eventsPerSec)), bytesPerEvent: geomean(PACKAGES.map((p) => results.programs[p]?.modes[m]?.bytesPerEvent)) };
  sumRows.push([m, fmt(g, 2), fmt(gFixed, 2), `${n}/${PACKAGES.length}`, fmtBig(results.geomean[m].eventsPerSec), fmt(results.geomean[m].bytesPerEvent, 2), ...PACKAGES.map((p) => fmt(results.programs[p]?.modes[m]?.ratio, 1))]);
}
table(['mode', 'geomean', 'geomean-fixed', 'programs', 'events/s', 'B/event', ...PACKAGES], sumRows, [false, ...Array(5 + PACKAGES.length).fill(true)]);
log(`(ratio = median recorded ms / median plain ms, whole command; ratio-fixed = (recorded - recorded ${STARTUP}) / (plain - plain ${STARTUP}), i.e. without the fixed cost of a run; "-" where the plain run is mostly startup)`);
for (const [m, st] of callBudgets) log(`(${m} mode recorded each function's first ${st.callBudget} calls, then up to ${st.callBudgetPerSecond} a second, its call budget; "elided calls" counts the others, which it counts but does not record)`);
results.loadavgEnd = loadavg();
results.finished = new Date().toISOString();
writeFileSync(JSON_OUT, JSON.stringify(results, null, 2) + '\n');
log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on this machine inflates wall times; ratios are from interleaved runs)`);
log(`wrote ${relative(process.cwd(), JSON_OUT)}`);
rmSync(recDir, { recursive: true, force: true });
