/**
 * Function.prototype.toString under recording: every instrumented function shape (declarations,
 * arrows, methods, accessors, generators, async, classes with fields and static blocks, object
 * literal members) shows the text plain Node shows, round trips through `new Function` work, and
 * the replaced toString itself is indistinguishable from the native one. Each program runs plainly
 * and under `elixirscope record` in separate node processes; every probe is compared on its own.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '../../protocol/events';
import { transpilePlain } from '../../instrumenter';
import { tempDir } from '../helpers/temp';
import { ROOT, runPlain, runRecorded, type Outcome } from '../equivalence/run';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'runtime', 'fn-source');

function byProbe(o: Outcome): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of o.stdout.split('\n')) { const at = line.indexOf(' '); if (at > 0) m.set(line.slice(0, at), line.slice(at + 1)); }
  return m;
}

/** `name` copied into a fresh workspace's src/; the baseline runs `baseline(text)` (default: the file itself). */
function compare(title: string, name: string, modes: Mode[], baseline?: (file: string, text: string) => string, tsconfig?: object): void {
  describe(title, function () {
    this.timeout(300000);
    const plain = new Map<string, string>();
    const recorded = new Map<Mode, Map<string, string>>();
    before(() => {
      const root = tempDir('es-fnsrc-');
      writeFileSync(join(root, 'package.json'), '{ "name": "fn-source", "private": true }\n');
      if (tsconfig) writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(tsconfig));
      mkdirSync(join(root, 'src'));
      const file = join(root, 'src', name);
      copyFileSync(join(FIXTURES, name), file);
      let program = join('src', name);
      if (baseline) {
        mkdirSync(join(root, 'base'));
        program = join('base', name.replace(/\.ts$/, '.js'));
        writeFileSync(join(root, program), baseline(file, readFileSync(file, 'utf8')));
      }
      const a = runPlain(program, root);
      assert.equal(a.code, 0, a.stderr);
      for (const [k, v] of byProbe(a)) plain.set(k, v);
      for (const mode of modes) {
        const b = runRecorded(join('src', name), root, join(root, `rec-${mode}`), mode);
        assert.equal(b.code, 0, b.stderr);
        recorded.set(mode, byProbe(b));
      }
    });
    const probes = [...readFileSync(join(FIXTURES, name), 'utf8').matchAll(/^out\.(\w+) =/gm)].map((m) => m[1]!);
    it('prints every probe', () => {
      for (const p of probes) assert.ok(plain.has(p), `plain run printed no ${p}`);
    });
    for (const p of probes) {
      it(p, () => {
        for (const [mode, rec] of recorded) assert.equal(rec.get(p), plain.get(p), `${p} differs when recorded (${mode})`);
      });
    }
  });
}

describe('runtime: Function.prototype.toString shows the plain source text', () => {
  compare('JavaScript (the original text, as written)', 'shapes.js', ['full', 'minimal']);
  compare('TypeScript (the text of the plain transpile)', 'shapes.ts', ['full'], (file, text) => {
    const r = transpilePlain(file, text);
    assert.deepEqual(r.errors, []);
    return r.code;
  });
  const legacy = { experimentalDecorators: true, target: 'ES2020' };
  compare('TypeScript legacy decorators, ES2020 (class fields moved into constructors)', 'decorated.ts', ['full', 'minimal'], (file, text) => {
    const r = transpilePlain(file, text, { experimentalDecorators: true, target: 7 /* ES2020 */ });
    assert.deepEqual(r.errors, []);
    return r.code;
  }, { compilerOptions: legacy });
  describe('ES module', function () {
    this.timeout(300000);
    it('declarations, default class, static method and async arrow of an .mjs file', () => {
      const root = tempDir('es-fnsrc-esm-');
      writeFileSync(join(root, 'package.json'), '{ "name": "fn-source-esm", "private": true }\n');
      mkdirSync(join(root, 'src'));
      copyFileSync(join(FIXTURES, 'shapes-esm.mjs'), join(root, 'src', 'shapes-esm.mjs'));
      const a = runPlain(join('src', 'shapes-esm.mjs'), root);
      const b = runRecorded(join('src', 'shapes-esm.mjs'), root, join(root, 'rec'), 'full');
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.ok(a.stdout.length > 0);
      assert.equal(b.stdout, a.stdout);
    });
  });
});
