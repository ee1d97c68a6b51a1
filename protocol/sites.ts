/**
 * The site table: every static fact about an instrumented place in the source.
 * Produced by instrumenter/ per source file; merged per recording by the adapter
 * (file tables get a base id at load time, see EventKind.FileLoaded).
 * Lines and columns are 1-based and refer to the ORIGINAL source file.
 */
export const enum SiteKind {
  Module = 0,
  Function = 1,
  Statement = 2,
  Write = 3,
  PropWrite = 4,
  Await = 5,
  Yield = 6,
  Return = 7,
}

export interface Site {
  kind: SiteKind;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Function sites: the display name ("<module>", "foo", "Invoice.total", "<anonymous>"). Write sites: the variable name. PropWrite: the property name, or "" when computed. */
  name?: string;
  /** Function sites: 'async' | 'generator' | 'async-generator' | undefined for plain. */
  flavor?: 'async' | 'generator' | 'async-generator';
  /** Function sites: parameter names in order (destructured parameters contribute each bound name). */
  params?: string[];
  /** Write sites: how the variable got its value ('this' = the function's receiver, recorded at entry). */
  binding?: 'param' | 'var' | 'let' | 'const' | 'assign' | 'catch' | 'class' | 'this' | 'function';
  /**
   * Function and module sites: every name declared in the function's own scope (parameters,
   * var/let/const/class/function declarations in its body and blocks, not in nested functions),
   * so a debugger can list a local before its first write (V8 shows it as undefined).
   */
  declared?: string[];
  /**
   * Function and module sites: the block scopes of the function's own body that declare names
   * (absent when none, and in tables of older builds). A name listed here is in scope only at
   * places inside the block's range; outside it V8 shows no such variable.
   */
  blocks?: BlockScope[];
  /** Index (local to the file table) of the enclosing function/module site. */
  fn: number;
}

/** A block scope inside a function: its range (1-based, original source) and the names it declares. */
export interface BlockScope {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /**
   * 'block' `{ ... }`, 'loop' a for loop's let/const head, 'catch' a catch clause's parameter,
   * 'switch' the case block of a switch.
   */
  kind: 'block' | 'loop' | 'catch' | 'switch';
  names: string[];
}

/** What the instrumenter writes for one source file (JSON next to the instrumented JS). */
export interface FileSiteTable {
  /** Absolute path of the original source file. */
  file: string;
  /** The instrumenter's cache key for this output (same as BuildEntry.hash and the hash given to `file()`). */
  hash: string;
  mode: import('./events').Mode;
  /** Index 0 is always the file's Module site. */
  sites: Site[];
  /**
   * What plain Node's `Function.prototype.toString` returns for the file's functions and classes
   * (optional: absent when the file has none, or in tables of older builds). The instrumented
   * output puts a comment `/*@es:K*\/` before marked function/class K; its plain source text is
   * `text.slice(spans[2K], spans[2K + 1])` (-1, -1: unknown, the native text stays).
   */
  plain?: {
    /** The text plain Node runs: the original source for JavaScript, else the transpiled-without-instrumentation output. */
    text: string;
    /** [start, end) per marker, flat. */
    spans: number[];
  };
}

/** The manifest of a build folder: which instrumented output serves which source file. */
export interface BuildManifest {
  version: 1;
  /** Absolute workspace root. */
  root: string;
  mode: import('./events').Mode;
  files: Record<string /* absolute source path */, BuildEntry>;
  /**
   * What the build depended on besides the sources (written by the instrumenter): when all of it
   * and every source's sourceHash are unchanged, the build is up to date without loading the compiler.
   */
  inputs?: BuildInputs;
}

export interface BuildInputs {
  /** INSTRUMENTER_VERSION of the build. */
  version: string;
  include: string[];
  exclude: string[];
  /** Every configuration file the compiler options were read from or probed for: sha256 (16 hex) of its text, or null when absent. */
  configs: Record<string, string | null>;
  /** Sources loaded as ES modules (the others are CommonJS). */
  esm: string[];
}

export interface BuildEntry {
  /** Cache key of the instrumented output (instrumenter version, mode, compiler options, source). */
  hash: string;
  /** sha256 (hex, first 16 chars) of the source text: the runtime serves `out` only while the file still has this content. */
  sourceHash: string;
  /** Absolute path of the instrumented JS (with inline source map). */
  out: string;
  /** Absolute path of the FileSiteTable JSON. */
  sites: string;
  siteCount: number;
}
