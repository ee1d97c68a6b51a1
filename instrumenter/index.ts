/**
 * instrumenter/: rewrites user TypeScript/JavaScript so it reports runtime events through the
 * hooks of protocol/hooks.ts, and writes the build folder (instrumented JS with inline source
 * maps, one FileSiteTable per file, the manifest). Never imports runtime/ or adapter/.
 */
import type { ts } from 'ts-morph';
import type { Mode } from '../protocol/events';
import type { FileSiteTable } from '../protocol/sites';
import { instrumentFile, type BuildError } from './transform';

export type { BuildError } from './transform';
export { INSTRUMENTER_VERSION } from './transform';
export { buildWorkspace, findWorkspaceRoot, type BuildOptions, type BuildResult } from './build';

/** Instrument one file's text (pure: no file system). `compilerOptions` are tsconfig-style workspace options. */
export function instrumentSource(fileName: string, text: string, mode: Mode, compilerOptions?: ts.CompilerOptions):
  { code: string; table: FileSiteTable; errors: BuildError[] } {
  const r = instrumentFile(fileName, text, mode, compilerOptions);
  return { code: r.code, table: r.table, errors: r.errors };
}

/** The same file transpiled with the same options and no instrumentation (the equivalence baseline). */
export function transpilePlain(fileName: string, text: string, compilerOptions?: ts.CompilerOptions): { code: string; errors: BuildError[] } {
  const r = instrumentFile(fileName, text, 'minimal', compilerOptions, { plain: true });
  return { code: r.code, errors: r.errors };
}
