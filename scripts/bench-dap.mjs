// DAP latency over a large recording (issue "complete time-travel debugger": p95 <= 20 ms for
// stepBack, reverseContinue far back, seek, and stackTrace+scopes+variables after each; value
// history <= 50 ms; open <= 1 s), and the timeline request at every zoom level. Measured through
// the real adapter (dist/adapter.js) over DAP.
// Usage: node scripts/bench-dap.mjs [--iterations N] [--reps R]   (default 1.2M loop iterations ≈ 10.8M events, full mode)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const root = resolve(import.meta.dirname, '..');
const arg = (name, dflt) => { const at = process.argv.indexOf(name); return at > 0 ? Number(process.argv[at + 1]) : dflt; };
const iterations = arg('--iterations', 1_200_000);
const reps = arg('--reps', 40);

if (!existsSync(join(root, 'dist', 'adapter.js'))) spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const work = join(tmpdir(), 'elixirscope-bench-dap');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'package.json'), '{ "name": "bench-dap", "private": true }');
const program = join(work, 'ledger.js');
writeFileSync(program, [
  'const start = { opened: true };',                 // 1: a breakpoint far back
  'function post(balance, amount) {',                // 2
  '  const fee = amount % 7;',                       // 3
  '  return balance + amount - fee;',                // 4
  '}',
  'let balance = 0;',                                // 6
  `for (let i = 0; i < ${iterations}; i++) {`,       // 7
  '  balance = post(balance, i % 100);',             // 8
  '}',
  'console.log(balance, start.opened);',             // 10
].join('\n'));

const rec = join(work, 'rec');
let t = Date.now();
const r = spawnSync(process.execPath, [join(root, 'bin', 'elixirscope.js'), 'record', '--quiet', '--out', rec, '--', program], { encoding: 'utf8' });
if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
const recordMs = Date.now() - t;
const stats = JSON.parse(spawnSync(process.execPath, [join(root, 'bin', 'elixirscope.js'), 'query', rec, 'stats', '--json'], { encoding: 'utf8' }).stdout);
console.log(`recording: ${stats.events.toLocaleString()} events, ${(stats.bytes / stats.events).toFixed(2)} B/event, recorded in ${recordMs} ms`);

const dc = new DebugClient(process.execPath, join(root, 'dist', 'adapter.js'), 'elixirscope');
dc.defaultTimeout = 120000;
await dc.start();
const timings = {};
const time = async (name, fn) => { const s = process.hrtime.bigint(); const v = await fn(); (timings[name] ??= []).push(Number(process.hrtime.bigint() - s) / 1e6); return v; };
const stopped = () => dc.waitForEvent('stopped');
const inspect = async () => {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  await dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference });
};

t = Date.now();
await time('open (launch → first stop)', async () => {
  const s = stopped();
  await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launch({ recording: rec })]);
  await s;
});
await time('stackTrace+scopes+variables', inspect);
const total = stats.events;
for (let i = 0; i < reps; i++) {
  const seq = Math.floor(((i + 0.5) / reps) * total);
  await time('seek to a seq', async () => { const s = stopped(); await dc.customRequest('elixirscope/seek', { seq }); await s; });
  await time('stackTrace+scopes+variables', inspect);
  await time('stepBack', async () => { const s = stopped(); await dc.send('stepBack', { threadId: 1 }); await s; });
  await time('stackTrace+scopes+variables', inspect);
  await time('next', async () => { const s = stopped(); await dc.send('next', { threadId: 1 }); await s; });
}
await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 1 }] });
for (let i = 0; i < Math.min(reps, 10); i++) {
  const s0 = stopped(); await dc.customRequest('elixirscope/seek', { seq: total - 1 - i * 1000 }); await s0;
  await time('reverseContinue to a breakpoint far back', async () => { const s = stopped(); await dc.send('reverseContinue', { threadId: 1 }); await s; });
  await time('stackTrace+scopes+variables', inspect);
}
// Different variables (a local, a parameter, the loop counter, a module variable written 1.2M times)
// at different times: the first sample is the cold one a user's first hover meets.
const historyNames = ['fee', 'balance', 'i', 'amount'];
for (let i = 0; i < Math.max(reps, 20); i++) {
  const s0 = stopped(); await dc.customRequest('elixirscope/seek', { seq: Math.floor(((i + 0.5) / Math.max(reps, 20)) * total) }); await s0;
  await time('valueHistory (a variable)', () => dc.customRequest('elixirscope/valueHistory', { name: historyNames[i % historyNames.length] }));
}
// The timeline webview asks for ~one bucket per pixel column at whatever zoom the user picked,
// from the whole recording down to a few events (issue: zoom to a single event without freezing).
for (let width = total; width >= 10; width = Math.floor(width / 10)) {
  for (let i = 0; i < 4; i++) {
    const from = Math.floor(((i + 0.5) / 4) * (total - width));
    await time('timeline (any zoom, 400 buckets)', () => dc.customRequest('elixirscope/timeline', { from, to: from + width, buckets: 400 }));
  }
}
await dc.stop();

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
console.log(`\n${'operation'.padEnd(44)} ${'n'.padStart(4)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
for (const [name, xs] of Object.entries(timings)) console.log(`${name.padEnd(44)} ${String(xs.length).padStart(4)} ${pct(xs, 0.5).toFixed(1).padStart(9)} ${pct(xs, 0.95).toFixed(1).padStart(9)}`);
// Where the slow ones were (first = cold caches; scattered = GC or a loaded machine).
console.log(`\nslowest samples (ms @ index in its series); load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [name, xs] of Object.entries(timings)) {
  if (xs.length < 2) continue;
  const worst = xs.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 3);
  console.log(`${name.padEnd(44)} ${worst.map(([v, i]) => `${v.toFixed(1)}@${i}`).join('  ')}`);
}
