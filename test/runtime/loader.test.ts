import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { FIXTURES, runWithRuntime } from './harness';

const APP = path.join(FIXTURES, 'app');
const SRC = path.join(APP, 'prog.ts');
const OUT = path.join(APP, 'prog.instrumented.js');

function writeManifest(dir: string, hash?: string): string {
  const sites = path.join(dir, 'prog.sites.json');
  fs.writeFileSync(sites, JSON.stringify({
    file: SRC, hash: 'x', mode: 'full',
    sites: [
      { kind: 0, line: 1, column: 1, endLine: 2, endColumn: 1, name: '<module>', fn: 0 },
      { kind: 3, line: 1, column: 7, endLine: 1, endColumn: 13, name: 'helper', binding: 'const', fn: 0 },
      { kind: 3, line: 2, column: 5, endLine: 2, endColumn: 11, name: 'apiKey', binding: 'var', fn: 0 },
      { kind: 2, line: 3, column: 1, endLine: 3, endColumn: 10, fn: 0 },
    ],
  }));
  const real = createHash('sha256').update(fs.readFileSync(SRC, 'utf8')).digest('hex').slice(0, 16);
  const manifest = path.join(dir, 'manifest.json');
  fs.writeFileSync(manifest, JSON.stringify({
    version: 1, root: APP, mode: 'full',
    files: { [SRC]: { hash: 'cachekey', sourceHash: hash ?? real, out: OUT, sites, siteCount: 4 } },
  }));
  return manifest;
}

describe('runtime loader (build manifest)', function () {
  this.timeout(30000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-loader-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the instrumented code for a manifest .ts file under its original filename', async () => {
    const r = await runWithRuntime(SRC, [], { env: { ELIXIRSCOPE_MANIFEST: writeManifest(dir) } });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'instrumented helper prog.ts app\n');
    assert.equal(r.code, 0);
    assert.equal(r.sinks.length, 1);
    assert.deepEqual(r.sinks[0].events, [
      ['fileLoaded', 0, 0, [JSON.stringify({ hash: 'HASH', file: SRC, count: 4 })]],
      ['call', 0, 1, undefined],
      ['write', 1, 0, [{ o: 1, c: 'Object', k: 'object', n: 1, p: [['name', 'helper']] }]],
      ['write', 2, 0, [{ x: 'redacted' }]], // variable named like a secret (site table)
      ['step', 3, 0, undefined],
      ['exit', 0, 1, undefined],
      ['processExit', 0, 0, [0]],
    ]);
  });

  it('runs the original when the source changed since it was instrumented', async () => {
    const r = await runWithRuntime(SRC, [], { env: { ELIXIRSCOPE_MANIFEST: writeManifest(dir, '0123456789abcdef') } });
    assert.equal(r.stdout, 'original helper\n');
    assert.equal(r.code, 0);
    assert.deepEqual(r.sinks[0].events, [['processExit', 0, 0, [0]]]);
  });
});

describe('runtime loader (ES modules)', function () {
  this.timeout(30000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-esm-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the instrumented source of a manifest .mjs file through a module.register() loader', async () => {
    const esm = path.join(FIXTURES, 'esm');
    const src = path.join(esm, 'main.mjs');
    const manifest = path.join(dir, 'manifest.json');
    fs.writeFileSync(manifest, JSON.stringify({
      version: 1, root: esm, mode: 'full',
      files: { [src]: { hash: 'cachekey', sourceHash: createHash('sha256').update(fs.readFileSync(src, 'utf8')).digest('hex').slice(0, 16), out: path.join(esm, 'main.instrumented.mjs'), sites: path.join(dir, 'none.json'), siteCount: 3 } },
    }));
    const r = await runWithRuntime(src, [], { env: { ELIXIRSCOPE_MANIFEST: manifest } });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'instrumented esm lib main.mjs\n');
    assert.equal(r.code, 0);
    assert.deepEqual(r.sinks[0].events, [
      ['fileLoaded', 0, 0, [JSON.stringify({ hash: 'E', file: src, count: 3 })]],
      ['call', 0, 1, undefined],
      ['write', 1, 0, ['lib']],
      ['step', 2, 0, undefined],
      ['exit', 0, 1, undefined],
      ['processExit', 0, 0, [0]],
    ]);
  });

  it('TypeScript ESM ("type": "module" .ts): instrumented sources, and ./x.js resolves to x.ts', async () => {
    const esm = path.join(FIXTURES, 'esm');
    const main = path.join(esm, 'ts-main.ts'), lib = path.join(esm, 'tslib.ts');
    const h = (f: string) => createHash('sha256').update(fs.readFileSync(f, 'utf8')).digest('hex').slice(0, 16);
    const manifest = path.join(dir, 'manifest-ts.json');
    fs.writeFileSync(manifest, JSON.stringify({
      version: 1, root: esm, mode: 'full',
      files: {
        [main]: { hash: 'k1', sourceHash: h(main), out: path.join(esm, 'ts-main.instrumented.mjs'), sites: path.join(dir, 'none.json'), siteCount: 2 },
        [lib]: { hash: 'k2', sourceHash: h(lib), out: path.join(esm, 'tslib.instrumented.mjs'), sites: path.join(dir, 'none.json'), siteCount: 2 },
      },
    }));
    const r = await runWithRuntime(main, [], { env: { ELIXIRSCOPE_MANIFEST: manifest } });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'instrumented ts esm 42\n');
    assert.deepEqual(r.sinks[0].events.map((e) => e[0]), ['fileLoaded', 'fileLoaded', 'call', 'call', 'return', 'exit', 'write', 'exit', 'processExit']);
  });
});
