/**
 * instrumenter/: rewrites user TypeScript/JavaScript so it reports runtime events through the
 * hooks of protocol/hooks.ts, and writes the build folder (instrumented JS with inline source
 * maps, one FileSiteTable per file, the manifest). Never imports runtime/ or adapter/.
 *
 * The TypeScript compiler (several MB) is loaded on first use, not when this module is imported.
 */
import type { ts } from 'ts-morph';
import type { Mode } from '../protocol/events';
import type { FileSiteTable } from '../protocol/sites';
import type * as Build from './build';
import type * as Transform from './transform';
import type { BuildError } from './transform';

export type { BuildError } from './transform';
export type { BuildOptions, BuildResult } from './build';
export { INSTRUMENTER_VERSION } from './version';
export { findWorkspaceRoot, isSourceFile } from './workspace';
import { upToDateBuild } from './fresh';

/* eslint-disable @typescript-eslint/no-require-imports */
const build = (): typeof Build => require('./build') as typeof Build;
const transform = (): typeof Transform => require('./transform') as typeof Transform;

/**
 * Instrument every source file of a workspace that has no up-to-date output; write the manifest.
 * An up-to-date build folder is recognised without loading the compiler (fresh.ts).
 */
export function buildWorkspace(opts: Build.BuildOptions): Promise<Build.BuildResult> {
  const fresh = upToDateBuild(opts);
  if (fresh) return Promise.resolve(fresh);
  return build().buildWorkspace(opts);
}

/** Instrument one file's text (pure: no file system). `compilerOptions` are tsconfig-style workspace options. */
export function instrumentSource(fileName: string, text: string, mode: Mode, compilerOptions?: ts.CompilerOptions):
  { code: string; table: FileSiteTable; errors: BuildError[] } {
  const r = transform().instrumentFile(fileName, text, mode, compilerOptions);
  return { code: r.code, table: r.table, errors: r.errors };
}

/** The same file transpiled with the same options and no instrumentation (the equivalence baseline). */
export function transpilePlain(fileName: string, text: string, compilerOptions?: ts.CompilerOptions): { code: string; errors: BuildError[] } {
  const r = transform().instrumentFile(fileName, text, 'minimal', compilerOptions, { plain: true });
  return { code: r.code, errors: r.errors };
}
