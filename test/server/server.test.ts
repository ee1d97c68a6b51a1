// The real language server (dist/server.js) over LSP on stdio, against real CLI recordings.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Level } from 'level';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { packageRoot } from '../../adapter/targets/paths';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';
import { lensTitle } from '../../server/recording';

const PROGRAMS = join(packageRoot(), 'test', 'fixtures', 'programs');
const SERVER = join(packageRoot(), 'dist', 'server.js');

interface Diag { range: { start: { line: number; character: number } }; severity: number; message: string }
interface Lens { range: { start: { line: number } }; command?: { title: string } }

/** A language client of the smallest kind: initialize with `options`, collect logs and diagnostics. */
class Client {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly logs: string[] = [];
  readonly diagnostics = new Map<string, Diag[]>();
  private waiters: Array<() => void> = [];

  constructor() {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('window/logMessage', (p: { message: string }) => { this.logs.push(p.message); this.poke(); });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => { this.diagnostics.set(p.uri, p.diagnostics); this.poke(); });
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.listen();
  }

  private poke(): void { for (const w of this.waiters.splice(0)) w(); }

  async until<T>(what: string, get: () => T | undefined, ms = 30000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; server log: ${this.logs.join(' | ')}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 200); });
    }
  }

  async start(initializationOptions: unknown, rootUri: string | null = null): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri, capabilities: { workspace: { codeLens: { refreshSupport: true } } }, initializationOptions });
    await this.conn.sendNotification('initialized', {});
  }

  async open(file: string): Promise<string> {
    const uri = pathToFileURL(file).toString();
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: readFileSync(file, 'utf8') } });
    return uri;
  }

  async hover(uri: string, line: number, character: number): Promise<string | undefined> {
    const h = await this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }) as { contents: { value: string } } | null;
    return h?.contents.value;
  }

  /**
   * "line: title" for each lens, 1-based lines, without the duration, which varies and is absent
   * where the clock cannot resolve it (timing is tested on its own): "3: ran 1 time".
   */
  async lenses(uri: string): Promise<string[]> {
    return (await this.rawLenses(uri)).map((l) => l.replace(/ · (?:\d+(?:\.\d+)? m?s|<0\.01 ms) total$/, ''));
  }

  async rawLenses(uri: string): Promise<string[]> {
    const lenses = await this.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Lens[];
    return lenses.map((l) => `${l.range.start.line + 1}: ${l.command?.title}`);
  }

  async stop(): Promise<void> {
    await this.conn.sendRequest('shutdown').catch(() => undefined);
    await this.conn.sendNotification('exit').catch(() => undefined);
    this.conn.dispose();
    if (this.proc.exitCode === null) await new Promise((r) => { const t = setTimeout(() => { this.proc.kill(); r(undefined); }, 3000); this.proc.once('exit', () => { clearTimeout(t); r(undefined); }); });
  }
}

/** Position (0-based) of the `nth` occurrence of `word` on 1-based line `line` of `file`. */
function at(file: string, line: number, word: string): { line: number; character: number } {
  const text = readFileSync(file, 'utf8').split('\n')[line - 1];
  const character = text.indexOf(word);
  assert.ok(character >= 0, `"${word}" on line ${line} of ${file}`);
  return { line: line - 1, character };
}

describe('language server (dist/server.js over LSP stdio)', function () {
  this.timeout(120000);
  const EXCEPTIONS = join(PROGRAMS, 'exceptions.ts');
  const ORDERS = join(PROGRAMS, 'orders.ts');
  let exceptionsRec: string;
  let ordersRec: string;
  let client: Client;

  before(() => {
    const dir = tempDir();
    exceptionsRec = recordWithCli(EXCEPTIONS, join(dir, 'exceptions'));
    ordersRec = recordWithCli(ORDERS, join(dir, 'orders'));
  });
  afterEach(async () => { await client?.stop(); });

  it('diagnostics: each line that threw, caught as information, uncaught as warning', async () => {
    client = new Client();
    await client.start({ recording: exceptionsRec });
    const uri = pathToFileURL(EXCEPTIONS).toString();
    const diags = await client.until('diagnostics', () => client.diagnostics.get(uri));
    assert.deepEqual(diags.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.severity, d.message]), [
      [4, 5, 3, 'threw RangeError: bad amount: x (1 time in the recording, caught)'],
      [4, 5, 2, 'threw RangeError: bad amount: oops (1 time in the recording, not caught)'],
    ]);
    assert.ok(client.logs.some((l) => l.includes(`opened recording ${exceptionsRec}`)), client.logs.join('\n'));
  });

  it('code lenses: how long a function took in the recording ("ran 1 time · 31.2 ms total")', async () => {
    const program = join(PROGRAMS, 'timing.ts');
    const rec = recordWithCli(program, join(tempDir(), 'timing'));
    client = new Client();
    await client.start({ recording: rec });
    await client.until('recording opened', () => client.logs.find((l) => l.includes('opened recording')));
    const uri = await client.open(program);
    const lenses = await client.rawLenses(uri);
    const spin = lenses.find((l) => l.startsWith('3: '));
    const m = /^3: ran 1 time · (\d+(?:\.\d+)?) ms total$/.exec(spin ?? '');
    assert.ok(m, `spin's lens: ${lenses.join(' | ')}`);
    assert.ok(Number(m[1]) >= 25, spin);
    assert.match(lenses.find((l) => l.startsWith('14: '))!, /^14: ran 21 times(?: · (?:\d+(?:\.\d+)? ms|<0\.01 ms) total)?$/);
  });

  it('code lenses: "ran N times" on each function that ran', async () => {
    client = new Client();
    await client.start({ recording: ordersRec });
    await client.until('recording opened', () => client.logs.find((l) => l.includes('opened recording')));
    const uri = await client.open(ORDERS);
    assert.deepEqual(await client.lenses(uri), ['3: ran 1 time', '11: ran 9 times', '16: ran 1 time']);
  });

  it('hover: the values a variable took, with seq and line, and their count', async () => {
    client = new Client();
    await client.start({ recording: exceptionsRec });
    await client.until('recording opened', () => client.logs.find((l) => l.includes('opened recording')));
    const uri = await client.open(EXCEPTIONS);
    const p = at(EXCEPTIONS, 13, 'sum');
    const text = await client.hover(uri, p.line, p.character);
    assert.ok(text, 'a hover on sum');
    const rows = text.split('\n');
    assert.equal(rows[0], '**sum** took 4 values in the recording:');
    assert.deepEqual(rows.slice(2).map((r) => r.replace(/@\d+/, '@N')), [
      '- @N line 10 in `total`: `0`', '- @N line 13 in `total`: `1`', '- @N line 15 in `total`: `1`', '- @N line 13 in `total`: `3`',
    ]);
    const seqs = rows.slice(2).map((r) => Number(/@(\d+)/.exec(r)![1]));
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'in time order');
    // not a recorded variable / not an identifier: no hover
    const kw = at(EXCEPTIONS, 13, 'parseAmount');
    assert.equal(await client.hover(uri, kw.line, kw.character), undefined);
  });

  it('hover lists at most 10 values and says how many there were', async () => {
    const ws = tempDir();
    const program = join(ws, 'count.ts');
    writeFileSync(join(ws, 'package.json'), '{"name": "count", "private": true}\n');
    writeFileSync(program, 'let n = 0;\nfor (let k = 0; k < 24; k++) {\n  n = n + k;\n}\nconsole.log(n);\n');
    // recorded to the default place: the server finds the newest recording of the workspace by itself
    recordWithCli(program, join(ws, '.elixirscope', 'recordings', '20260101-000000-000'));
    client = new Client();
    await client.start(undefined, pathToFileURL(ws).toString());
    await client.until('recording opened', () => client.logs.find((l) => l.includes('opened recording')));
    const uri = await client.open(program);
    const p = at(program, 3, 'n =');
    const rows = (await client.hover(uri, p.line, p.character))!.split('\n');
    assert.equal(rows[0], '**n** took 25 values in the recording (first 10 shown):');
    assert.deepEqual(rows.slice(2).map((r) => r.replace(/@\d+ /, '')), [0, 0, 1, 3, 6, 10, 15, 21, 28, 36].map((v, k) => `- line ${k ? 3 : 1} in \`<module>\`: \`${v}\``));
  });

  it('a recording whose store is held open by another process (LOCK taken) opens at once', async () => {
    const held = join(tempDir(), 'held');
    cpSync(ordersRec, held, { recursive: true });
    const db = new Level<string, string>(held, { createIfMissing: false });
    await db.open();
    client = new Client();
    try {
      await client.start({ recording: held });
      await client.until('opened while held', () => client.logs.find((l) => l.includes(`opened recording ${held}:`)));
      const uri = await client.open(ORDERS);
      assert.deepEqual(await client.lenses(uri), ['3: ran 1 time', '11: ran 9 times', '16: ran 1 time']);
    } finally {
      await db.close();
    }
  });

  it('a recording still being written: lenses and hovers show what is written so far, then follow it to the end', async () => {
    const ws = tempDir();
    writeFileSync(join(ws, 'package.json'), '{"name": "live", "private": true}\n');
    const go = join(ws, 'go');
    const program = join(ws, 'live.ts');
    writeFileSync(program, [
      "import { existsSync } from 'node:fs';",
      'let total = 0;',
      'function add(a: number, b: number): number { return a + b; }',
      'for (let i = 0; i < 3000; i++) total = add(total, i);',
      'const timer = setInterval(() => {',
      `  if (!existsSync(${JSON.stringify(go)})) return;`,
      '  clearInterval(timer);',
      '  for (let i = 0; i < 3000; i++) total = add(total, i);',
      '  console.log(total);',
      '}, 20);',
      '',
    ].join('\n'));
    const out = join(ws, 'rec');
    const recorder = spawn(process.execPath, [join(packageRoot(), 'bin', 'elixirscope.js'), 'record', '--quiet', '--out', out, '--', program], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => recorder.once('exit', (code) => r(code)));
    try {
      client = new Client();
      await client.until('recording started', () => (existsSync(join(out, 'CURRENT')) ? true : undefined));
      await client.start({ recording: out });
      await client.until('opened while recording', () => client.logs.find((l) => l.includes(`recording ${out} (still being recorded`)));
      const uri = await client.open(program);
      const calls = (lenses: string[]) => Number(/^3: ran (\d+) times?$/.exec(lenses[0] ?? '')?.[1] ?? 0);
      let sofar = 0;
      for (const end = Date.now() + 30000; !sofar && Date.now() < end; await new Promise((r) => setTimeout(r, 300))) sofar = calls(await client.lenses(uri));
      assert.ok(sofar > 0 && sofar <= 3000, `add() ran ${sofar} times so far`);
      assert.equal(recorder.exitCode, null, 'the program is still waiting');
      const p = at(program, 2, 'total');
      const hover = await client.hover(uri, p.line, p.character);
      assert.match(hover ?? '', /^\*\*total\*\* took \d+ values in the recording/);
      writeFileSync(go, '');
      assert.equal(await exited, 0);
      let final = 0;
      for (const end = Date.now() + 30000; final !== 6000 && Date.now() < end; await new Promise((r) => setTimeout(r, 300))) final = calls(await client.lenses(uri));
      assert.equal(final, 6000, client.logs.join(' | '));
      await client.until('reloaded at the end', () => client.logs.find((l) => l.startsWith(`elixirscope: reloaded recording ${out}:`)));
      assert.match((await client.hover(uri, p.line, p.character))!, /^\*\*total\*\* took 6001 values in the recording \(first 10 shown\)/);
    } finally {
      if (recorder.exitCode === null) { writeFileSync(go, ''); recorder.kill(); await exited; }
    }
  });

  it('elixirscope/openRecording switches recordings (lenses and diagnostics follow)', async () => {
    client = new Client();
    await client.start({ recording: ordersRec });
    await client.until('orders opened', () => client.logs.find((l) => l.includes(`opened recording ${ordersRec}`)));
    const uri = await client.open(EXCEPTIONS);
    assert.deepEqual(await client.lenses(uri), []);
    await client.conn.sendNotification('elixirscope/openRecording', { dir: exceptionsRec });
    await client.until('exceptions opened', () => client.logs.find((l) => l.includes(`opened recording ${exceptionsRec}`)));
    assert.deepEqual(await client.lenses(uri), ['1: ran 4 times', '9: ran 1 time']);
    assert.equal(client.diagnostics.get(uri)?.length, 2);
  });
});

describe('language server: code lens titles', () => {
  it('code lens durations: about three significant digits', () => {
    assert.equal(lensTitle({ name: 'f', line: 1, column: 1, calls: 12, totalMs: 3.4172 }), 'ran 12 times · 3.4 ms total');
    assert.equal(lensTitle({ name: 'f', line: 1, column: 1, calls: 1, totalMs: 0.0412 }), 'ran 1 time · 0.041 ms total');
    assert.equal(lensTitle({ name: 'f', line: 1, column: 1, calls: 2, totalMs: 250.4 }), 'ran 2 times · 250 ms total');
    assert.equal(lensTitle({ name: 'f', line: 1, column: 1, calls: 2, totalMs: 1250 }), 'ran 2 times · 1.25 s total');
    assert.equal(lensTitle({ name: 'f', line: 1, column: 1, calls: 2, totalMs: 0.001 }), 'ran 2 times · <0.01 ms total');
    assert.equal(lensTitle({ name: 'f', line: 1, column: 1, calls: 2 }), 'ran 2 times', 'no time samples: counts only');
  });
});
