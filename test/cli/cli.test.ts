import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { packageRoot } from '../../adapter/targets/paths';
import { INVOICE, lineOf, MAIN } from '../helpers/example';
import { tempDir } from '../helpers/temp';

const CLI = join(packageRoot(), 'bin', 'elixirscope.js');
const PROGRAMS = join(packageRoot(), 'test', 'fixtures', 'programs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function plain(program: string, ...args: string[]) {
  // The same program without ElixirScope: TypeScript stripped by the compiler, nothing else.
  const r = spawnSync(process.execPath, ['-e', `
    const ts = require(${JSON.stringify(require.resolve('typescript'))});
    const src = require('fs').readFileSync(${JSON.stringify(program)}, 'utf8');
    process.argv.splice(1, 0, ${JSON.stringify(program)});
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const Module = require('module'); const m = new Module(${JSON.stringify(program)}); m.filename = ${JSON.stringify(program)}; m.paths = Module._nodeModulePaths(${JSON.stringify(PROGRAMS)});
    m._compile(js, ${JSON.stringify(program)});`, '--', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI: record and query', function () {
  this.timeout(90000);
  let rec: string;
  before(() => {
    rec = join(tempDir(), 'invoice');
    const r = cli('record', '--out', rec, '--', MAIN);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /MISMATCH/);
    assert.match(r.stderr, /^elixirscope: recorded \d+ events/m);
    for (const line of r.stderr.trim().split('\n')) assert.match(line, /^elixirscope:/);
  });

  it('a short recording is stored compacted: nothing is left in LevelDB\'s uncompressed log', () => {
    const files = readdirSync(rec);
    assert.ok(files.some((f) => f.endsWith('.ldb')), files.join(' '));
    assert.equal(files.filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(rec, f)).size, 0), 0);
  });

  it('stats: events, sites, files, frames, bytes, durationMs', () => {
    const stats = JSON.parse(cli('query', rec, 'stats', '--json').stdout);
    for (const key of ['events', 'sites', 'files', 'frames', 'bytes', 'durationMs']) assert.equal(typeof stats[key], 'number', key);
    assert.ok(stats.events > 100);
    assert.equal(stats.files, 3);
    assert.ok(stats.bytes > 0);
  });

  it('functions: calls and wall-clock time per function, slowest first; stats has the elapsed time', () => {
    const out = join(tempDir(), 'timing');
    assert.equal(cli('record', '--quiet', '--out', out, '--', join(PROGRAMS, 'timing.ts')).code, 0);
    const fns = JSON.parse(cli('query', out, 'functions', '--json').stdout) as Array<{ name: string; file: string; line: number; calls: number; totalMs: number; selfMs: number }>;
    for (let i = 1; i < fns.length; i++) assert.ok(fns[i - 1].totalMs >= fns[i].totalMs, 'sorted by totalMs');
    const spin = fns.find((f) => f.name === 'spin')!;
    assert.deepEqual([spin.file, spin.line, spin.calls], [join(PROGRAMS, 'timing.ts'), 3, 1]);
    assert.ok(spin.totalMs >= 25 && spin.selfMs >= 25, JSON.stringify(spin));
    assert.ok(fns.find((f) => f.name === 'tiny')!.totalMs < spin.totalMs / 3);
    const stats = JSON.parse(cli('query', out, 'stats', '--json').stdout);
    assert.ok(stats.elapsedMs >= 150 + 25, `elapsedMs ${stats.elapsedMs}`);
  });

  it('hits: each time a line ran, in time order', () => {
    const hits = JSON.parse(cli('query', rec, 'hits', '--file', INVOICE, '--line', String(lineOf(INVOICE, '(1 - this.discountRate)')), '--json').stdout);
    assert.equal(hits.length, 4);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i].seq > hits[i - 1].seq);
    assert.equal(new Set(hits.map((h: { frame: number }) => h.frame)).size, 1, 'all in one call of total()');
    const relative = JSON.parse(cli('query', rec, 'hits', '--file', 'src/invoice.ts', '--line', String(lineOf(INVOICE, '(1 - this.discountRate)')), '--json').stdout);
    assert.deepEqual(relative, hits);
  });

  it('state: location and the stack with rendered locals', () => {
    const hits = JSON.parse(cli('query', rec, 'hits', '--file', INVOICE, '--line', String(lineOf(INVOICE, '(1 - this.discountRate)')), '--json').stdout);
    const state = JSON.parse(cli('query', rec, 'state', '--seq', String(hits[1].seq), '--json').stdout);
    assert.equal(state.seq, hits[1].seq);
    assert.equal(state.file, INVOICE);
    assert.equal(state.line, lineOf(INVOICE, '(1 - this.discountRate)'));
    assert.equal(state.stack[0].name, 'Invoice.total');
    assert.equal(state.stack[0].locals.total, '307');
    assert.equal(state.stack[0].locals.line, '91');
    assert.match(state.stack[0].locals.item, /^\{sku: "MS-07", description: "Wireless mouse", unitPrice: 45.5, quantity: 2\}$/);
    assert.equal(state.stack[1].name, '<module>');
    assert.equal(state.stack[1].file, MAIN);
    assert.equal(state.stack[1].line, lineOf(MAIN, 'const total = invoice.total()'));
    assert.equal(state.stack[1].locals.subtotal, '690');
  });

  it('history: the values of a variable each time a line ran', () => {
    const history = JSON.parse(cli('query', rec, 'history', '--file', INVOICE, '--line', String(lineOf(INVOICE, '(1 - this.discountRate)')), '--name', 'total', '--json').stdout);
    assert.deepEqual(history.map((h: { value: string }) => h.value), ['240', '307', '586.3', '576.67']);
  });

  it('rejects bad questions with a clear message and exit code 2', () => {
    const r = cli('query', rec, 'state', '--seq', 'x', '--json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^elixirscope: --seq needs a whole number/);
    const missing = cli('query', join(rec, 'nope'), 'stats');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not an ElixirScope recording/);
  });
});

describe('CLI: the program runs exactly as without ElixirScope', function () {
  this.timeout(90000);
  const out = () => join(tempDir(), 'r');

  it('passes stdout, stderr, arguments and the exit code through', () => {
    const program = join(PROGRAMS, 'exit-code.ts');
    const recorded = cli('record', '--quiet', '--out', out(), '--', program, '7', 'x y');
    const original = plain(program, '7', 'x y');
    assert.equal(recorded.code, 7);
    assert.equal(recorded.stdout, original.stdout);
    assert.equal(recorded.stderr, original.stderr, '--quiet leaves only the program\'s own stderr');
  });

  it('keeps an uncaught exception, its message and exit code, and what was recorded before it', () => {
    const program = join(PROGRAMS, 'throws.ts');
    const dir = out();
    const recorded = cli('record', '--quiet', '--out', dir, '--', program);
    const original = plain(program);
    assert.equal(recorded.code, original.code);
    assert.equal(recorded.code, 1);
    assert.equal(recorded.stdout, '42\n');
    assert.match(recorded.stderr, /TypeError: not a number: forty-two/);
    assert.match(recorded.stderr, new RegExp(`${program.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3`), 'the stack trace points at the original .ts line');
    const stats = JSON.parse(cli('query', dir, 'stats', '--json').stdout);
    assert.ok(stats.events > 5);
  });

  it('reports a syntax error in user code with file:line and records nothing', () => {
    const program = join(PROGRAMS, '..', 'broken', 'syntax-error.ts');
    const r = cli('record', '--out', out(), '--', program);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^elixirscope: cannot instrument \S*syntax-error\.ts: .+ \(\S*syntax-error\.ts:\d+:\d+\)$/m);
  });

  it('instrument: an incremental build whose errors the VS Code problem matcher reads', () => {
    const broken = join(PROGRAMS, '..', 'broken');
    const r = cli('instrument', broken);
    assert.equal(r.code, 1);
    const matcher = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).contributes.problemMatchers[0].pattern;
    const problems = r.stderr.split('\n').map((l) => new RegExp(matcher.regexp).exec(l)).filter(Boolean);
    assert.ok(problems.length >= 1, r.stderr);
    assert.equal(problems[0]![matcher.file], join(broken, 'syntax-error.ts'));
    assert.match(problems[0]![matcher.line], /^\d+$/);
    const ok = cli('instrument', '--mode', 'balanced', PROGRAMS);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^elixirscope: instrumented \d+ files \(\d+ rebuilt\) in \d+ ms, mode balanced$/m);
  });

  it('Ctrl+C ends a program stuck in an endless loop (exit code 130), and what was recorded stays readable', async () => {
    // The runtime's signal listener runs only when the event loop turns, which an endless loop never lets it.
    const folder = tempDir();
    const program = join(folder, 'spin.js');
    writeFileSync(program, 'console.log("spinning");\nlet n = 0;\nfor (;;) { n++; }\n');
    const dir = join(folder, 'r');
    const child = spawn(process.execPath, [CLI, 'record', '--quiet', '--mode', 'balanced', '--out', dir, '--', program], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await new Promise<void>((ready) => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('spinning')) ready(); }));
    await new Promise((r) => setTimeout(r, 300));
    process.kill(-child.pid!, 'SIGINT'); // as a terminal does: the whole process group
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 130);
    const stats = JSON.parse(cli('query', dir, 'stats', '--json').stdout);
    assert.equal(stats.exitCode, 130);
    assert.equal(stats.complete, false);
    assert.ok(stats.events > 1000, `events: ${stats.events}`);
  });

  it('a program the build leaves out never runs: its node waits at the start gate and is told not to', () => {
    const ws = tempDir();
    writeFileSync(join(ws, 'package.json'), '{ "name": "gate", "private": true }');
    mkdirSync(join(ws, 'node_modules', 'tool'), { recursive: true });
    const program = join(ws, 'node_modules', 'tool', 'run.js');
    const marker = join(ws, 'ran');
    writeFileSync(program, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const r = cli('record', '--out', join(ws, 'r'), '--', program);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not part of the instrumented workspace/);
    assert.equal(existsSync(marker), false);
  });

  it('the start gate leaves no trace in the program: no variable of ours, fd 3 closed', () => {
    const folder = tempDir();
    const program = join(folder, 'env.js');
    writeFileSync(program, "const fs = require('fs');\nlet fd3 = 'closed';\ntry { fs.fstatSync(3); fd3 = fs.readlinkSync('/proc/self/fd/3'); } catch {}\n"
      + "console.log(JSON.stringify({ ours: Object.keys(process.env).filter((k) => k.startsWith('ELIXIRSCOPE')), fd3 }));\n");
    const r = cli('record', '--quiet', '--out', join(folder, 'r'), '--', program);
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { ours: string[]; fd3: string };
    assert.deepEqual(seen.ours, []);
    assert.doesNotMatch(seen.fd3, /^(pipe|socket):/, 'fd 3 is not our gate (a later open may reuse the number)');
  });

  it('--out: an earlier recording there is replaced, a folder with other files is refused', async () => {
    const dir = join(tempDir(), 'out-twice');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'first.js'), 'function first(x) { return x * 2; }\nfor (let i = 0; i < 50; i++) first(i);\n');
    writeFileSync(join(dir, 'second.js'), 'function second(y) { return y + 1; }\nsecond(1);\n');
    const out = join(dir, 'rec');
    for (const program of ['first.js', 'second.js']) assert.equal(cli('record', '--quiet', '--out', out, '--', join(dir, program)).code, 0);
    // The second recording alone: none of the first one's events, sites or postings are left over.
    const stats = JSON.parse(cli('query', out, 'stats', '--json').stdout) as { program: string; events: number };
    assert.equal(stats.program, join(dir, 'second.js'));
    const fresh = join(dir, 'fresh');
    assert.equal(cli('record', '--quiet', '--out', fresh, '--', join(dir, 'second.js')).code, 0);
    assert.equal(stats.events, (JSON.parse(cli('query', fresh, 'stats', '--json').stdout) as { events: number }).events);
    const fns = JSON.parse(cli('query', out, 'functions', '--json').stdout) as Array<{ name: string }>;
    assert.deepEqual(fns.map((f) => f.name).sort(), ['<module>', 'second']);
    const keys = async (store: string): Promise<string[]> => {
      const db = new Level<string, string>(store);
      try { return await db.keys().all(); } finally { await db.close(); }
    };
    assert.deepEqual(await keys(out), await keys(fresh));

    const r = cli('record', '--quiet', '--out', dir, '--', join(dir, 'second.js'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not empty and holds no recording: record into a new or empty folder/);
    assert.equal(r.stdout, '', 'refused before the program ran');
    assert.ok(existsSync(join(dir, 'first.js')) && !existsSync(join(dir, 'CURRENT')));

    writeFileSync(join(dir, 'a-file'), '');
    const onFile = cli('record', '--quiet', '--out', join(dir, 'a-file'), '--', join(dir, 'second.js'));
    assert.equal(onFile.code, 2);
    assert.match(onFile.stderr, /cannot record into .*a-file: it is a file, not a folder/);

    const held = new Level<string, string>(out); // as a recorder still writing it would
    await held.open();
    try {
      const locked = cli('record', '--quiet', '--out', out, '--', join(dir, 'first.js'));
      assert.equal(locked.code, 2);
      assert.match(locked.stderr, /cannot record into .*: another process has the recording there open \(is it still being recorded\?\)/);
    } finally { await held.close(); }
    assert.equal((JSON.parse(cli('query', out, 'stats', '--json').stdout) as { program: string }).program, join(dir, 'second.js'), 'left as it was');

    const foreign = join(dir, 'foreign');
    const db = new Level<string, string>(foreign);
    await db.put('theirs', 'kept');
    await db.close();
    const f = cli('record', '--quiet', '--out', foreign, '--', join(dir, 'second.js'));
    assert.equal(f.code, 2);
    assert.match(f.stderr, /holds a LevelDB store that is not an ElixirScope recording: record into another folder/);
    assert.deepEqual(await keys(foreign), ['theirs']);
  });

  it('a program that overflows its stack and catches it goes on being recorded', () => {
    // Near the stack's limit a hook can run out of stack mid-record: it must leave no half record.
    const dir = join(tempDir(), 'overflow');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'main.js'), [
      'function rec(n) { return rec(n + 1) + 1; }',
      'for (let i = 0; i < 10; i++) {',
      '  try { rec(0); } catch (e) { console.log(i, e.name); }',
      '}',
      'function after(a) { return a * 2; }',
      'console.log(after(21));',
    ].join('\n'));
    const expected = spawnSync(process.execPath, [join(dir, 'main.js')], { encoding: 'utf8' }).stdout;
    for (const mode of ['balanced', 'full']) {
      const out = join(dir, `rec-${mode}`);
      const r = cli('record', '--quiet', '--mode', mode, '--out', out, '--', join(dir, 'main.js'));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, expected);
      assert.equal((JSON.parse(cli('query', out, 'stats', '--json').stdout) as { complete: boolean }).complete, true, mode);
      const fns = JSON.parse(cli('query', out, 'functions', '--json').stdout) as Array<{ name: string; calls: number }>;
      assert.equal(fns.find((f) => f.name === 'after')?.calls, 1, `${mode}: what ran after the overflows is recorded`);
    }
  });

  it('a program killed by a signal: its exit status as a shell reports it (128 + the signal), in the recording too', () => {
    const dir = join(tempDir(), 'killed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'main.js'), "console.log('before');\nprocess.kill(process.pid, 'SIGKILL');\n");
    const r = cli('record', '--quiet', '--out', join(dir, 'rec'), '--', join(dir, 'main.js'));
    assert.equal(r.code, 137);
    assert.equal(r.stdout, 'before\n');
    assert.equal((JSON.parse(cli('query', join(dir, 'rec'), 'stats', '--json').stdout) as { exitCode: number }).exitCode, 137);
  });

  it('finds the program as node does (an extension left out, a folder\'s package main); a file without a source extension is a clear error', () => {
    const dir = join(tempDir(), 'resolve');
    mkdirSync(join(dir, 'pkg', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'start.js'), "console.log('start');\n");
    writeFileSync(join(dir, 'pkg', 'package.json'), '{ "main": "lib/main.js" }');
    writeFileSync(join(dir, 'pkg', 'lib', 'main.js'), "console.log('pkg main');\n");
    writeFileSync(join(dir, 'tool'), "#!/usr/bin/env node\nconsole.log('tool');\n");
    const run = (program: string) => cli('record', '--quiet', '--out', join(dir, `rec-${program}`), '--', join(dir, program));
    for (const [program, printed] of [['start', 'start\n'], ['pkg', 'pkg main\n']]) {
      const r = run(program);
      assert.deepEqual([r.code, r.stdout], [0, printed], r.stderr);
    }
    const tool = run('tool');
    assert.equal(tool.code, 2);
    assert.match(tool.stderr, /cannot record .*tool: ElixirScope instruments \.js, .* files/);
  });

  it('reports a missing program', () => {
    const r = cli('record', '--', '/nowhere/missing.ts');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^elixirscope: program not found: \/nowhere\/missing\.ts$/m);
  });
});
