// Steps are most of a recording: a Step whose site is near the previous event's takes one byte.
import assert from 'node:assert/strict';
import { ChunkBuilder, decodeChunk, decodeChunkEvents } from '../../adapter/store/chunk-codec';
import { EventKind } from '../../protocol/events';

const SITES = [5, 6, 6, 200000, 3, 0x7ffffff, 0x7fffff8, 0x7ffffff, 0, 7, 8, 1];

describe('chunk codec: steps', () => {
  it('decode what was encoded, near sites in one byte, far ones with a varint', () => {
    const b = new ChunkBuilder(100, [], 0);
    for (const site of SITES) b.addStep(site);
    b.add(EventKind.Write, 9, 0, [1], 0, false);
    const bytes = b.encode();
    const chunk = decodeChunk(100, bytes);
    assert.deepEqual([...chunk.sites], [...SITES, 9]);
    assert.deepEqual([...chunk.kinds], [...SITES.map(() => EventKind.Step), EventKind.Write]);
    assert.deepEqual(chunk.values, [1]);
    assert.deepEqual([...decodeChunkEvents(bytes).sites], [...SITES, 9]);
    // deltas +5 +1 0 -7 +7 +7 +1 -7: one byte each; +199995 and -199997 a kind byte and 3 varint
    // bytes, +/-134217727-ish 1 + 4; the Write a kind byte and a 1-byte site delta
    assert.equal(bytes.readUInt32LE(0), 8 + (4 + 4 + 5 + 5) + 2);
  });

  it('reads the steps of older recordings: a Step byte without a delta, then a varint', () => {
    // u32 event bytes, count 3, last frame id 0, depth 0; events: Step +5, Step +1, Step -2 as formats <= 5 wrote them
    const events = [0, 10, 0, 2, 0, 3];
    const old = Buffer.from([events.length, 0, 0, 0, 3, 0, 0, ...events]);
    assert.deepEqual([...decodeChunk(0, old).sites], [5, 6, 4]);
    assert.deepEqual([...decodeChunkEvents(old).sites], [5, 6, 4]);
  });
});
