/** Workspace helpers that need no TypeScript compiler (cheap to load). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { BuildManifest } from '../protocol/sites';

/** Whether a folder is a project's root: it holds package.json or tsconfig.json. */
export function isProjectRoot(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, 'tsconfig.json'));
}

/** Nearest ancestor (or the program's own folder) holding package.json or tsconfig.json. */
export function findWorkspaceRoot(programPath: string): string {
  const start = path.dirname(path.resolve(programPath));
  for (let d = start; ; d = path.dirname(d)) {
    if (isProjectRoot(d)) return d;
    if (path.dirname(d) === d) return start;
  }
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

/**
 * The workspace's source files. A script run from a folder that belongs to no project (say /tmp or
 * a home folder) must not take in everything below it: there the workspace is what the program
 * (`entry`) reaches through relative imports, and without an entry the walk leaves out hidden
 * folders and the folders of other projects (with their own package.json or tsconfig.json).
 */
export function listSourceFiles(root: string, outDir: string, include: string[] = [], exclude: string[] = [], entry?: string): string[] {
  const found = new Set<string>();
  const excl = exclude.map(globToRegExp);
  const isExcluded = (rel: string) => excl.some((r) => r.test(rel));
  const outAbs = path.resolve(outDir);
  const looseFolder = !isProjectRoot(root);
  const isForeign = (name: string, abs: string): boolean => looseFolder && (name.startsWith('.') || isProjectRoot(abs));
  const walk = (dir: string, skipDefault: boolean, accept: (rel: string) => boolean): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (abs === outAbs) continue;
        if (skipDefault && (SKIP_DIRS.has(e.name) || isForeign(e.name, abs))) continue;
        if (e.name === '.git' || e.name === '.elixirscope') continue;
        walk(abs, skipDefault, accept);
      } else if ((e.isFile() || e.isSymbolicLink()) && isSourceFile(e.name)) {
        const rel = toPosix(path.relative(root, abs));
        if (accept(rel) && !isExcluded(rel)) found.add(abs);
      }
    }
  };
  if (looseFolder && entry !== undefined) {
    for (const file of reachableSources(path.resolve(root, entry))) if (!isExcluded(toPosix(path.relative(root, file)))) found.add(file);
  } else walk(root, true, () => true);
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

// Relative specifiers of static and dynamic imports, re-exports and require calls. A match inside a
// comment or string only adds a file that exists anyway, which is harmless.
const RELATIVE_SPECIFIER_RE = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"`])(\.\.?\/[^'"`\n]*)\1/g;
const SOURCE_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
// TypeScript sources are imported by the name of their output: './a.js' may be './a.ts'.
const TS_FOR_JS: Record<string, string> = { '.js': '.ts', '.jsx': '.tsx', '.mjs': '.mts', '.cjs': '.cts' };

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

/** Source files a relative specifier may name, by Node's and TypeScript's resolution rules. */
function resolveCandidates(from: string, specifier: string): string[] {
  const p = path.resolve(path.dirname(from), specifier);
  const ext = path.extname(p).toLowerCase();
  const names = [p, ...SOURCE_EXTS.map((e) => p + e), ...SOURCE_EXTS.map((e) => path.join(p, 'index' + e))];
  if (TS_FOR_JS[ext]) names.push(p.slice(0, -ext.length) + TS_FOR_JS[ext]);
  return names.filter((n) => isSourceFile(n) && !n.split(path.sep).includes('node_modules') && isFile(n)).map((n) => fs.realpathSync(n));
}

/** The program and every workspace source it reaches through relative specifiers, transitively. */
function reachableSources(program: string): string[] {
  const entry = isFile(program) ? fs.realpathSync(program) : program;
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    for (const m of text.matchAll(RELATIVE_SPECIFIER_RE)) {
      for (const next of resolveCandidates(file, m[2]!)) if (!seen.has(next)) { seen.add(next); queue.push(next); }
    }
  }
  return [...seen];
}

/** Whether a file is loaded as an ES module (its extension, else the nearest package.json's "type"). */
export function isEsmFile(fileName: string, packageType?: string): boolean {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext === '.cjs' || ext === '.cts') return false;
  return packageType === 'module';
}

export function makePackageTypeLookup(): (file: string) => string | undefined {
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

export function readManifest(file: string): BuildManifest | undefined {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as BuildManifest; } catch { return undefined; }
}

/** The content hash the runtime checks before serving instrumented code (see BuildEntry.sourceHash). */
export function sourceHashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** sha256 (hex, first 16 chars) of a file's bytes, or null when it cannot be read. */
export function fileStamp(file: string): string | null {
  try { return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16); } catch { return null; }
}
