/**
 * Workspace builds: find the source files, instrument the ones whose hash has no output yet,
 * write the manifest atomically.
 */
import { ts } from 'ts-morph';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Mode } from '../protocol/events';
import type { BuildManifest, BuildEntry, BuildInputs, FileSiteTable } from '../protocol/sites';
import { INSTRUMENTER_VERSION } from './version';
import { isSourceFile, globToRegExp, listSourceFiles, makePackageTypeLookup, readManifest, sourceHashOf, fileStamp } from './workspace';
export { findWorkspaceRoot, isSourceFile, globToRegExp, listSourceFiles, sourceHashOf } from './workspace';
import { computeHash, effectiveOptions, instrumentFile, isEsmFile, type BuildError, type InstrumentResult } from './transform';

export interface BuildOptions {
  root: string;
  outDir: string;
  mode: Mode;
  include?: string[];
  exclude?: string[];
  /** The program: in a folder of no project, the workspace is what it reaches (see listSourceFiles). */
  entry?: string;
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

/**
 * compilerOptions of <root>/tsconfig.json (following `extends`), or undefined. `configs` receives
 * every file read or probed on the way (fileStamp: content hash, or null when absent).
 */
export function readWorkspaceOptions(root: string, configs: Record<string, string | null> = {}): ts.CompilerOptions | undefined {
  const file = path.join(root, 'tsconfig.json');
  const stamp = (f: string) => { const abs = path.resolve(f); if (!(abs in configs)) configs[abs] = fileStamp(abs); };
  stamp(file);
  if (!fs.existsSync(file)) return undefined;
  const readFile = (f: string) => { stamp(f); return ts.sys.readFile(f); };
  const fileExists = (f: string) => { stamp(f); return ts.sys.fileExists(f); };
  const cfg = ts.readConfigFile(file, readFile);
  if (cfg.error || !cfg.config) return undefined;
  // No file enumeration: we list files ourselves.
  const host: ts.ParseConfigHost = { ...ts.sys, readFile, fileExists, useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames, readDirectory: () => [] };
  return ts.parseJsonConfigFileContent(cfg.config, host, root, undefined, file).options;
}

function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
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
  const configs: Record<string, string | null> = {};
  const baseOptions = readWorkspaceOptions(root, configs);
  const esmFiles: string[] = [];
  const packageType = makePackageTypeLookup();
  const files = listSourceFiles(root, outDir, opts.include, opts.exclude, opts.entry);
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
    if (esm) esmFiles.push(file);
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
  const inputs: BuildInputs = { version: INSTRUMENTER_VERSION, include: opts.include ?? [], exclude: opts.exclude ?? [], configs, esm: esmFiles };
  const manifest: BuildManifest = { version: 1, root, mode: opts.mode, files: {}, inputs };
  files.forEach((f, i) => { if (entries[i]) manifest.files[f] = entries[i]!; });
  writeAtomic(manifestPath, JSON.stringify(manifest, null, 1));
  return { manifestPath, manifest, built, reused, errors: errors.flat(), ms: performance.now() - t0 };
}

