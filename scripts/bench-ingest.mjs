// Ingest throughput: how fast the recorder side (IPC server, batch decoder, RecordingWriter,
// LevelDB) stores a program's event stream (issue "record everything at near-native speed":
// >= 10 M events/s sustained into the store). The program is run once per case under the
// runtime with a socket that only saves what arrives; that stream is then replayed into the
// real server and writer, with nothing else running, so the figure is the store's alone. On a
// 2-core machine the recorder competes with the program for CPU: ns/event here is what every
// recorded event costs the machine besides the program's own hooks.
//
// usage: node scripts/bench-ingest.mjs [--reps N] [--scale S] [--cases marked:minimal,...] [--anatomy]
//   --anatomy: also print what each stream is made of (bytes per event kind, the sites that send the most)
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const at = argv.indexOf(name); return at >= 0 ? argv[at + 1] : dflt; };
const REPS = Number(opt('--reps', '5'));
const SCALE = opt('--scale', process.env.CORPUS_SCALE ?? '0.25'); // full mode at scale 1 streams over 1 GB
const CASES = opt('--cases', 'marked:minimal,marked:balanced,marked:full').split(',').map((c) => { const [pkg, mode] = c.split(':'); return { pkg, mode }; });
const DIR = join(tmpdir(), 'elixirscope-bench-ingest');
const TOKEN = 'e'.repeat(64);

if (!existsSync(join(root, 'dist', 'cli.js'))) spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
// The server and writer as the CLI bundles them, exported for this process (next to node_modules so `level` resolves).
const bundle = join(root, 'node_modules', '.cache', 'elixirscope-bench-ingest.cjs');
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
require('esbuild').buildSync({
  stdin: {
    contents: "export { startIpcServer } from './adapter/ipc/server'; export { RecordingWriter } from './adapter/store/writer';"
      + " export { KIND_NAMES, KINDS_WITH_ARG, valueCount } from './protocol/events';"
      + " export { K_FILE, SPOOL_PREFIX, T_DOUBLE, T_INT, T_JSON, T_STRING } from './runtime/wire';",
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: bundle, external: ['level', 'classic-level'], logLevel: 'warning',
});
const { startIpcServer, RecordingWriter, KIND_NAMES, KINDS_WITH_ARG, valueCount, K_FILE, SPOOL_PREFIX, T_DOUBLE, T_INT, T_JSON, T_STRING } = require(bundle);

rmSync(DIR, { recursive: true, force: true });
const corpus = require(join(root, 'bench', 'corpus', 'vendor.js')).prepareCorpus(DIR, { packages: [...new Set(CASES.map((c) => c.pkg))] });
const env = { ...process.env, CORPUS_SCALE: SCALE };

/** Runs the driver under the runtime; everything it sends is saved to `file`. */
function capture(driver, mode, file) {
  // A recording builds the instrumented workspace (and checks the program runs recorded).
  const rec = spawnSync(process.execPath, [join(root, 'bin', 'elixirscope.js'), 'record', '--quiet', '--mode', mode, '--out', join(DIR, 'warm'), '--', driver], { cwd: DIR, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (rec.status !== 0) throw new Error(`recording ${driver} failed`);
  const sockDir = mkdtempSync(join(tmpdir(), 'elixirscope-ingest-'));
  const sock = join(sockDir, 's');
  const out = createWriteStream(file);
  let connections = 0;
  return new Promise((resolveCapture, reject) => {
    const server = createServer((c) => { if (connections++) { c.destroy(); return; } c.pipe(out); }).listen(sock, () => {
      const child = spawn(process.execPath, ['-r', join(root, 'dist', 'runtime.js'), driver], {
        cwd: DIR, stdio: 'ignore',
        env: { ...env, ELIXIRSCOPE_SOCKET: sock, ELIXIRSCOPE_TOKEN: TOKEN, ELIXIRSCOPE_MANIFEST: join(DIR, '.elixirscope', 'build', mode, 'manifest.json') },
      });
      const saved = new Promise((res) => out.on('finish', res));
      child.on('exit', (code) => {
        if (code !== 0) { reject(new Error(`${driver} exited with ${code}`)); return; }
        // A program that ended before its drain worker connected left the same frames in a spool file.
        const spool = connections ? undefined : readdirSync(sockDir).find((n) => n.startsWith(SPOOL_PREFIX));
        if (spool) out.end(readFileSync(join(sockDir, spool)));
        void saved.then(() => { server.close(); rmSync(sockDir, { recursive: true, force: true }); resolveCapture(statSync(file).size); });
      });
    });
  });
}

/** One replay of a captured stream into the real server and a new store; ms from first byte to everything stored. */
async function replay(stream, mode) {
  const dir = mkdtempSync(join(DIR, 'rec-'));
  const manifest = JSON.parse(readFileSync(join(DIR, '.elixirscope', 'build', mode, 'manifest.json'), 'utf8'));
  const writer = await RecordingWriter.create(dir, { program: 'bench', args: [], cwd: DIR, root: DIR, mode, nodeVersion: process.version, startTime: Date.now() }, manifest);
  const ipc = await startIpcServer(() => writer);
  const bytes = Buffer.from(stream);
  bytes.write(ipc.token, 5, 'latin1'); // the HELLO frame's payload begins with the token
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  await new Promise((res, rej) => { const c = connect(ipc.socketPath, () => c.end(bytes)); c.on('close', res).on('error', rej); });
  await ipc.whenIdle();
  await writer.flush();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000; // every thread of this process: LevelDB writes and compacts off the main thread
  const events = writer.length;
  await writer.close();
  await ipc.close();
  const disk = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return { ms, cpuMs, events, disk };
}

function dirBytes(dir) {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}


/** What a captured stream is made of: bytes per event kind, and the sites whose events weigh the most. */
function anatomy(stream, mode) {
  const kinds = new Map(), sites = new Map(), files = [];
  const add = (map, key, bytes, sample) => { const e = map.get(key) ?? { n: 0, bytes: 0, sample: '' }; e.n++; e.bytes += bytes; if (!e.sample && sample) e.sample = sample; map.set(key, e); };
  for (let off = 0; off + 4 <= stream.length;) {
    const len = stream.readUInt32LE(off), type = stream[off + 4], start = off + 5;
    off += 4 + len;
    if (type !== 2) continue; // BATCH
    const nWords = stream.readUInt32LE(start), wordsAt = start + 4;
    let bp = wordsAt + nWords * 4 + 4;
    const word = (k) => stream.readInt32LE(wordsAt + k * 4);
    for (let i = 0; i < nWords;) {
      const w0 = word(i++), kind = w0 & 15, site = w0 >>> 4;
      let bytes = 4, sample = '';
      if (KINDS_WITH_ARG.has(kind)) { i++; bytes += 4; }
      for (let v = 0; v < valueCount(kind); v++) {
        const tag = word(i++); bytes += 4;
        if (tag === T_INT) { i++; bytes += 4; } else if (tag === T_DOUBLE) { i += 2; bytes += 8; } else if (tag === T_STRING || tag === T_JSON) {
          const n = word(i++); bytes += 4 + n;
          const text = stream.toString('utf8', bp, bp + Math.min(n, 120));
          if (kind === K_FILE) files.push({ base: site, file: JSON.parse(stream.toString('utf8', bp, bp + n)).file });
          if (n > 100) sample = text;
          bp += n;
        }
      }
      add(kinds, KIND_NAMES[kind] ?? String(kind), bytes);
      if (kind !== K_FILE) add(sites, site, bytes, sample);
    }
  }
  const manifest = JSON.parse(readFileSync(join(DIR, '.elixirscope', 'build', mode, 'manifest.json'), 'utf8'));
  const tables = new Map();
  const where = (site) => {
    const f = files.filter((x) => x.base <= site).at(-1);
    if (!f || !manifest.files[f.file]) return `site ${site}`;
    if (!tables.has(f.file)) tables.set(f.file, JSON.parse(readFileSync(manifest.files[f.file].sites, 'utf8')).sites);
    const s = tables.get(f.file)[site - f.base];
    return `${f.file.slice(DIR.length + 1)}:${s?.line}:${s?.column}${s?.name ? ` ${s.name}` : ''}`;
  };
  const total = [...kinds.values()].reduce((a, e) => a + e.bytes, 0);
  console.log(`  ${(total / 1e6).toFixed(1)} MB: ` + [...kinds].sort((a, b) => b[1].bytes - a[1].bytes).map(([k, e]) => `${k} ${(100 * e.bytes / total).toFixed(0)}% (${e.n} events, ${(e.bytes / e.n).toFixed(0)} B each)`).join(', '));
  for (const [site, e] of [...sites].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8)) {
    console.log(`  ${(100 * e.bytes / total).toFixed(1).padStart(5)}%  ${String(e.n).padStart(8)} x ${String(Math.round(e.bytes / e.n)).padStart(5)} B  ${where(site)}${e.sample ? `  ${e.sample.replace(/\s+/g, ' ').slice(0, 80)}` : ''}`);
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const rows = [];
for (const { pkg, mode } of CASES) {
  const file = join(DIR, `${pkg}-${mode}.stream`);
  const size = await capture(corpus.drivers[pkg], mode, file);
  const stream = readFileSync(file);
  if (argv.includes('--anatomy')) { console.log(`${pkg} ${mode}:`); anatomy(stream, mode); }
  const runs = [];
  for (let i = 0; i < REPS; i++) runs.push(await replay(stream, mode));
  const ms = median(runs.map((r) => r.ms)), cpuMs = median(runs.map((r) => r.cpuMs));
  const { events, disk } = runs[0];
  rows.push([`${pkg} ${mode}`, (events / 1e6).toFixed(2) + 'M', (size / events).toFixed(1), ms.toFixed(0), (events / ms / 1000).toFixed(2), (ms * 1e6 / events).toFixed(0), (cpuMs * 1e6 / events).toFixed(0), (disk / events).toFixed(2)]);
}
const headers = ['case', 'events', 'wire B/event', 'ingest ms', 'M events/s', 'ns/event', 'CPU ns/event', 'disk B/event'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(`\n== Ingest: a captured event stream replayed into the IPC server, decoder, writer and LevelDB (CORPUS_SCALE=${SCALE}, median of ${REPS}) ==`);
console.log(line(headers));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(`(target: >= 10 M events/s; load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
rmSync(DIR, { recursive: true, force: true });
