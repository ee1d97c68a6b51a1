'use strict';
// typescript: transpileModule (TS -> CommonJS ES2020 JS) on a few generated TypeScript files, and
// report diagnostics of a syntax error. Optional in the corpus: 8.7 MB of compiler to instrument.
const ts = require('../vendor/typescript');
const { n, gen, hash, report } = require('./lib/common');

const g = gen(83);
function file(k) {
  const out = [`import { readFileSync } from 'fs';`, `export enum Color${k} { Red, Green = ${k}, Blue }`];
  for (let i = 0; i < 30; i++) {
    out.push(`export interface I${k}_${i}<T> { id: number; value: T; tags?: string[] }`);
    out.push(`export class C${k}_${i}<T> implements I${k}_${i}<T> {`,
      `  private cache = new Map<string, T>();`,
      `  constructor(public id: number, readonly value: T, public tags: string[] = ['${g.word()}']) {}`,
      `  get size(): number { return this.cache.size + ${i}; }`,
      `  async load(path: string): Promise<T | undefined> { const t = readFileSync(path, 'utf8') as unknown as T; this.cache.set(path, t); return t ?? this.value; }`,
      `  static of<U>(v: U): C${k}_${i}<U> { return new C${k}_${i}<U>(${i}, v); }`,
      `}`,
      `export const f${k}_${i} = <T extends { id: number }>(xs: T[]): number => xs.reduce((a, { id }) => a + id * ${g.int(1, 9)}, 0);`);
  }
  return out.join('\n');
}
const files = [];
for (let k = 0; k < 4; k++) files.push(file(k));
const rounds = n(4, 1);
let js = '';
let length = 0;
for (let r = 0; r < rounds; r++) {
  for (const text of files) {
    const res = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, sourceMap: r % 2 === 1 }, fileName: 'x.ts', reportDiagnostics: true });
    js = res.outputText;
    length += js.length;
  }
}
const bad = ts.transpileModule('let x: = 1;', { reportDiagnostics: true, compilerOptions: {} });
report('typescript', { version: ts.version, rounds, length, js: hash(js), diagnostics: bad.diagnostics.map((d) => `${d.code}:${d.start}`) });
