/**
 * Workspace builds: find the source files, instrument the ones whose hash has no output yet,
 * write the manifest atomically.
 */
import { ts } from 'ts-morph';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Mode } from '../protocol/events';
import type { BuildManifest, BuildEntry, FileSiteTable } from '../protocol/sites';
export { findWorkspaceRoot } from './workspace';
import { computeHash, effectiveOptions, instrumentFile, isEsmFile, type BuildError, type InstrumentResult } from './transform';

export interface BuildOptions {
  root: string;
  outDir: string;
  mode: Mode;
  include?: string[];
  exclude?: string[];
  onProgress?: (done: number, total: number, file: string) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  manifestPath: string;
  manifest: BuildManifest;
  built: number;
  reused: number;
  errors: BuildError[];
  ms: number;
}

const SOURCE_RE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i;
const DTS_RE = /\.d\.(ts|mts|cts)$|\.d\.[^.]+\.ts$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', '.elixirscope']);

export function isSourceFile(p: string): boolean {
  return SOURCE_RE.test(p) && !DTS_RE.test(p);
}

/** Glob (relative, `/`-separated) to RegExp: `**` any depth, `*` and `?` within a segment, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  if (g.endsWith('/')) g += '**';
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        i++;
        if (g[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = g.indexOf('}', i);
      if (end < 0) { re += '\\{'; continue; }
      re += '(?:' + g.slice(i + 1, end).split(',').map((s) => s.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|') + ')';
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  // A glob naming a folder covers what is inside it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

/** The part of a glob before its first wildcard segment: where walking must start. */
function globBase(glob: string): string {
  const segs = glob.replace(/\\/g, '/').replace(/^\.\//, '').split('/');
  const out: string[] = [];
  for (const s of segs) { if (/[*?{[]/.test(s)) break; out.push(s); }
  return out.join('/');
}

function toPosix(p: string): string { return p.split(path.sep).join('/'); }

export function listSourceFiles(root: string, outDir: string, include: string[] = [], exclude: string[] = []): string[] {
  const found = new Set<string>();
  const excl = exclude.map(globToRegExp);
  const isExcluded = (rel: string) => excl.some((r) => r.test(rel));
  const outAbs = path.resolve(outDir);
  const walk = (dir: string, skipDefault: boolean, accept: (rel: string) => boolean): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (abs === outAbs) continue;
        if (skipDefault && SKIP_DIRS.has(e.name)) continue;
        if (e.name === '.git' || e.name === '.elixirscope') continue;
        walk(abs, skipDefault, accept);
      } else if ((e.isFile() || e.isSymbolicLink()) && isSourceFile(e.name)) {
        const rel = toPosix(path.relative(root, abs));
        if (accept(rel) && !isExcluded(rel)) found.add(abs);
      }
    }
  };
  walk(root, true, () => true);
  for (const g of include) {
    const re = globToRegExp(g);
    const base = path.join(root, globBase(g));
    let st: fs.Stats | undefined;
    try { st = fs.statSync(base); } catch { continue; }
    if (st.isFile()) {
      const rel = toPosix(path.relative(root, base));
      if (isSourceFile(base) && !isExcluded(rel)) found.add(base);
    } else walk(base, false, (rel) => re.test(rel));
  }
  return [...found].sort();
}

/** compilerOptions of <root>/tsconfig.json (following `extends`), or undefined. */
export function readWorkspaceOptions(root: string): ts.CompilerOptions | undefined {
  const file = path.join(root, 'tsconfig.json');
  if (!fs.existsSync(file)) return undefined;
  const cfg = ts.readConfigFile(file, ts.sys.readFile);
  if (cfg.error || !cfg.config) return undefined;
  // No file enumeration: we list files ourselves.
  const host: ts.ParseConfigHost = { ...ts.sys, useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames, readDirectory: () => [] };
  return ts.parseJsonConfigFileContent(cfg.config, host, root, undefined, file).options;
}

function makePackageTypeLookup(): (file: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  const lookup = (dir: string): string | undefined => {
    if (cache.has(dir)) return cache.get(dir);
    let type: string | undefined;
    const pj = path.join(dir, 'package.json');
    let found = false;
    try {
      const txt = fs.readFileSync(pj, 'utf8');
      found = true;
      try { type = (JSON.parse(txt) as { type?: string }).type ?? 'commonjs'; } catch { type = 'commonjs'; }
    } catch { /* none here */ }
    if (!found) { const up = path.dirname(dir); type = up === dir ? undefined : lookup(up); }
    cache.set(dir, type);
    return type;
  };
  return (file) => lookup(path.dirname(file));
}

function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function readManifest(file: string): BuildManifest | undefined {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as BuildManifest; } catch { return undefined; }
}

/** One file to instrument (sent to a worker as is). */
export interface Job { index: number; file: string; text: string; mode: Mode; options: ts.CompilerOptions | undefined; esm: boolean; hash: string }

/** Below this many files to build, starting a worker (it loads the TypeScript compiler) does not pay. */
const MIN_JOBS_FOR_WORKERS = 40;

/** The compiled worker next to this file, or (in a bundle in dist/) the bundled worker `instrumenter-worker.js`. */
function workerFile(): string | undefined {
  for (const name of ['worker.js', 'instrumenter-worker.js']) {
    const f = path.join(__dirname, name);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/**
 * Run the jobs on this thread and on (cores - 1) worker threads; `done` is called on this thread
 * for each result, in completion order.
 */
async function runJobs(jobs: Job[], done: (job: Job, r: InstrumentResult) => void, signal: AbortSignal | undefined): Promise<void> {
  const wf = workerFile();
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const nWorkers = wf && jobs.length >= MIN_JOBS_FOR_WORKERS ? Math.min(cores - 1, Math.floor(jobs.length / 20), 7) : 0;
  let next = 0;
  let pending = 0;
  const workers: Worker[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  const settle = () => { const w = wake; wake = undefined; w?.(); };
  const feed = (w: Worker) => {
    if (next < jobs.length && !signal?.aborted && failure === undefined) { const j = jobs[next++]!; pending++; w.postMessage(j); }
  };
  for (let i = 0; i < nWorkers; i++) {
    const w = new Worker(wf!);
    w.on('message', (m: InstrumentResult & { index: number }) => {
      pending--;
      try { done(jobs[m.index]!, m); } catch (e) { failure ??= e; }
      feed(w);
      settle();
    });
    w.on('error', (e) => { failure ??= e; settle(); });
    workers.push(w);
    // Two in flight per worker, so a worker never waits for this thread.
    feed(w); feed(w);
  }
  try {
    let lastYield = performance.now();
    while (next < jobs.length && failure === undefined) {
      if (signal?.aborted) break;
      const j = jobs[next++]!;
      done(j, instrumentFile(j.file, j.text, j.mode, j.options, { esm: j.esm, hash: j.hash, outName: `${j.hash}.js` }));
      if (performance.now() - lastYield > 30) { await new Promise((r) => setImmediate(r)); lastYield = performance.now(); }
    }
    while (pending > 0 && failure === undefined && !signal?.aborted) await new Promise<void>((r) => { wake = r; });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure !== undefined) throw failure;
  if (signal?.aborted) throw signal.reason ?? new Error('build aborted');
}

export async function buildWorkspace(opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  // Node identifies modules by real path: key the manifest the same way when the root is reached through a link.
  let root = path.resolve(opts.root);
  try { root = fs.realpathSync(root); } catch { /* reported as an empty build */ }
  fs.mkdirSync(path.join(path.resolve(opts.outDir), opts.mode, 'files'), { recursive: true });
  const outDir = fs.realpathSync(path.resolve(opts.outDir));
  const modeDir = path.join(outDir, opts.mode);
  const filesDir = path.join(modeDir, 'files');
  // Outputs are CommonJS unless loaded as ESM by the runtime's loader; keep Node from reading the workspace's "type".
  const pj = path.join(filesDir, 'package.json');
  if (!fs.existsSync(pj)) writeAtomic(pj, '{ "type": "commonjs" }\n');
  const manifestPath = path.join(modeDir, 'manifest.json');
  const prev = readManifest(manifestPath);
  const prevFiles = prev && prev.root === root && prev.mode === opts.mode ? prev.files : {};
  const baseOptions = readWorkspaceOptions(root);
  const packageType = makePackageTypeLookup();
  const files = listSourceFiles(root, outDir, opts.include, opts.exclude);
  const entries: Array<BuildEntry | undefined> = new Array(files.length);
  const errors: BuildError[][] = files.map(() => []);
  const jobs: Job[] = [];
  let built = 0; let reused = 0; let progress = 0;
  const report = (file: string) => opts.onProgress?.(++progress, files.length, file);
  for (let i = 0; i < files.length; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('build aborted');
    const file = files[i]!;
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { report(file); continue; }
    const esm = isEsmFile(file, packageType(file));
    const hash = computeHash(opts.mode, effectiveOptions(file, baseOptions, esm), text);
    const out = path.join(filesDir, `${hash}.js`);
    const sites = path.join(filesDir, `${hash}.sites.json`);
    const before = prevFiles[file];
    if (before && before.hash === hash && before.sourceHash && before.out === out && fs.existsSync(out) && fs.existsSync(sites)) {
      entries[i] = before; reused++; report(file); continue;
    }
    if (fs.existsSync(out) && fs.existsSync(sites)) {
      try {
        const table = JSON.parse(fs.readFileSync(sites, 'utf8')) as FileSiteTable;
        entries[i] = { hash, sourceHash: sourceHashOf(text), out, sites, siteCount: table.sites.length }; reused++; report(file); continue;
      } catch { /* rebuild */ }
    }
    jobs.push({ index: i, file, text, mode: opts.mode, options: baseOptions, esm, hash });
  }
  const jobList = jobs.map((j, k) => ({ ...j, index: k }));
  await runJobs(jobList, (job, r) => {
    const i = jobs[job.index]!.index;
    if (r.errors.length) {
      errors[i] = r.errors;
      entries[i] = prevFiles[job.file];
    } else {
      const out = path.join(filesDir, `${job.hash}.js`);
      const sites = path.join(filesDir, `${job.hash}.sites.json`);
      writeAtomic(sites, JSON.stringify(r.table));
      writeAtomic(out, r.code);
      entries[i] = { hash: job.hash, sourceHash: sourceHashOf(job.text), out, sites, siteCount: r.table.sites.length };
      built++;
    }
    report(job.file);
  }, opts.signal);
  const manifest: BuildManifest = { version: 1, root, mode: opts.mode, files: {} };
  files.forEach((f, i) => { if (entries[i]) manifest.files[f] = entries[i]!; });
  writeAtomic(manifestPath, JSON.stringify(manifest, null, 1));
  return { manifestPath, manifest, built, reused, errors: errors.flat(), ms: performance.now() - t0 };
}

/** The content hash the runtime checks before serving instrumented code (see BuildEntry.sourceHash). */
export function sourceHashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
