import assert from 'node:assert/strict';
import { Snapshotter } from '../../runtime/snapshot';
import { redactRegex, DEFAULT_REDACT } from '../../runtime/options';
import { ChunkBuilder, decodeChunk } from '../../adapter/store/chunk-codec';
import { RawJson } from '../../adapter/store/sink';
import { EventKind } from '../../protocol/events';
import type { RecordedValue } from '../../protocol/values';

// The writer stores the runtime's JSON bytes without parsing them (RawJson). A chunk built that way
// must be byte for byte the chunk built from the parsed values (as before the shortcut).
describe('store: JSON values stored as the runtime sent them', () => {
  it('a chunk from RawJson bytes equals the chunk from the parsed values', () => {
    const snap = new Snapshotter({ maxDepth: 2, maxKeys: 100, maxString: 1000, redact: redactRegex(DEFAULT_REDACT) });
    class Point { constructor(public x: number, public y: number) {} }
    const shared = { a: 1 };
    const values: unknown[] = [
      { a: 1, b: 'two', c: [1, 2.5, -0, NaN, Infinity, 1e21, 1e-7, -1e300], d: { e: { f: { g: 1 } } } },
      [undefined, null, true, 'é\u2028\ud800\udc00 "q" \\ \n', Symbol('s'), 10n, () => 1],
      new Map<unknown, unknown>([['k', 1], [{ o: 1 }, new Set([1, 'x'])]]),
      new Point(1, 2), new Error('boom'), new Date(0), /re/gi, new Uint8Array([1, 2]),
      { password: 'secret', '10': 'ten', '2': 'two', z: shared, y: shared },
      Object.create(null), new Proxy({}, {}), Symbol.iterator,
    ];
    const texts = values.map((v) => snap.encode(v));
    const build = (raw: boolean) => {
      const b = new ChunkBuilder(0, [], 0);
      texts.forEach((t, i) => {
        const bytes = Buffer.from('xx' + t + 'yy');
        const v = raw ? new RawJson(bytes, 2, bytes.length - 2) : JSON.parse(t) as RecordedValue;
        b.add(EventKind.Write, i + 1, 0, [v], 0, false);
      });
      return b.encode();
    };
    const parsed = build(false);
    assert.deepEqual(build(true), parsed);
    const back = decodeChunk(0, parsed);
    assert.deepEqual(back.values, texts.map((t) => JSON.parse(t) as RecordedValue));
    // A builder reusing an encoded builder's buffers starts empty.
    const first = new ChunkBuilder(0, [], 0);
    first.add(EventKind.Write, 1, 0, [new RawJson(Buffer.from(texts[0]!), 0, texts[0]!.length)], 0, false);
    first.encode();
    const next = new ChunkBuilder(1, [], 0, first);
    next.add(EventKind.Write, 2, 0, [7], 0, false);
    const fresh = new ChunkBuilder(1, [], 0);
    fresh.add(EventKind.Write, 2, 0, [7], 0, false);
    assert.deepEqual(next.encode(), fresh.encode());
  });

  it('a Step through the fast path (addStep) encodes as through add()', () => {
    const build = (fast: boolean) => {
      const b = new ChunkBuilder(0, [], 0);
      for (const site of [5, 6, 6, 200000, 3, 0x7ffffff]) {
        if (fast) b.addStep(site); else b.add(EventKind.Step, site, 0, undefined, 0, false);
        b.add(EventKind.Write, site, 0, [site], 0, false);
      }
      return b.encode();
    };
    assert.deepEqual(build(true), build(false));
  });
});
