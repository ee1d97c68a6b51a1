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
