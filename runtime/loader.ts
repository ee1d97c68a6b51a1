/**
 * Serving instrumented code: for every source file in the build manifest, Node compiles the
 * instrumented JS (entry.out) under the ORIGINAL filename, so __filename, __dirname, relative
 * requires and (with source maps enabled) stack traces are those of the original file.
 * A file whose source no longer matches the manifest hash is served as is (never stale code).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import Module from 'node:module';
import type { BuildEntry, BuildManifest } from '../protocol/sites';
import type { SiteName } from './recorder';

const hasOwn = Object.hasOwn;
const CJS_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.jsx', '.js', '.cjs'];

export interface LoadedManifest {
  files: Record<string, BuildEntry>;
  /** The sources the build loads as ES modules (BuildInputs.esm), when the manifest says. */
  esm?: ReadonlySet<string>;
  siteNames(file: string): SiteName[] | undefined;
  /** Instrumented code for a manifest file whose source is unchanged, else undefined. */
  instrumented(file: string): string | undefined;
}

/**
 * The source hash a manifest entry was built from: BuildEntry.sourceHash (sha256 hex, 16 chars).
 * Entries without it are served unchecked (`hash` is the build's cache key, not a source hash).
 */
function expectedSourceHash(e: BuildEntry): string | undefined {
  const h = (e as { sourceHash?: unknown }).sourceHash;
  return typeof h === 'string' && h !== '' ? h : undefined;
}

export function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function loadManifest(manifestPath: string): LoadedManifest | undefined {
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as BuildManifest;
  if (!m || typeof m !== 'object' || !m.files || typeof m.files !== 'object') return undefined;
  const files: Record<string, BuildEntry> = Object.create(null);
  for (const [k, e] of Object.entries(m.files)) {
    if (e && typeof e.out === 'string') files[path.resolve(k)] = e;
  }
  const esm = Array.isArray(m.inputs?.esm) ? new Set(m.inputs.esm.map((f) => path.resolve(f))) : undefined;
  return {
    files,
    ...(esm ? { esm } : {}),
    siteNames(file: string): SiteName[] | undefined {
      const e = hasOwn(files, file) ? files[file] : undefined;
      if (!e || typeof e.sites !== 'string') return undefined;
      const t = JSON.parse(readFileSync(e.sites, 'utf8')) as { sites?: SiteName[] };
      return Array.isArray(t.sites) ? t.sites : undefined;
    },
    instrumented(file: string): string | undefined {
      const e = hasOwn(files, file) ? files[file] : undefined;
      if (!e) return undefined;
      try {
        if (typeof e.sourceHash === 'string' && e.sourceHash !== '' && e.sourceHash !== '*') {
          if (sourceHash(readFileSync(file, 'utf8')) !== e.sourceHash) return undefined;
        }
        return readFileSync(e.out, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** The function name of our require.extensions handlers (keep in sync with the function below). */
export const REQUIRE_HOOK_NAME = 'elixirscopeRequireHook';

type Handler = (module: { _compile(code: string, filename: string): unknown }, filename: string) => unknown;

/** Register require.extensions handlers for the extensions the manifest actually contains. */
export function installRequireHooks(manifest: LoadedManifest): void {
  const exts = (Module as unknown as { _extensions: Record<string, Handler> })._extensions;
  const jsHandler = exts['.js'];
  const wanted = new Set<string>();
  for (const f of Object.keys(manifest.files)) {
    const ext = path.extname(f);
    if (CJS_EXTS.includes(ext)) wanted.add(ext);
  }
  for (const ext of wanted) {
    const prev = hasOwn(exts, ext) ? exts[ext] : undefined;
    // Named so that stack formatting (stack.ts) can show Node's own handler frame in its place.
    exts[ext] = function elixirscopeRequireHook(this: unknown, module: Parameters<Handler>[0], filename: string): unknown {
      const code = manifest.instrumented(filename);
      if (code !== undefined) { module._compile(code, filename); return; }
      return (prev ?? jsHandler).call(this, module, filename);
    };
  }
}

/**
 * ESM: a module.register() loader (inline data: URL, so the runtime stays one file) whose load
 * hook returns the instrumented source for manifest files that Node loads as ES modules.
 * Only registered when the manifest contains a file that can be an ES module.
 */
export function installEsmHooks(manifest: LoadedManifest): void {
  const register = (Module as unknown as { register?: (spec: string, opts?: unknown) => void }).register;
  if (typeof register !== 'function') return;
  const esm: Record<string, { out: string; hash: string }> = {};
  let any = false;
  // The build knows which files are ES modules; a manifest that does not say is checked file by file.
  const isEsm = manifest.esm ? (f: string) => manifest.esm!.has(f) : (f: string) => /\.(mjs|mts|js|ts|tsx|jsx)$/.test(f) && mayBeEsm(f);
  for (const [f, e] of Object.entries(manifest.files)) {
    if (isEsm(f)) { esm[f] = { out: e.out, hash: typeof e.sourceHash === 'string' ? e.sourceHash : '' }; any = true; }
  }
  if (!any) return;
  const known = Object.keys(manifest.files);
  // Runs on Node's loader thread. Reads the instrumented file lazily; a changed source (hash
  // mismatch) or an unreadable output falls through to the default loader.
  const src = `
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
let files = Object.create(null);
let known = new Set();
export function initialize(data) { files = data.files; known = new Set(data.known); }
// TypeScript ESM convention: './x.js' names x.ts (likewise .mjs -> .mts, .cjs -> .cts; extensionless
// -> .ts/.tsx). Only tried when the default resolution fails, and only onto instrumented files.
const ALT = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '': ['.ts', '.tsx'] };
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:')) || !context.parentURL) throw err;
    let base;
    try { base = new URL(specifier, context.parentURL); } catch { throw err; }
    if (base.protocol !== 'file:') throw err;
    const p = fileURLToPath(base);
    const m = /(\.[cm]?jsx?)?$/.exec(p);
    const ext = m && m[1] ? m[1] : '';
    for (const alt of ALT[ext] || []) {
      const cand = p.slice(0, p.length - ext.length) + alt;
      if (known.has(cand)) return { url: pathToFileURL(cand).href, shortCircuit: true };
    }
    throw err;
  }
}
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) {
    let p;
    try { p = fileURLToPath(url); } catch { p = undefined; }
    const e = p !== undefined && Object.hasOwn(files, p) ? files[p] : undefined;
    if (e !== undefined) {
      try {
        if (e.hash) {
          const h = createHash('sha256').update(readFileSync(p, 'utf8')).digest('hex').slice(0, 16);
          if (h !== e.hash) return nextLoad(url, context);
        }
        return { format: 'module', source: readFileSync(e.out, 'utf8'), shortCircuit: true };
      } catch { /* fall through */ }
    }
  }
  return nextLoad(url, context);
}`;
  register('data:text/javascript,' + encodeURIComponent(src), { data: { files: esm, known } });
}

/** .mjs/.mts always; .js/.ts when the nearest package.json says "type": "module". */
function mayBeEsm(file: string): boolean {
  if (file.endsWith('.mjs') || file.endsWith('.mts')) return true;
  let dir = path.dirname(file);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: string };
      return pkg.type === 'module';
    } catch { /* keep looking */ }
    const up = path.dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}
