import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, runWithRuntime, runPlain, type Ev, type RunResult } from './harness';

const PROG = path.join(FIXTURES, 'hooks-program.js');

/** The events every mode of hooks-program.js records before its mode-specific part (base 0). */
function prologue(file: string): Ev[] {
  return [
    ['fileLoaded', 0, 0, [JSON.stringify({ hash: 'h1', file, count: 20 })]],
    ['call', 0, 1, undefined],
    ['step', 1, 0, undefined],
    ['write', 2, 0, [42]],
    ['write', 3, 0, ['héllo']],
    ['write', 4, 0, [1.5]],
    ['write', 5, 0, [{ o: 1, c: 'Object', k: 'object', n: 2, p: [['a', 1], ['b', { o: 2, c: 'Array', k: 'array', n: 2, p: [['0', true], ['1', null]] }]] }]],
    ['propWrite', 6, 3, ['k', { n: '-0' }]],
    ['propWrite', 6, 3, ['password', { x: 'redacted' }]],
    ['call', 7, 2, undefined],
    ['write', 8, 0, [21]],
    ['return', 9, 0, [42]],
    ['exit', 7, 2, undefined],
  ];
}

function only(r: RunResult) {
  assert.equal(r.sinks.length, 1, `one connection expected; stderr: ${r.stderr}`);
  return r.sinks[0];
}

describe('runtime pipeline (real processes, real socket)', function () {
  this.timeout(60000);

  it('records the exact event sequence of a normal run; output and exit code unchanged', async () => {
    const r = await runWithRuntime(PROG, ['normal']);
    const s = only(r);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'out 42\n');
    assert.equal(r.stderr, '');
    assert.deepEqual(s.events, [...prologue(PROG), ['exit', 0, 1, undefined], ['processExit', 0, 0, [0]]]);
    assert.equal(s.ended, true);
    assert.equal(s.helloInfo?.pid !== undefined, true);
    assert.equal(s.helloInfo?.threadId, 0);
    assert.equal(s.helloInfo?.argv[1], PROG);
  });

  it('process.exit(3): exit code kept, everything flushed', async () => {
    const r = await runWithRuntime(PROG, ['exit3']);
    const s = only(r);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out 42\n');
    assert.deepEqual(s.events, [...prologue(PROG), ['processExit', 0, 0, [3]]]);
    assert.equal(s.ended, true);
  });

  it('events recorded in the program\'s own exit listeners are flushed too', async () => {
    const r = await runWithRuntime(PROG, ['exitlistener']);
    const s = only(r);
    assert.equal(r.code, 0);
    assert.deepEqual(s.events, [...prologue(PROG), ['exit', 0, 1, undefined], ['step', 14, 0, undefined], ['write', 15, 0, [0]], ['processExit', 0, 0, [0]]]);
  });

  it('uncaught exception: exit code 1, stderr has the error, events up to the throw', async () => {
    const r = await runWithRuntime(PROG, ['throw']);
    const plain = await runPlain(PROG, ['throw'], undefined, false).catch(() => undefined);
    void plain;
    const s = only(r);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TypeError: boom!/);
    const ev = s.events;
    const tail = ev.slice(prologue(PROG).length);
    const error = { o: 4, c: 'TypeError', k: 'error', n: 0, p: [], d: 'boom!' };
    assert.deepEqual(tail.slice(0, 3), [['call', 7, 3, undefined], ['write', 8, 0, ['boom']], ['throw', 7, 0, [error]]]);
    assert.deepEqual(tail.slice(3), [['exit', 7, 3, undefined], ['uncaught', 0, 0, [error]], ['processExit', 0, 0, [1]]],
      'Node\'s uncaught handling reports the same object (site 0: thrown, not a rejection)');
    assert.equal(s.ended, true);
  });

  it('unhandled rejection: exit code 1, flushed', async () => {
    const r = await runWithRuntime(PROG, ['reject']);
    const s = only(r);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rejected!/);
    const [uncaught, exit] = s.events.slice(-2);
    assert.deepEqual([uncaught[0], uncaught[1], (uncaught[3] as Array<{ d?: string }>)[0].d], ['uncaught', 1, 'rejected!'], 'reported once, as a rejection (site 1)');
    assert.deepEqual(exit, ['processExit', 0, 0, [1]]);
    assert.equal(s.ended, true);
  });

  it('removes its variables from process.env and adds no enumerable global', async () => {
    const r = await runWithRuntime(PROG, ['env'], { env: { ELIXIRSCOPE_OPTIONS: '{"maxDepth":2}', ELIXIRSCOPE_MANIFEST: '/nonexistent/manifest.json' } });
    only(r);
    const info = JSON.parse(r.stdout.split('\n')[1]) as { env: string[]; enumerable: boolean };
    assert.deepEqual(info.env, []);
    assert.equal(info.enumerable, false);
    assert.equal(r.code, 0);
  });

  it('is invisible to process introspection (execArgv, listeners, event names, source-map flag, keys)', async () => {
    const script = path.join(FIXTURES, 'introspect.js');
    const plain = await runPlain(script, []);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-introspect-'));
    try {
      // A manifest (for another file) so the runtime also enables source maps.
      const manifest = path.join(dir, 'manifest.json');
      fs.writeFileSync(manifest, JSON.stringify({ version: 1, root: dir, mode: 'full', files: { [path.join(dir, 'x.js')]: { hash: 'k', sourceHash: '0', out: path.join(dir, 'x.out.js'), sites: path.join(dir, 'x.sites.json'), siteCount: 1 } } }));
      const r = await runWithRuntime(script, [], { env: { ELIXIRSCOPE_MANIFEST: manifest } });
      assert.equal(r.stdout, plain.stdout);
      assert.equal(r.code, 0);
      assert.equal(r.sinks[0].ended, true);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('is inert without ELIXIRSCOPE_SOCKET', async () => {
    const env = { ...process.env } as Record<string, string>;
    delete env.ELIXIRSCOPE_SOCKET;
    const r = await runPlain(path.join(FIXTURES, 'plain-program.js'), ['4'], env, true);
    assert.equal(r.stdout, '{"hooks":"undefined","env":[]}\n');
    assert.equal(r.code, 4);
  });

  it('SIGTERM without a handler: flushes, then dies by the same signal', async () => {
    const r = await runWithRuntime(PROG, ['wait'], { onReady: (c) => c.kill('SIGTERM') });
    const s = only(r);
    assert.equal(r.signal, 'SIGTERM');
    assert.equal(r.code, null);
    assert.deepEqual(s.events, [...prologue(PROG), ['exit', 0, 1, undefined], ['processExit', 0, 0, [143]]]);
    assert.equal(s.ended, true);
  });

  it('SIGINT with the program\'s own handler: the handler runs, exit code is its own', async () => {
    const r = await runWithRuntime(PROG, ['sigint-handler'], { onReady: (c) => c.kill('SIGINT') });
    const s = only(r);
    assert.equal(r.code, 7);
    assert.equal(r.stdout, 'out 42\nready\nhandled\n');
    assert.deepEqual(s.events, [...prologue(PROG), ['exit', 0, 1, undefined], ['step', 16, 0, undefined], ['processExit', 0, 0, [7]]]);
  });

  it('SIGINT without a handler: dies by SIGINT after flushing', async () => {
    const r = await runWithRuntime(PROG, ['wait'], { onReady: (c) => c.kill('SIGINT') });
    assert.equal(r.signal, 'SIGINT');
    assert.deepEqual(r.sinks[0].events.at(-1), ['processExit', 0, 0, [130]]);
  });

  it('SIGKILL mid-run: the events published before the kill arrive', async () => {
    // Kill once the adapter holds the published events (the worker may boot slowly on a loaded machine).
    const want = prologue(PROG).length + 1;
    const r = await runWithRuntime(PROG, ['wait'], {
      onReady: (c, sinks) => {
        const t = setInterval(() => { if ((sinks[0]?.events.length ?? 0) >= want) { clearInterval(t); c.kill('SIGKILL'); } }, 5);
      },
    });
    const s = only(r);
    assert.equal(r.signal, 'SIGKILL');
    assert.deepEqual(s.events, [...prologue(PROG), ['exit', 0, 1, undefined]]);
    assert.equal(s.ended, false);
  });

  it('a wrong token is rejected and the program still runs unchanged', async () => {
    const r = await runWithRuntime(PROG, ['normal'], { tokenOverride: 'ab'.repeat(32) });
    assert.equal(r.sinks.length, 0);
    assert.equal(r.stdout, 'out 42\n');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
  });

  it('millions of events through a small ring: zero loss, in order', async () => {
    const N = 2_000_000;
    let writes = 0, strings = 0, bad = 0, total = 0;
    const r = await runWithRuntime(PROG, ['many', String(N)], {
      keep: false,
      env: { ELIXIRSCOPE_OPTIONS: JSON.stringify({ ringWords: 1 << 16, ringBytes: 1 << 16 }) },
      onEvent: (kind, site, _arg, values) => {
        total++;
        if (kind === 5 && site === 12) { if (values![0] !== writes) bad++; writes++; }
        if (kind === 5 && site === 13) {
          const i = strings * 1000;
          if (values![0] !== 'str' + 'x'.repeat(i % 300) + i) bad++;
          strings++;
        }
      },
    });
    const s = only(r);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `out 42\ndone ${N}\n`);
    assert.equal(bad, 0);
    assert.equal(writes, N);
    assert.equal(strings, N / 1000);
    assert.equal(total, prologue(PROG).length + 1 + 2 * N + N / 1000 + 1 + 1 + 1);
    assert.equal(s.ended, true);
  });
});

describe('runtime pipeline under stress', function () {
  this.timeout(120000);

  it('overflow "drop-oldest": a slow adapter never blocks the program; Gap events account for every drop', async () => {
    const N = 1_000_000;
    let last = -1, monotonic = true, writes = 0, strings = 0, gaps = 0, gapEvents = 0, others = 0, n = 0, lastKind = -1;
    const r = await runWithRuntime(PROG, ['many', String(N)], {
      keep: false,
      env: { ELIXIRSCOPE_OPTIONS: JSON.stringify({ ringWords: 4096, ringBytes: 1 << 16, overflow: 'drop-oldest' }) },
      onEvent: (kind, site, arg, values) => {
        lastKind = kind;
        if (++n % 2000 === 0) { const t = Date.now(); while (Date.now() - t < 2) { /* slow adapter */ } }
        if (kind === 12) { gaps += arg; gapEvents++; return; }
        if (kind === 5 && site === 12) { const v = values![0] as number; if (v <= last) monotonic = false; last = v; writes++; return; }
        if (kind === 5 && site === 13) { strings++; return; }
        others++;
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `out 42\ndone ${N}\n`);
    assert.ok(gapEvents > 0, 'the adapter was slow enough to drop');
    assert.equal(lastKind, 11, 'the exit is recorded after the last hole');
    assert.ok(monotonic);
    const loopEvents = 2 * N + N / 1000;
    // every event of the hot loop either arrived or is counted in a Gap (prologue/epilogue events too)
    assert.equal(writes + strings + gaps + others, prologue(PROG).length + 1 + loopEvents + 1 + 1 + 1);
  });

  it('drop policy when the BYTE ring is full (records dropped in the middle of a value)', async () => {
    const N = 20000;
    const big = 'y'.repeat(900);
    let next = 0, bad = 0, gaps = 0, gapEvents = 0, seen = 0;
    const r = await runWithRuntime(PROG, ['bigstrings', String(N)], {
      keep: false,
      env: { ELIXIRSCOPE_OPTIONS: JSON.stringify({ ringWords: 1 << 16, ringBytes: 1 << 14, overflow: 'drop-oldest' }) },
      onEvent: (kind, site, arg, values) => {
        if (++seen % 50 === 0) { const t = Date.now(); while (Date.now() - t < 1) { /* slow adapter */ } }
        if (kind === 12) { gaps += arg; gapEvents++; next += arg; return; }
        if (site !== 17 && site !== 18) return;
        const b = next >> 1;
        const ok = (next & 1) === 0
          ? kind === 5 && site === 17 && values![0] === big + b
          : kind === 6 && site === 18 && values![0] === 'k' + b && values![1] === b + big;
        if (!ok) bad++;
        next++;
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(bad, 0);
    assert.ok(gapEvents > 0);
    // the prologue's 13 events precede the loop; gaps may also swallow some of them or the epilogue
    assert.ok(next >= 2 * N - 1 && next <= 2 * N + 20, `accounted ${next} of ${2 * N}`);
  });

  it('drop policy: an unchanged object is sent as a reference only to a snapshot that arrived after the last hole', async () => {
    const N = 200_000;
    let lastFull: number | undefined, refs = 0, fulls = 0, gapEvents = 0, bad = 0, seen = 0, firstBad = '';
    const r = await runWithRuntime(PROG, ['same', String(N)], {
      keep: false,
      env: { ELIXIRSCOPE_OPTIONS: JSON.stringify({ ringWords: 1 << 14, ringBytes: 1 << 16, overflow: 'drop-oldest' }) },
      onEvent: (kind, site, arg, values) => {
        if (++seen % 500 === 0) { const t = Date.now(); while (Date.now() - t < 2) { /* slow adapter */ } }
        if (kind === 12) { gapEvents++; lastFull = undefined; return; }
        if (kind !== 5 || site !== 19) return;
        const v = values![0] as { s?: number; p?: Array<[string, unknown]> };
        if (typeof v.s === 'number') {
          refs++;
          if (lastFull === undefined) { bad++; firstBad ||= `a reference after a hole, before any full snapshot (event ${seen})`; }
        } else {
          fulls++;
          lastFull = v.p?.find(([k]) => k === 'version')?.[1] as number;
        }
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `out 42\ndone ${N}\n`);
    assert.ok(gapEvents > 0, 'the adapter was slow enough to drop');
    assert.ok(refs > fulls, `${refs} references, ${fulls} full snapshots`);
    assert.equal(bad, 0, firstBad);
  });

  async function randomMix(opts: { maxString: number; ringWords: number; ringBytes: number; drop: boolean }): Promise<{ gapEvents: number }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gen = require(path.join(FIXTURES, 'stress-values.js')) as (seed: number, n: number, emit: (k: string, site: number, a?: unknown, b?: unknown) => void) => void;
    const N = opts.drop ? 60_000 : 150_000;
    const maxString = opts.maxString;
    const clip = (s: string) => {
      if (s.length <= maxString) return s;
      const c = s.charCodeAt(maxString - 1);
      return s.slice(0, c >= 0xd800 && c <= 0xdbff ? maxString - 1 : maxString) + '\u2026';
    };
    const expected: Array<[number, number, unknown]> = [];
    let frame = 0;
    gen(12345, N, (k, site, a, b) => {
      if (k === 's') expected.push([0, site, undefined]);
      else if (k === 'w') {
        let v: unknown = a;
        if (typeof a === 'string') v = clip(a);
        else if (a && typeof a === 'object') v = 'object';
        expected.push([5, site, v]);
      } else if (k === 'c') { frame++; expected.push([1, site, frame]); expected.push([2, site, frame]); }
      else if (k === 'p') expected.push([6, site, [a, typeof b === 'string' ? b : { n: '-0' }]]);
    });
    let i = 0, bad = 0, firstBad = '', seen = 0, gapEvents = 0;
    const r = await runWithRuntime(path.join(FIXTURES, 'stress-values.js'), ['12345', String(N)], {
      keep: false,
      env: { ELIXIRSCOPE_OPTIONS: JSON.stringify({ ringWords: opts.ringWords, ringBytes: opts.ringBytes, maxString, overflow: opts.drop ? 'drop-oldest' : 'block' }) },
      onEvent: (kind, site, arg, values) => {
        if (opts.drop && ++seen % 200 === 0) { const t = Date.now(); while (Date.now() - t < 5) { /* slow adapter */ } }
        if (kind === 12) { gapEvents++; i += arg; return; } // a hole of `arg` events
        if (kind === 9 || kind === 11) return;
        const e = expected[i++];
        let ok = e !== undefined && e[0] === kind && e[1] === site;
        if (ok) {
          if (kind === 1 || kind === 2) ok = arg === e[2];
          else if (kind === 6) ok = JSON.stringify(values) === JSON.stringify(e[2]);
          else if (kind === 5) {
            const v = values![0];
            ok = e[2] === 'object' ? (typeof v === 'object' && v !== null && 'k' in v) : JSON.stringify(v) === JSON.stringify(e[2]);
          }
        }
        if (!ok) { bad++; if (!firstBad) firstBad = `#${i - 1}: got ${JSON.stringify([kind, site, arg, values]).slice(0, 200)} expected ${JSON.stringify(e).slice(0, 200)}`; }
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
    assert.equal(bad, 0, firstBad);
    assert.equal(i, expected.length);
    assert.equal(r.sinks[0].ended, true);
    return { gapEvents };
  }

  it('a random mix of values (multibyte strings up to the limit, objects, doubles) through tiny rings is exact', async () => {
    const { gapEvents } = await randomMix({ maxString: 3000, ringWords: 4096, ringBytes: 1 << 16, drop: false });
    assert.equal(gapEvents, 0);
  });

  it('the same mix with the drop policy and a slow adapter: what arrives is exact, Gap events skip exactly the holes', async () => {
    // Word ring the bottleneck, then the byte ring (records dropped in the middle of a value).
    assert.ok((await randomMix({ maxString: 1000, ringWords: 4096, ringBytes: 1 << 16, drop: true })).gapEvents > 0);
    assert.ok((await randomMix({ maxString: 1000, ringWords: 1 << 16, ringBytes: 1 << 14, drop: true })).gapEvents > 0);
  });
});
