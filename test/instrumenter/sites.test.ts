import assert from 'node:assert/strict';
import * as vm from 'node:vm';
import { instrumentSource } from '../../instrumenter';
import type { Site } from '../../protocol/sites';

const FILE = '/virtual/sites.ts';

function sitesOf(text: string, mode: 'minimal' | 'balanced' | 'full' = 'full'): Site[] {
  const r = instrumentSource(FILE, text, mode);
  assert.deepEqual(r.errors, []);
  return r.table.sites;
}

/** 1-based line/column of the n-th occurrence of `needle`. */
function pos(text: string, needle: string, n = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= n; k++) { i = text.indexOf(needle, i + 1); if (i < 0) throw new Error(`${needle} not found`); }
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

describe('instrumenter: sites carry original positions', () => {
  it('statements on one line each get their own column; a multi-line statement spans its lines', () => {
    const text = [
      'let a = 1; let b = 2; a++;',
      'const total =',
      '  a +',
      '    b;',
      'if (a) { b = a; } else b = 0;',
    ].join('\n');
    const steps = sitesOf(text, 'balanced').filter((s) => s.kind === 2);
    const at = (l: number, c: number) => steps.find((s) => s.line === l && s.column === c);
    assert.ok(at(1, 1)); assert.ok(at(1, 12)); assert.ok(at(1, 23));
    assert.equal(at(1, 1)!.endLine, 1); assert.equal(at(1, 1)!.endColumn, 11);
    const multi = at(2, 1)!;
    assert.deepEqual([multi.endLine, multi.endColumn], [4, 7]);
    const ifSite = at(5, 1)!;
    assert.deepEqual([ifSite.endLine, ifSite.endColumn], [5, 30]);
    assert.ok(at(5, 10), 'statement inside then-block');
    assert.ok(at(5, 24), 'single statement else-branch gets a step');
    assert.equal(steps.length, 7);
  });

  it('functions, writes, property writes, returns, awaits and yields point at their source', () => {
    const text = [
      'class Invoice {',
      '  total = 0;',
      '  applyDiscount(pct: number) { this.total *= 1 - pct; return this.total; }',
      '}',
      'async function load(url: string) { const res = await fetch(url); return res; }',
      'function* ids() { let i = 0; while (true) yield i++; }',
      'const o: any = {}; o.k = 1;',
    ].join('\n');
    const sites = sitesOf(text);
    const find = (kind: number, name?: string) => sites.filter((s) => s.kind === kind && (name === undefined || s.name === name));
    const fn = find(1, 'Invoice.applyDiscount')[0]!;
    assert.deepEqual([fn.line, fn.column], [3, 3]);
    assert.deepEqual(fn.params, ['pct']);
    const pw = find(4, 'total')[0]!;
    assert.deepEqual([pw.line, pw.column], [pos(text, 'this.total *=').line, pos(text, 'this.total *=').column]);
    const ret = find(7).find((s) => s.line === 3)!;
    assert.equal(ret.column, pos(text, 'return this.total').column);
    assert.equal(ret.fn, sites.indexOf(fn));
    const load = find(1, 'load')[0]!;
    assert.equal(load.flavor, 'async');
    const aw = find(5)[0]!;
    assert.deepEqual([aw.line, aw.column], [5, pos(text, 'await fetch').column]);
    assert.equal(aw.fn, sites.indexOf(load));
    const w = find(3, 'res')[0]!;
    assert.deepEqual([w.line, w.column, w.binding], [5, pos(text, 'res = await').column, 'const']);
    const y = find(6)[0]!;
    assert.deepEqual([y.line, y.column], [6, pos(text, 'yield i++').column]);
    assert.equal(find(1, 'ids')[0]!.flavor, 'generator');
    const i = find(3, 'i');
    assert.deepEqual(i.map((s) => s.binding), ['let', 'assign']);
    const ok = find(4, 'k')[0]!;
    assert.deepEqual([ok.line, ok.column, ok.endColumn], [7, 20, 27]);
    const param = find(3, 'url')[0]!;
    assert.deepEqual([param.binding, param.line, param.column], ['param', 5, pos(text, 'url: string').column]);
  });

  it('minimal mode has no statement, write or return sites; await/yield sites stay', () => {
    const sites = sitesOf('async function f(x: number) { let y = await x; return y; }\nfunction* g() { yield 1; }', 'minimal');
    assert.deepEqual(sites.map((s) => s.kind).sort(), [0, 1, 1, 5, 6]);
  });

  it("'this': a write site per non-arrow function in full mode, emitted after the parameter writes", () => {
    const text = [
      'function f(a: number) { return a; }',
      'const o = { m() {}, get g() { return 1; }, set s(v: number) {}, *gen() {}, async am() {} };',
      'class C { constructor(x: number) {} static { } static sm() {} }',
      'const ar = (p: number) => p;',
      'const fe = function () {};',
    ].join('\n');
    const r = instrumentSource(FILE, text, 'full');
    assert.deepEqual(r.errors, []);
    const sites = r.table.sites;
    const fns = sites.filter((s) => s.kind === 1);
    const thisOf = (fn: Site) => sites.filter((s) => s.kind === 3 && s.name === 'this' && s.fn === sites.indexOf(fn));
    for (const fn of fns) {
      const t = thisOf(fn);
      if (fn.name === 'ar') { assert.equal(t.length, 0, 'arrows have no this'); continue; }
      assert.equal(t.length, 1, `${fn.name} records this once`);
      assert.equal(t[0]!.binding, 'this');
      // The site spans the function.
      assert.deepEqual([t[0]!.line, t[0]!.column, t[0]!.endLine, t[0]!.endColumn], [fn.line, fn.column, fn.endLine, fn.endColumn]);
    }
    assert.deepEqual(fns.map((s) => s.name).sort(),
      ['C.<static>', 'C.constructor', 'C.sm', 'ar', 'f', 'fe', 'o.am', 'o.g', 'o.gen', 'o.m', 'o.s'].sort());
    assert.ok(!sites.some((s) => s.name === 'this' && s.fn === 0), 'the module records no this');
    // After the parameter writes.
    const fSite = sites.indexOf(fns.find((s) => s.name === 'f')!);
    const aSite = sites.findIndex((s) => s.kind === 3 && s.name === 'a');
    const tSite = sites.indexOf(thisOf(fns.find((s) => s.name === 'f')!)[0]!);
    assert.match(r.code, new RegExp(`\\$\\$es\\.w\\(\\$\\$s \\+ ${aSite}, a\\);\\s*\\$\\$es\\.w\\(\\$\\$s \\+ ${tSite}, this\\);`));
    assert.ok(fSite < aSite && aSite < tSite);
    // Other modes: no this writes.
    for (const mode of ['minimal', 'balanced'] as const) assert.ok(!sitesOf(text, mode).some((s) => s.name === 'this'), mode);
  });

  it("'this' in derived-class constructors: after each super(...) statement, never before", () => {
    const text = [
      'class B { constructor(public x: number) {} }',
      'class D extends B {',
      '  y = 1;',
      '  constructor(x: number) {',
      '    if (x) super(x);',
      '    else { super(0); }',
      '  }',
      '}',
      'class E extends B { constructor() { const v = (super(1), 2); } }',
      'class F extends B { constructor(public z: number) { super(z); } }',
    ].join('\n');
    const r = instrumentSource(FILE, text, 'full');
    assert.deepEqual(r.errors, []);
    const sites = r.table.sites;
    const ctor = (name: string) => sites.indexOf(sites.find((s) => s.kind === 1 && s.name === name)!);
    const thisSites = (fn: number) => sites.map((s, i) => ({ s, i })).filter(({ s }) => s.name === 'this' && s.fn === fn);
    const d = thisSites(ctor('D.constructor'));
    assert.equal(d.length, 2);
    assert.deepEqual(d.map(({ s }) => [s.line, s.column, s.endColumn]), [
      [5, pos(text, 'super(x)').column, pos(text, 'super(x)').column + 8],
      [6, pos(text, 'super(0)').column, pos(text, 'super(0)').column + 8],
    ]);
    for (const { i } of d) assert.match(r.code, new RegExp(`super\\(\\w+\\);\\s*(this\\.\\w+ = \\w+;\\s*)*\\$\\$es\\.w\\(\\$\\$s \\+ ${i}, this\\);`));
    // Nothing reads `this` before super(): the first `this` in D's constructor body follows `super(x)`.
    const body = r.code.slice(r.code.indexOf('class D'), r.code.indexOf('class E'));
    assert.ok(body.indexOf('this') > body.indexOf('super(x)'));
    // super() inside an expression: not recorded.
    assert.equal(thisSites(ctor('E.constructor')).length, 0);
    assert.equal(thisSites(ctor('B.constructor')).length, 1);
    // Parameter properties (TypeScript puts them right after super()) come before the write.
    const [fThis] = thisSites(ctor('F.constructor'));
    assert.match(r.code, new RegExp(`super\\(z\\);\\s*this\\.z = z;\\s*\\$\\$es\\.w\\(\\$\\$s \\+ ${fThis!.i}, this\\);`));
  });

  it("declared: parameters first, then the function's own declarations in source order", () => {
    const text = [
      'function f(p1: number, { p2, q: [p3] }: any, ...p4: number[]) {',
      '  var v1 = 1;',
      '  if (p1) { let l1 = 2; const { d1, e: { d2 } } = {} as any; }',
      '  for (let i = 0; ;) break;',
      '  for (const k in {}) {}',
      '  for (var o of []) {}',
      '  try { let t1; } catch ({ message }) { let c1; } finally { var fin; }',
      '  switch (p1) { case 1: let s1; default: function sf() {} }',
      '  function inner(zz: number) { var notMine = 1; }',
      '  class K { m() { var alsoNot; } static { var nope; } }',
      '  const arrow = (ap: number) => { let nn; };',
      '  const fe = function named() { var deep; };',
      '  lbl: while (false) { var w1; }',
      '  interface I { a: number }',
      '  type U = number;',
      '  enum En { A }',
      '  var v1 = 3;',
      '  do { var dw; } while (false);',
      '  try {} catch { var noBinding; }',
      '}',
      'class Cls { constructor(private a: number, this_: number) { let c = 1; } static { const s = 1; } }',
      'const arr = (x: number, [y]: number[]) => x + y;',
    ].join('\n');
    const sites = sitesOf(text, 'minimal');
    const fn = (name: string) => sites.find((s) => s.kind === 1 && s.name === name)!;
    assert.deepEqual(fn('f').declared, ['p1', 'p2', 'p3', 'p4', 'v1', 'l1', 'd1', 'd2', 'i', 'k', 'o', 't1', 'message', 'c1', 'fin',
      's1', 'sf', 'inner', 'K', 'arrow', 'fe', 'w1', 'En', 'dw', 'noBinding']);
    assert.deepEqual(fn('inner').declared, ['zz', 'notMine']);
    assert.deepEqual(fn('K.m').declared, ['alsoNot']);
    assert.deepEqual(fn('K.<static>').declared, ['nope']);
    assert.deepEqual(fn('arrow').declared, ['ap', 'nn']);
    assert.deepEqual(fn('named').declared, ['deep']);
    assert.deepEqual(fn('sf').declared, []);
    assert.deepEqual(fn('Cls.constructor').declared, ['a', 'this_', 'c']);
    assert.deepEqual(fn('Cls.<static>').declared, ['s']);
    assert.deepEqual(fn('arr').declared, ['x', 'y']);
    // Every mode.
    for (const mode of ['balanced', 'full'] as const) {
      assert.deepEqual(sitesOf(text, mode).filter((s) => s.kind <= 1).map((s) => s.declared), sites.filter((s) => s.kind <= 1).map((s) => s.declared), mode);
    }
  });

  it('declared: a module lists its top-level declarations, imports included, types and ambient declarations not', () => {
    const text = [
      "import def, { a as b, type T, c } from 'x';",
      "import type Q from 'q';",
      "import * as ns from 'y';",
      "import eq = require('z');",
      "import type teq = require('z');",
      'export const ex = 1, [ey] = [2];',
      'declare const amb: number;',
      'declare function ambFn(): void;',
      'interface I {}',
      'type U = number;',
      'enum E { A }',
      'namespace N { export const v = 1; }',
      'namespace TN { export type X = 1; }',
      'function over(a: number): void;',
      'function over(a: any) { var local; }',
      'export default class Named {}',
      'if (def) { let blockLocal = 1; }',
      'for (const it of []) {}',
      'try {} catch (err) {}',
      'const arrow = () => { let notTop; };',
    ].join('\n');
    const sites = sitesOf(text, 'balanced');
    assert.deepEqual(sites[0]!.declared, ['def', 'b', 'c', 'ns', 'eq', 'ex', 'ey', 'E', 'N', 'over', 'Named', 'blockLocal', 'it', 'err', 'arrow']);
    assert.deepEqual(sites.find((s) => s.name === 'over')!.declared, ['a', 'local']);
    // A function without declarations still has the list (the adapter tells "no locals" from "unknown").
    const js = instrumentSource('/virtual/plain.js', 'var x = 1;\nfunction g() {}\n', 'minimal').table.sites;
    assert.deepEqual(js[0]!.declared, ['x', 'g']);
    assert.deepEqual(js.find((s) => s.name === 'g')!.declared, []);
  });

  it('identifiers that use the reserved prefixes are left alone: the output renames its own', () => {
    const r = instrumentSource(FILE, 'const $$es = 1; let $$t1 = 2; $$t1++; console.log($$es + $$t1);', 'full');
    assert.deepEqual(r.errors, []);
    assert.match(r.code, /var \$\$es_1_ = globalThis\["__elixirscope_hooks__"\], \$\$s_1_ = \$\$es_1_\.file\(/);
  });

  it('header: after shebang and directives, with hash, absolute path and site count', () => {
    const r = instrumentSource('/virtual/cli.js', '#!/usr/bin/env node\n"use strict";\nconsole.log(1);\n', 'balanced');
    const lines = r.code.split('\n');
    assert.equal(lines[0], '#!/usr/bin/env node');
    assert.equal(lines[1], '"use strict";');
    assert.equal(lines[2], `var $$es = globalThis["__elixirscope_hooks__"], $$s = $$es.file("${r.table.hash}", "/virtual/cli.js", ${r.table.sites.length});`);
    assert.equal(r.table.hash.length, 16);
  });

  it('minimal mode: plain functions check the call budget inline, async functions and generators call the hooks', () => {
    const r = instrumentSource('/virtual/budget.js', 'function plain(x) { return x; }\nasync function later() { await 0; }\nfunction* gen() { yield 1; }\n', 'minimal');
    const lines = r.code.split('\n');
    assert.equal(lines[0], `var $$es = globalThis["__elixirscope_hooks__"], $$s = $$es.file("${r.table.hash}", "/virtual/budget.js", ${r.table.sites.length}), $$b = $$es.b($$s, ${r.table.sites.length}), $$q = $$es.q;`);
    const site = (name: string): number => r.table.sites.findIndex((s) => s.name === name);
    const k = site('plain');
    assert.ok(r.code.includes(`var $$f = $$q[0] === 0 && $$b[${2 * k}] > 0 ? $$es.c($$s + ${k}) : ($$q[0]++, $$b[${2 * k + 1}]++, -1);`), r.code);
    assert.ok(r.code.includes(`$$f < 0 ? $$q[0]-- : $$es.e($$s + ${k}, $$f);`), r.code);
    for (const name of ['later', 'gen']) assert.ok(r.code.includes(`var $$f = $$es.c($$s + ${site(name)});`), `${name}: ${r.code}`);
    assert.ok(!instrumentSource('/virtual/budget.js', 'function plain(x) { return x; }\n', 'balanced').code.includes('$$b'), 'other modes keep the hooks');
  });

  it('inline source map names the absolute original file', () => {
    const r = instrumentSource(FILE, 'export const x: number = 1;\n', 'full');
    const m = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)\s*$/.exec(r.code);
    assert.ok(m);
    const map = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as { sources: string[]; mappings: string };
    assert.deepEqual(map.sources, [FILE]);
    assert.ok(map.mappings.length > 0);
  });

  it('a syntax error is a BuildError with line and column, and no code', () => {
    const r = instrumentSource(FILE, 'let ok = 1;\nfunction (x {\n', 'full');
    assert.equal(r.code, '');
    assert.ok(r.errors.length >= 1);
    assert.equal(r.errors[0]!.file, FILE);
    assert.equal(r.errors[0]!.line, 2);
    assert.ok(r.errors[0]!.column > 1);
    assert.ok(r.errors[0]!.message.length > 0);
  });

  it('type errors are not build errors', () => {
    const r = instrumentSource(FILE, 'const x: number = "str"; undefinedThing(x);\n', 'full');
    assert.deepEqual(r.errors, []);
  });

  it('output is plain JavaScript that compiles', () => {
    const r = instrumentSource(FILE, 'enum E { A } namespace N { export const v = E.A; }\nexport default N.v;\n', 'full');
    assert.doesNotThrow(() => new vm.Script(r.code));
  });
});
