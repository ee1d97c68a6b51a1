/**
 * Equivalence for programs with worker threads: what the program and its Workers print and observe
 * (exec arguments, environment, environment data, exit codes, 'worker' events, a terminated
 * Worker, eval and `execArgv: []` Workers, a nested Worker) is the same when recorded, and every
 * Worker the program started is recorded as a thread of its own.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp';
import { queryStats, runPlain, runRecorded, type Outcome } from './run';
import { threadDirs } from '../../adapter/store/threads';

const MAIN = `const { Worker, setEnvironmentData } = require('node:worker_threads');
const path = require('node:path');
setEnvironmentData('app', 'config-1');
let workerEvents = 0;
process.on('worker', () => { workerEvents++; });
const W = path.join(__dirname, 'w.js');
function run(name, file, options) {
  return new Promise((resolve) => {
    const w = new Worker(file, options);
    w.on('message', (m) => console.log(\`\${name}.msg \${JSON.stringify(m)}\`));
    w.on('error', (e) => console.log(\`\${name}.error \${e.message}\`));
    w.on('exit', (code) => { console.log(\`\${name}.exit \${code}\`); resolve(); });
  });
}
(async () => {
  await run('plain', W, { workerData: { mode: 'probe' } });
  await run('named', W, { name: 'calc', workerData: { mode: 'probe' } });
  await run('bareArgv', W, { execArgv: [], workerData: { mode: 'probe' } });
  await run('exit3', W, { workerData: { mode: 'exit', code: 3 } });
  await run('throws', W, { workerData: { mode: 'throw' } });
  await run('exitCode', W, { workerData: { mode: 'exitCode' } });
  await run('nested', W, { workerData: { mode: 'nest' } });
  await run('eval', "require('node:worker_threads').parentPort.postMessage(process.execArgv)", { eval: true });
  const t = new Worker(W, { workerData: { mode: 'spin' } });
  await new Promise((r) => t.once('message', r));
  await new Promise((r) => setTimeout(r, 300));
  console.log(\`terminate.code \${await t.terminate()}\`);
  console.log(\`main.workerEvents \${workerEvents}\`);
  console.log(\`main.env \${JSON.stringify(Object.keys(process.env).filter((k) => /ELIXIR/.test(k)))}\`);
  console.log(\`main.execArgv \${JSON.stringify(process.execArgv)}\`);
})();
`;

const WORKER = `const { parentPort, workerData, getEnvironmentData, Worker } = require('node:worker_threads');

function probe() {
  const doubled = [1, 2, 3].map((x) => x * 2);
  return {
    execArgv: process.execArgv,
    env: Object.keys(process.env).filter((k) => /ELIXIR/.test(k)),
    app: getEnvironmentData('app'),
    sum: doubled.reduce((a, b) => a + b, 0),
  };
}

switch (workerData.mode) {
  case 'probe': parentPort.postMessage(probe()); break;
  case 'exit': process.exit(workerData.code); break;
  case 'throw': throw new Error('boom in worker');
  case 'exitCode': process.exitCode = 5; break;
  case 'nest': {
    let events = 0;
    process.on('worker', () => { events++; });
    const w = new Worker(__filename, { name: 'inner', workerData: { mode: 'probe' } });
    w.on('message', (m) => parentPort.postMessage({ nested: m }));
    w.on('exit', (code) => parentPort.postMessage({ nestedExit: code, events }));
    break;
  }
  case 'spin': parentPort.postMessage('ready'); setInterval(() => {}, 1000); break;
}
`;

/** Worker output reaches stdout through the main thread in no fixed order: compare the lines as a set. */
const lines = (o: Outcome): string[] => o.stdout.split('\n').filter((l) => l !== '').sort();

describe('equivalence: a program with worker threads', function () {
  this.timeout(300000);
  let root: string;
  let plain: Outcome;
  let recorded: Outcome;
  before(() => {
    root = tempDir('es-threads-');
    writeFileSync(join(root, 'package.json'), '{ "name": "threads-probe", "private": true }\n');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'probe.js'), MAIN);
    writeFileSync(join(root, 'src', 'w.js'), WORKER);
    plain = runPlain(join('src', 'probe.js'), root);
    recorded = runRecorded(join('src', 'probe.js'), root, join(root, 'rec'), 'full');
  });

  it('prints the same lines and exits the same way', () => {
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(lines(plain).includes('exit3.exit 3') && lines(plain).includes('main.workerEvents 9'), plain.stdout);
    assert.equal(recorded.code, plain.code, recorded.stderr);
    assert.deepEqual(lines(recorded), lines(plain));
    assert.equal(recorded.stderr, plain.stderr);
  });

  it('records every Worker as a thread of its own, with instrumented code', () => {
    const threads = threadDirs(join(root, 'rec'));
    // plain, named, bareArgv, exit3, throws, exitCode, nested, its inner Worker, eval, and the
    // terminated one: that one only when its runtime had connected before terminate() (best effort,
    // runtime/README.md), and never complete.
    assert.ok(threads.length === 9 || threads.length === 10, threads.map((t) => t.threadId).join(','));
    const stats = threads.map((t) => queryStats(t.dir));
    assert.equal(stats.filter((s) => s.complete).length, 9);
    // All but the eval Worker run (instrumented) w.js.
    assert.equal(stats.filter((s) => s.complete && s.files === 1 && s.events > 0).length, 8);
    const main = queryStats(join(root, 'rec'));
    assert.equal(main.complete, true);
    assert.equal(main.exitCode, 0);
    // `query DIR stats` lists them, with the names the program gave.
    assert.deepEqual(main.threads?.map((t) => t.threadId), threads.map((t) => t.threadId));
    assert.deepEqual(main.threads?.filter((t) => t.name).map((t) => t.name).sort(), ['calc', 'inner']);
    assert.equal(main.threads?.filter((t) => t.filename === '[eval]').length, 1);
  });
});
