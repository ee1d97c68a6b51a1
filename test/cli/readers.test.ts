// Several readers of one recording at once, in several processes, while it is held open or still
// being written: real LevelDB folders, real CLI processes, nothing mocked.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { bundlePath, packageRoot } from '../../adapter/targets/paths';
import { RecordingReader } from '../../adapter/store/reader';
import { snapshotPrefix } from '../../adapter/store/snapshot';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

const CLI = join(packageRoot(), 'bin', 'elixirscope.js');
const ORDERS = join(packageRoot(), 'test', 'fixtures', 'programs', 'orders.ts');

function query(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bundlePath('cli'), 'query', dir, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid };
}
function stats(dir: string): { events: number; frames: number; sites: number; files: number; complete: boolean; bytes: number } {
  const r = query(dir, 'stats', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}
/** Every file of `dir` with its bytes' hash, size and mtime: what "unchanged" means. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const st = statSync(join(dir, name));
    out[name] = `${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')} ${st.size} ${st.mtimeMs}`;
  }
  return out;
}
function snapshotsOf(pid: number): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith(`${snapshotPrefix}${pid}-`));
}
async function until<T>(what: string, get: () => T | undefined, ms = 60000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('recordings: many readers at once, never modified', function () {
  this.timeout(120000);
  let rec: string;
  before(() => { rec = recordWithCli(ORDERS, join(tempDir(), 'orders')); });

  it('two processes read one finished recording at once, with the same counts', async () => {
    const reader = await RecordingReader.open(rec);
    try {
      const other = stats(rec);
      assert.equal(other.events, reader.stats.events);
      assert.equal(other.frames, reader.stats.frames);
      assert.equal(other.files, reader.files.length);
      assert.ok(other.events > 0);
      // and a third reader in this process, next to the first
      const again = await RecordingReader.open(rec);
      assert.equal(again.length, reader.length);
      await again.close();
    } finally {
      await reader.close();
    }
  });

  it('a recording whose LevelDB lock is held (by its writer) is still readable', async () => {
    const copy = join(tempDir(), 'held');
    cpSync(rec, copy, { recursive: true });
    const expected = stats(copy);
    const db = new Level<string, string>(copy, { createIfMissing: false });
    await db.open(); // holds LOCK, as the recording process does
    try {
      const r = query(copy, 'stats', '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).events, expected.events);
    } finally {
      await db.close();
    }
  });

  it("leaves the original folder's files byte-identical (no LOCK taken, no MANIFEST or log rewritten)", async () => {
    const before = fingerprint(rec);
    const reader = await RecordingReader.open(rec);
    await reader.chunkAt(0);
    const during = stats(rec);
    await reader.close();
    assert.ok(during.events > 0);
    assert.equal(stats(rec).bytes, during.bytes, 'bytes measures the recording folder, not a snapshot');
    assert.deepEqual(fingerprint(rec), before);
  });

  it('removes its snapshot folders on close and at exit, and sweeps those of dead processes', async () => {
    const reader = await RecordingReader.open(rec);
    assert.equal(snapshotsOf(process.pid).length, 1, 'one private snapshot while open');
    const snap = join(tmpdir(), snapshotsOf(process.pid)[0]);
    assert.equal(statSync(snap).mode & 0o777, 0o700);
    await reader.close();
    assert.deepEqual(snapshotsOf(process.pid), []);
    // a child that exits without closing (the CLI closes; this one does not)
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(packageRoot(), 'out', 'adapter', 'store', 'reader.js'))}).RecordingReader.open(${JSON.stringify(rec)}).then((r) => { console.log(r.length); process.exit(0); })`], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.ok(Number(child.stdout) > 0);
    assert.deepEqual(snapshotsOf(child.pid!), []);
    assert.deepEqual(snapshotsOf(query(rec, 'stats').pid!), []);
    // a killed reader leaves one behind: the next open removes it
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = join(tmpdir(), `${snapshotPrefix}${dead}-stale`);
    mkdirSync(stale, { mode: 0o700 });
    writeFileSync(join(stale, 'CURRENT'), 'MANIFEST-000001\n');
    await (await RecordingReader.open(rec)).close();
    assert.equal(existsSync(stale), false);
  });

  it('reads a recording while another process is still writing it, then the whole of it', async () => {
    const ws = tempDir();
    writeFileSync(join(ws, 'package.json'), '{"name": "waits", "private": true}\n');
    const go = join(ws, 'go');
    const program = join(ws, 'waits.ts');
    writeFileSync(program, [
      "import { existsSync } from 'node:fs';",
      'let total = 0;',
      'function add(a: number, b: number): number { return a + b; }',
      'for (let i = 0; i < 5000; i++) total = add(total, i);',
      `const timer = setInterval(() => {`,
      `  if (!existsSync(${JSON.stringify(go)})) return;`,
      '  clearInterval(timer);',
      '  for (let i = 0; i < 5000; i++) total = add(total, i);',
      '  console.log(total);',
      '}, 20);',
      '',
    ].join('\n'));
    const out = join(ws, 'live');
    const recorder = spawn(process.execPath, [CLI, 'record', '--quiet', '--out', out, '--', program], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    recorder.stderr!.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((r) => recorder.once('exit', (code) => r(code)));
    try {
      const mid = await until('events mid-run', () => {
        if (!existsSync(join(out, 'CURRENT'))) return undefined;
        const r = query(out, 'stats', '--json');
        if (r.code !== 0) throw new Error(`query during the recording failed: ${r.stderr}`);
        const s = JSON.parse(r.stdout) as { events: number; complete: boolean };
        return s.events > 0 ? s : undefined;
      });
      assert.equal(mid.complete, false, 'the program is still waiting');
      assert.equal(recorder.exitCode, null, 'the recorder is still running');
      // the running program's calls so far, through a real question
      const hits = JSON.parse(query(out, 'hits', '--file', program, '--line', '3', '--json').stdout) as unknown[];
      assert.ok(hits.length > 0 && hits.length <= 5000, `hits so far: ${hits.length}`);
      writeFileSync(go, '');
      assert.equal(await exited, 0, stderr);
      const end = stats(out);
      assert.equal(end.complete, true);
      assert.ok(end.events > mid.events, `${end.events} > ${mid.events}`);
      assert.equal(JSON.parse(query(out, 'hits', '--file', program, '--line', '3', '--json').stdout).length, 10000);
    } finally {
      if (recorder.exitCode === null) { writeFileSync(go, ''); recorder.kill(); await exited; }
    }
  });

  it('a corrupt or missing store gives a clear error naming the file', async () => {
    const base = tempDir();
    const broken = (name: string) => { const d = join(base, name); cpSync(rec, d, { recursive: true }); return d; };

    const noManifest = broken('no-manifest');
    const manifest = readFileSync(join(noManifest, 'CURRENT'), 'utf8').trim();
    rmSync(join(noManifest, manifest));
    let r = query(noManifest, 'stats');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`^elixirscope: .*${join(noManifest, manifest)}.*corrupt`, 'm'));

    const noTable = broken('no-table');
    const db = new Level<string, string>(noTable, { createIfMissing: false });
    await db.open(); // (the writer has already turned a short recording's log into a table file)
    await db.close();
    const table = readdirSync(noTable).find((n) => n.endsWith('.ldb'));
    assert.ok(table, 'the recording has a table file');
    rmSync(join(noTable, table));
    r = query(noTable, 'stats');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`^elixirscope: cannot open recording ${join(noTable, table)}: it is unreadable or corrupt`, 'm'));
    assert.doesNotMatch(r.stderr, new RegExp(snapshotPrefix), 'names the recording, not the private snapshot');

    const badManifest = broken('bad-manifest');
    const m2 = readFileSync(join(badManifest, 'CURRENT'), 'utf8').trim();
    writeFileSync(join(badManifest, m2), 'not a manifest at all');
    r = query(badManifest, 'stats');
    assert.match(r.stderr, new RegExp(`^elixirscope: cannot open recording ${join(badManifest, m2)}: it is unreadable or corrupt`, 'm'));

    r = query(join(base, 'nowhere'), 'stats');
    assert.match(r.stderr, new RegExp(`^elixirscope: ${join(base, 'nowhere')}: not an ElixirScope recording \\(no such folder\\)`, 'm'));
    assert.deepEqual(snapshotsOf(r.pid!), []);
  });
});
