/**
 * The no-compiler path of a workspace build: when the manifest's recorded inputs (instrumenter
 * version, include/exclude, every configuration file, each source's module format) and every
 * source's content hash are unchanged, and every output is still there, the build is already up
 * to date. Checking that needs only the file system, so the TypeScript compiler (hundreds of ms
 * to load) is not loaded at all. Anything else — an edit, a new or removed file, a file that had
 * build errors (it has no entry, so its errors are reported again) — goes to the real build.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEntry, BuildManifest } from '../protocol/sites';
import type { BuildOptions, BuildResult } from './build';
import { INSTRUMENTER_VERSION } from './version';
import { fileStamp, isEsmFile, listSourceFiles, makePackageTypeLookup, readManifest } from './workspace';

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The build result when nothing needs building (nothing is written), else undefined. */
export function upToDateBuild(opts: BuildOptions): BuildResult | undefined {
  const t0 = performance.now();
  try {
    const root = fs.realpathSync(path.resolve(opts.root));
    const outDir = fs.realpathSync(path.resolve(opts.outDir));
    const modeDir = path.join(outDir, opts.mode);
    const filesDir = path.join(modeDir, 'files');
    const manifestPath = path.join(modeDir, 'manifest.json');
    if (!fs.existsSync(path.join(filesDir, 'package.json'))) return undefined;
    const manifest: BuildManifest | undefined = readManifest(manifestPath);
    const inputs = manifest?.inputs;
    if (!manifest || !inputs || manifest.version !== 1 || manifest.root !== root || manifest.mode !== opts.mode) return undefined;
    if (inputs.version !== INSTRUMENTER_VERSION || !sameList(inputs.include, opts.include ?? []) || !sameList(inputs.exclude, opts.exclude ?? [])) return undefined;
    for (const [file, stamp] of Object.entries(inputs.configs)) if (fileStamp(file) !== stamp) return undefined;
    const files = listSourceFiles(root, outDir, opts.include, opts.exclude, opts.entry);
    if (files.length !== Object.keys(manifest.files).length) return undefined;
    const esm = new Set(inputs.esm);
    const packageType = makePackageTypeLookup();
    for (let i = 0; i < files.length; i++) {
      if (opts.signal?.aborted) return undefined;
      const file = files[i]!;
      const entry: BuildEntry | undefined = Object.hasOwn(manifest.files, file) ? manifest.files[file] : undefined;
      if (!entry || !entry.sourceHash || path.dirname(entry.out) !== filesDir || path.dirname(entry.sites) !== filesDir) return undefined;
      if (isEsmFile(file, packageType(file)) !== esm.has(file)) return undefined;
      // sourceHash is the sha256 of the text's UTF-8: for a valid UTF-8 file, that of its bytes (no
      // decoding needed); a file that is not valid UTF-8 never matches and goes to the real build.
      if (fileStamp(file) !== entry.sourceHash) return undefined;
      if (!fs.existsSync(entry.out) || !fs.existsSync(entry.sites)) return undefined;
      opts.onProgress?.(i + 1, files.length, file);
    }
    return { manifestPath, manifest, built: 0, reused: files.length, errors: [], ms: performance.now() - t0 };
  } catch {
    return undefined;
  }
}
