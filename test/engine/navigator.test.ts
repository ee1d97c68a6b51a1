import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventKind } from '../../protocol/events';
import { SiteKind, type BuildManifest, type FileSiteTable, type Site } from '../../protocol/sites';
import type { RecordedValue } from '../../protocol/values';
import { TemporalEngine } from '../../adapter/engine/engine';
import type { Stop } from '../../adapter/engine/navigator';
import { RecordingWriter } from '../../adapter/store/writer';
import { tempDir } from '../helpers/temp';

// A hand-written trace of:
//   1  function add(a, b) {
//   2    const s = a + b;
//   3    return s;
//   4  }
//   5  let x = 1;
//   6  x = add(x, 2);
//   7  console.log(x);
const FILE = '/virtual/add.js';
const site = (kind: SiteKind, line: number, extra: Partial<Site> = {}): Site => ({ kind, line, column: 1, endLine: line, endColumn: 2, fn: 0, ...extra });
const SITES: Site[] = [
  site(SiteKind.Module, 1, { name: '<module>' }),          // 0
  site(SiteKind.Function, 1, { name: 'add', params: ['a', 'b'], fn: 1 }), // 1
  site(SiteKind.Statement, 2, { fn: 1 }),                  // 2
  site(SiteKind.Statement, 3, { fn: 1 }),                  // 3
  site(SiteKind.Statement, 5),                             // 4
  site(SiteKind.Statement, 6),                             // 5
  site(SiteKind.Statement, 7),                             // 6
  site(SiteKind.Write, 5, { name: 'x', binding: 'let' }),  // 7
  site(SiteKind.Write, 1, { name: 'a', binding: 'param', fn: 1 }), // 8
  site(SiteKind.Write, 1, { name: 'b', binding: 'param', fn: 1 }), // 9
  site(SiteKind.Write, 2, { name: 's', binding: 'const', fn: 1 }), // 10
  site(SiteKind.Return, 3, { fn: 1 }),                     // 11
  site(SiteKind.Write, 6, { name: 'x', binding: 'assign' }), // 12
];

type Ev = [EventKind, number, number, RecordedValue[]?];
const TRACE: Ev[] = [
  [EventKind.FileLoaded, 0, 0, [JSON.stringify({ hash: 'h', file: FILE, count: SITES.length })]], // 0
  [EventKind.Call, 0, 1],            // 1 module frame 1
  [EventKind.Step, 4, 0],            // 2 line 5
  [EventKind.Write, 7, 0, [1]],      // 3 x = 1
  [EventKind.Step, 5, 0],            // 4 line 6
  [EventKind.Call, 1, 2],            // 5 add frame 2
  [EventKind.Write, 8, 0, [1]],      // 6 a
  [EventKind.Write, 9, 0, [2]],      // 7 b
  [EventKind.Step, 2, 0],            // 8 line 2
  [EventKind.Write, 10, 0, [3]],     // 9 s = 3
  [EventKind.Step, 3, 0],            // 10 line 3
  [EventKind.Return, 11, 0, [3]],    // 11
  [EventKind.Exit, 1, 2],            // 12 return point into line 6
  [EventKind.Write, 12, 0, [3]],     // 13 x = 3
  [EventKind.Step, 6, 0],            // 14 line 7
  [EventKind.Exit, 0, 1],            // 15
];

describe('temporal engine over a stored trace', () => {
  let engine: TemporalEngine;
  const at = async (seq: number) => (await engine.nav.stopAt(seq))!;
  const line = (s: Stop | undefined) => (s ? engine.sites.site(s.site)!.line : undefined);

  before(async () => {
    const dir = tempDir();
    const tablePath = join(dir, 'sites.json');
    const table: FileSiteTable = { file: FILE, hash: 'h', mode: 'full', sites: SITES };
    writeFileSync(tablePath, JSON.stringify(table));
    const manifest: BuildManifest = { version: 1, root: '/virtual', mode: 'full', files: { [FILE]: { hash: 'h', sourceHash: 'h', out: '', sites: tablePath, siteCount: SITES.length } } };
    const rec = join(dir, 'rec');
    const writer = await RecordingWriter.create(rec, { program: FILE, args: [], cwd: '/virtual', root: '/virtual', mode: 'full', nodeVersion: process.version, startTime: Date.now() }, manifest);
    for (const [kind, s, arg, values] of TRACE) writer.event(kind, s, arg, values);
    await writer.end(true);
    await writer.close();
    engine = await TemporalEngine.open(rec);
  });
  after(() => engine.close());

  it('stores every event and frame', () => {
    const stats = engine.stats();
    assert.equal(stats.events, TRACE.length);
    assert.equal(stats.frames, 2);
    assert.equal(stats.complete, true);
  });

  it('steps over a call forwards and back again as an exact mirror', async () => {
    const path = [await at(2)];
    for (let i = 0; i < 2; i++) path.push((await engine.nav.stepOver(path[path.length - 1], 1))!);
    assert.deepEqual(path.map(line), [5, 6, 7]);
    const back = [path[2]];
    for (let i = 0; i < 2; i++) back.push((await engine.nav.stepOver(back[back.length - 1], -1))!);
    assert.deepEqual(back.map((s) => s.seq), [14, 4, 2]);
  });

  it('steps in through the callee and a return point, and mirrors it backwards', async () => {
    const forward = [await at(4)];
    for (let i = 0; i < 4; i++) forward.push((await engine.nav.stepIn(forward[forward.length - 1], 1))!);
    assert.deepEqual(forward.map((s) => s.seq), [4, 8, 10, 12, 14]);
    assert.deepEqual(forward.map(line), [6, 2, 3, 6, 7]);
    const backward = [forward[4]];
    for (let i = 0; i < 4; i++) backward.push((await engine.nav.stepIn(backward[backward.length - 1], -1))!);
    assert.deepEqual(backward.map((s) => s.seq), [14, 12, 10, 8, 4]);
  });

  it('steps over the last line of a function to the return point, and back', async () => {
    const out = (await engine.nav.stepOver(await at(10), 1))!;
    assert.equal(out.seq, 12);
    assert.equal(line(out), 6);
    assert.equal((await engine.nav.stepOver(out, -1))!.seq, 10);
  });

  it('steps out forwards to the return point and backwards to the call', async () => {
    assert.equal((await engine.nav.stepOut(await at(8), 1))!.seq, 12);
    assert.equal((await engine.nav.stepOut(await at(10), -1))!.seq, 4);
  });

  it('continues to breakpoints in both directions', async () => {
    const sites = new Set([2, 6]);
    assert.equal((await engine.nav.continueTo(0, 1, sites))!.seq, 8);
    assert.equal((await engine.nav.continueTo(8, 1, sites))!.seq, 14);
    assert.equal((await engine.nav.continueTo(14, -1, sites))!.seq, 8);
    assert.equal(await engine.nav.continueTo(8, -1, sites), undefined);
  });

  it('reconstructs the stack and locals at any time', async () => {
    const state = (await engine.stateAt(10))!;
    assert.deepEqual(state.stack.map((f) => [f.name, f.line]), [['add', 3], ['<module>', 6]]);
    assert.deepEqual(state.stack[0].locals, { a: '1', b: '2', s: '3' });
    assert.deepEqual(state.stack[1].locals, { x: '1' });
    assert.deepEqual((await engine.stateAt(14))!.stack[0].locals, { x: '3' });
  });

  it('seeks to any seq: before the first statement, between events, past the end', async () => {
    assert.equal((await engine.stopNear(0))!.seq, 2, 'before any statement: the first one');
    assert.deepEqual(await engine.stopNear(9), { seq: 9, frame: 2, site: 2 }, 'mid-statement: that statement');
    const end = (await engine.stopNear(99))!;
    assert.equal(end.seq, TRACE.length - 1, 'past the end: clamped to the last event');
    assert.equal(line(end), 7, 'shown at the last statement that ran');
  });

  it('answers hits and history by line', async () => {
    assert.deepEqual(await engine.hits(FILE, 3), [{ seq: 10, frame: 2 }]);
    assert.deepEqual(await engine.hits(FILE, 4), [{ seq: 2, frame: 1 }], 'a breakpoint on a line without code binds to the next line');
    assert.deepEqual(await engine.history(FILE, 7, 'x'), [{ seq: 14, value: '3' }]);
    assert.deepEqual(await engine.history(FILE, 3, 's'), [{ seq: 10, value: '3' }]);
  });

  it('lists every write of a variable with the writer location', async () => {
    const writes = await engine.writes('x');
    assert.deepEqual(writes.map((w) => [w.seq, w.line, w.function, w.value]), [[3, 5, '<module>', '1'], [13, 6, '<module>', '3']]);
    assert.deepEqual(await engine.writes('x', '/elsewhere.js'), []);
  });
});

