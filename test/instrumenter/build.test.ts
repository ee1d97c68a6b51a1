import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildWorkspace, findWorkspaceRoot } from '../../instrumenter';
import { listSourceFiles } from '../../instrumenter/workspace';
import { upToDateBuild } from '../../instrumenter/fresh';
import type { BuildManifest, FileSiteTable } from '../../protocol/sites';
import { FIXTURES, LOADER, STUB, runNode, tmpDir } from './harness';

function write(root: string, rel: string, text: string): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function makeWorkspace(): string {
  const root = tmpDir('ws');
  write(root, 'package.json', '{ "name": "ws", "version": "1.0.0" }\n');
  write(root, 'tsconfig.json', '{ "compilerOptions": { "target": "ES2022", "strict": true, "experimentalDecorators": true } }\n');
  write(root, 'src/main.ts', "import { add } from './math';\nimport util = require('./util.js');\nconsole.log('sum', add(2, 3), util.twice(4));\n");
  write(root, 'src/math.ts', 'export function add(a: number, b: number): number {\n  return a + b;\n}\n');
  write(root, 'src/util.js', "'use strict';\nexports.twice = (x) => x * 2;\n");
  write(root, 'src/types.d.ts', 'declare const nothing: number;\n');
  write(root, 'node_modules/dep/index.js', 'module.exports = 1;\n');
  write(root, 'node_modules/acorn/dist/acorn.js', 'module.exports = 2;\n');
  write(root, 'vendor/skip.ts', 'export const skipped = true;\n');
  return root;
}

describe('instrumenter: workspace builds', function () {
  this.timeout(120_000);

  it('cold build, reuse, one-file rebuild, syntax error keeping the previous entry', async () => {
    const root = makeWorkspace();
    const outDir = path.join(root, '.elixirscope', 'build');
    const progress: string[] = [];
    const cold = await buildWorkspace({ root, outDir, mode: 'balanced', exclude: ['vendor/**'], onProgress: (d, t, f) => progress.push(`${d}/${t} ${path.basename(f)}`) });
    assert.deepEqual(cold.errors, []);
    const files = Object.keys(cold.manifest.files).map((f) => path.relative(root, f)).sort();
    assert.deepEqual(files, ['src/main.ts', 'src/math.ts', 'src/util.js']);
    assert.equal(cold.built, 3);
    assert.equal(cold.reused, 0);
    assert.equal(progress.length, 3);
    assert.equal(cold.manifestPath, path.join(outDir, 'balanced', 'manifest.json'));
    const onDisk = JSON.parse(fs.readFileSync(cold.manifestPath, 'utf8')) as BuildManifest;
    assert.deepEqual(onDisk, cold.manifest);
    assert.equal(onDisk.root, root);
    const mathFile = path.join(root, 'src/math.ts');
    const mathEntry = onDisk.files[mathFile]!;
    assert.equal(mathEntry.out, path.join(outDir, 'balanced', 'files', `${mathEntry.hash}.js`));
    const table = JSON.parse(fs.readFileSync(mathEntry.sites, 'utf8')) as FileSiteTable;
    assert.equal(table.file, mathFile);
    assert.equal(table.sites.length, mathEntry.siteCount);
    assert.equal(mathEntry.sourceHash, createHash('sha256').update(fs.readFileSync(mathFile)).digest('hex').slice(0, 16));

    // The built program runs (through a loader that serves the manifest's outputs) and reports events.
    const events = path.join(root, 'events.json');
    const run = runNode(path.join(root, 'src/main.ts'), { args: ['-r', STUB, '-r', LOADER], env: { ES_MANIFEST: cold.manifestPath, ES_EVENTS: events } });
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, 'sum 5 8\n');
    const rec = JSON.parse(fs.readFileSync(events, 'utf8')) as { files: Array<{ path: string }> };
    assert.deepEqual(rec.files.map((f) => path.relative(root, f.path)), ['src/main.ts', 'src/math.ts', 'src/util.js']);

    // Nothing changed: everything reused, outputs untouched.
    const mtime = fs.statSync(mathEntry.out).mtimeMs;
    const again = await buildWorkspace({ root, outDir, mode: 'balanced', exclude: ['vendor/**'] });
    assert.equal(again.built, 0);
    assert.equal(again.reused, 3);
    assert.equal(fs.statSync(mathEntry.out).mtimeMs, mtime);

    // One edit: one file rebuilt.
    write(root, 'src/math.ts', 'export function add(a: number, b: number): number {\n  return a + b + 100;\n}\n');
    const one = await buildWorkspace({ root, outDir, mode: 'balanced', exclude: ['vendor/**'] });
    assert.equal(one.built, 1);
    assert.equal(one.reused, 2);
    assert.notEqual(one.manifest.files[mathFile]!.hash, mathEntry.hash);
    const run2 = runNode(path.join(root, 'src/main.ts'), { args: ['-r', STUB, '-r', LOADER], env: { ES_MANIFEST: one.manifestPath } });
    assert.equal(run2.stdout, 'sum 105 8\n');

    // A syntax error: reported with file:line:column; the previous entry stays; other files still build.
    const goodEntry = one.manifest.files[mathFile]!;
    write(root, 'src/math.ts', 'export function add(a: number, b: number): number {\n  return a + ;\n}\n');
    write(root, 'src/util.js', "'use strict';\nexports.twice = (x) => x * 3;\n");
    const broken = await buildWorkspace({ root, outDir, mode: 'balanced', exclude: ['vendor/**'] });
    assert.equal(broken.errors.length, 1);
    assert.equal(broken.errors[0]!.file, mathFile);
    assert.equal(broken.errors[0]!.line, 2);
    assert.equal(broken.errors[0]!.column, 14);
    assert.match(broken.errors[0]!.message, /Expression expected/);
    assert.deepEqual(broken.manifest.files[mathFile], goodEntry);
    assert.equal(broken.built, 1);
    const run3 = runNode(path.join(root, 'src/main.ts'), { args: ['-r', STUB, '-r', LOADER], env: { ES_MANIFEST: broken.manifestPath } });
    assert.equal(run3.stdout, 'sum 105 12\n');
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('include globs opt node_modules in; modes build separately; the manifest is replaced atomically', async () => {
    const root = makeWorkspace();
    const outDir = path.join(root, '.elixirscope', 'build');
    const r = await buildWorkspace({ root, outDir, mode: 'full', include: ['node_modules/acorn/**'] });
    const files = Object.keys(r.manifest.files).map((f) => path.relative(root, f)).sort();
    assert.deepEqual(files, ['node_modules/acorn/dist/acorn.js', 'src/main.ts', 'src/math.ts', 'src/util.js', 'vendor/skip.ts']);
    const m = await buildWorkspace({ root, outDir, mode: 'minimal' });
    assert.equal(m.built, 4);
    assert.notEqual(m.manifest.files[path.join(root, 'src/math.ts')]!.hash, r.manifest.files[path.join(root, 'src/math.ts')]!.hash);
    const leftovers = fs.readdirSync(path.join(outDir, 'full')).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a root reached through a symbolic link is keyed by real paths (as Node resolves modules)', async () => {
    const root = makeWorkspace();
    const link = `${root}-link`;
    fs.symlinkSync(root, link, 'dir');
    const r = await buildWorkspace({ root: link, outDir: path.join(link, 'custom-out'), mode: 'minimal' });
    assert.equal(r.manifest.root, root);
    assert.equal(r.built, 4, 'the build folder itself is not a source folder');
    const again = await buildWorkspace({ root: link, outDir: path.join(link, 'custom-out'), mode: 'minimal' });
    assert.deepEqual([again.built, again.reused], [0, 4]);
    assert.ok(r.manifest.files[path.join(root, 'src/math.ts')]);
    fs.rmSync(link);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('an up-to-date build is recognised without the compiler, and any input that changes the output makes it stale', async () => {
    const root = makeWorkspace();
    const outDir = path.join(root, '.elixirscope', 'build');
    write(root, 'tsconfig.base.json', '{ "compilerOptions": { "target": "ES2022" } }\n');
    write(root, 'tsconfig.json', '{ "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true } }\n');
    write(root, 'src/util.js', "'use strict';\n// \u00e9\u4e2d\ud83d\ude00 (multibyte UTF-8)\nexports.twice = (x) => x * 2;\n");
    const build = () => buildWorkspace({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] });
    const first = await build();
    assert.equal(first.built, 3);
    const mathFile = path.join(root, 'src/math.ts');
    const fresh = upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] });
    assert.ok(fresh, 'nothing changed: up to date');
    assert.deepEqual(fresh.manifest, first.manifest);
    assert.deepEqual([fresh.built, fresh.reused], [0, 3]);
    assert.equal(upToDateBuild({ root, outDir, mode: 'minimal' }), undefined, 'other excludes');
    assert.equal(upToDateBuild({ root, outDir, mode: 'full', exclude: ['vendor/**'] }), undefined, 'other mode');

    // A change in an extended tsconfig changes the emit options: rebuilt with new hashes.
    write(root, 'tsconfig.base.json', '{ "compilerOptions": { "target": "ES2017" } }\n');
    assert.equal(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }), undefined);
    const retarget = await build();
    assert.equal(retarget.built, 3);
    assert.notEqual(retarget.manifest.files[mathFile]!.hash, first.manifest.files[mathFile]!.hash);
    assert.ok(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }));

    // The module format (package.json "type") is an input too.
    write(root, 'package.json', '{ "name": "ws", "version": "1.0.0", "type": "module" }\n');
    assert.equal(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }), undefined);
    const esm = await build();
    assert.equal(esm.built, 3);
    // A new source file, a removed output, an edited source.
    assert.ok(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }));
    write(root, 'src/extra.ts', 'export const x = 1;\n');
    assert.equal(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }), undefined);
    fs.rmSync(path.join(root, 'src/extra.ts'));
    assert.ok(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }));
    fs.rmSync(esm.manifest.files[mathFile]!.out);
    assert.equal(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }), undefined);
    assert.equal((await build()).built, 1);
    write(root, 'src/util.js', "'use strict';\nexports.twice = (x) => x * 4;\n");
    assert.equal(upToDateBuild({ root, outDir, mode: 'minimal', exclude: ['vendor/**'] }), undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('an aborted build rejects', async () => {
    const root = makeWorkspace();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(buildWorkspace({ root, outDir: path.join(root, '.elixirscope', 'build'), mode: 'full', signal: ac.signal }), /stop/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a folder of no project takes in its own sources, not hidden folders or other projects below it', () => {
    const bare = tmpDir('loose');
    for (const f of ['prog.js', 'lib/util.js', '.cache/tool.js', 'other/index.js', 'typed/main.ts', 'lib/node_modules/dep/index.js']) write(bare, f, '');
    write(bare, 'other/package.json', '{}');
    write(bare, 'typed/tsconfig.json', '{}');
    const rel = (files: string[]) => files.map((f) => path.relative(bare, f).split(path.sep).join('/'));
    assert.deepEqual(rel(listSourceFiles(bare, path.join(bare, '.elixirscope', 'build'))), ['lib/util.js', 'prog.js']);
    // Given the program, the workspace is what it reaches through relative specifiers (any syntax, TS names).
    write(bare, 'prog.js', "const u = require('./lib/util');\nimport('../outside.js');\nexport * from './typed/main.js';\n");
    write(bare, 'typed/main.ts', "import { x } from './dep';\nimport './side.mjs';\nimport y from '../lib/node_modules/dep/index.js';\n");
    for (const f of ['typed/dep.ts', 'typed/side.mjs', 'typed/unused.ts']) write(bare, f, '');
    assert.deepEqual(rel(listSourceFiles(bare, path.join(bare, '.elixirscope', 'build'), [], [], path.join(bare, 'prog.js'))), ['lib/util.js', 'prog.js', 'typed/dep.ts', 'typed/main.ts', 'typed/side.mjs']);
    // An explicit include still reaches them, and inside a project nothing changes.
    assert.deepEqual(rel(listSourceFiles(bare, path.join(bare, '.elixirscope', 'build'), ['other/**'])), ['lib/util.js', 'other/index.js', 'prog.js']);
    write(bare, 'package.json', '{}');
    assert.deepEqual(rel(listSourceFiles(bare, path.join(bare, '.elixirscope', 'build'), [], [], path.join(bare, 'prog.js'))), ['.cache/tool.js', 'lib/util.js', 'other/index.js', 'prog.js', 'typed/dep.ts', 'typed/main.ts', 'typed/side.mjs', 'typed/unused.ts']);
    fs.rmSync(bare, { recursive: true, force: true });
  });

  it('findWorkspaceRoot: nearest package.json or tsconfig.json, else the program folder', () => {
    const root = makeWorkspace();
    assert.equal(findWorkspaceRoot(path.join(root, 'src/main.ts')), root);
    const bare = tmpDir('bare');
    write(bare, 'a/b/prog.js', '');
    // No marker up to the file system root (the temp folder has none): the program's own folder.
    const found = findWorkspaceRoot(path.join(bare, 'a/b/prog.js'));
    assert.ok(found === path.join(bare, 'a/b') || !found.startsWith(bare), found);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(bare, { recursive: true, force: true });
  });
});

describe('instrumenter: real third-party code (js-yaml, diff) instrumented in full mode', function () {
  this.timeout(300_000);
  it('prints exactly what the original prints', async () => {
    const root = tmpDir('thirdparty');
    const nm = path.resolve(require.resolve('js-yaml'), '../..');
    for (const pkg of ['js-yaml', 'argparse', 'diff']) {
      const src = path.join(nm, pkg);
      if (!fs.existsSync(src)) return void console.log(`      (skipped: ${pkg} not installed)`);
      fs.cpSync(src, path.join(root, 'node_modules', pkg), { recursive: true });
    }
    write(root, 'package.json', '{ "name": "tp", "private": true }\n');
    fs.copyFileSync(path.join(FIXTURES, 'thirdparty', 'main.js'), path.join(root, 'main.js'));
    const outDir = path.join(root, '.elixirscope', 'build');
    const r = await buildWorkspace({ root, outDir, mode: 'full', include: ['node_modules/js-yaml/**', 'node_modules/diff/libcjs/**'] });
    assert.deepEqual(r.errors, []);
    assert.ok(r.built > 20, `built ${r.built}`);
    const base = runNode(path.join(root, 'main.js'));
    assert.equal(base.status, 0, base.stderr);
    const events = path.join(root, 'events.json');
    const inst = runNode(path.join(root, 'main.js'), { args: ['-r', STUB, '-r', LOADER], env: { ES_MANIFEST: r.manifestPath, ES_EVENTS: events } });
    assert.equal(inst.stderr, base.stderr);
    assert.equal(inst.stdout, base.stdout);
    assert.equal(inst.status, 0);
    const rec = JSON.parse(fs.readFileSync(events, 'utf8')) as { files: unknown[]; events: unknown[][] };
    assert.ok(rec.files.length > 20, `only ${rec.files.length} instrumented files loaded`);
    assert.ok(rec.events.length > 10_000);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
