// Statements are indexed per chunk (keys.ts `steps:`): a statement site's first step in each chunk is
// posted, and its other steps are read from the chunk. Every lookup the engine makes must give what
// an exact scan of the recording gives, also where the stored postings stop short of the end (a
// recording still being written, or one whose recorder was killed): those chunks are read instead.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { Level } from 'level';
import { join } from 'node:path';
import { RecordingReader } from '../../adapter/store/reader';
import { Postings, PostingsCursor } from '../../adapter/engine/postings';
import { decodePostings, encodePostings } from '../../adapter/store/postings-codec';
import { prefixEnd, seqOfPostingsKey, STATS_KEY } from '../../adapter/store/keys';
import { EventKind } from '../../protocol/events';
import { SiteKind } from '../../protocol/sites';
import { recordWithCli } from '../helpers/record';
import { tempDir } from '../helpers/temp';

// Phases make sites that are hot in some chunks, absent from others, and one that runs once, late.
const PROGRAM = `let a = 0, b = 0, c = 0;
function phase(n, rare) {
  for (let i = 0; i < n; i++) {
    a += i;
    if (i % 97 === 0) b++;
    if (rare && i === n - 1) c++;
  }
}
phase(12000, false);
for (let k = 0; k < 3000; k++) b--;
phase(5, true);
phase(12000, false);
console.log(a, b, c);
`;

/**
 * A copy of the recording as a recorder would have left it had it stopped writing step postings at
 * `posted`: no stored first step at or after it, and stats saying so.
 */
async function withStepPostingsUpTo(dir: string, posted: number): Promise<string> {
  const copy = `${dir}-${posted}`;
  cpSync(dir, copy, { recursive: true });
  const db = new Level<string, Buffer>(copy, { valueEncoding: 'buffer' });
  await db.open();
  for await (const [key, value] of db.iterator({ gte: 'steps:', lt: prefixEnd('steps:') })) {
    const kept = decodePostings(seqOfPostingsKey(key), value).filter((s) => s < posted);
    if (kept.length) await db.put(key, encodePostings(kept)); else await db.del(key);
  }
  const stats = JSON.parse((await db.get(STATS_KEY, { valueEncoding: 'utf8' }) as unknown as string)) as { stepsPostedTo?: number };
  stats.stepsPostedTo = posted;
  await db.put(STATS_KEY, JSON.stringify(stats) as unknown as Buffer, { valueEncoding: 'utf8' });
  await db.close();
  return copy;
}

describe('step postings: statements indexed per chunk answer as an exact index would', function () {
  this.timeout(120000);
  let reader: RecordingReader;
  let recording = '';
  const exact = new Map<number, number[]>();
  let chunkStarts: number[] = [];

  before(async () => {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{"name":"steps","private":true}');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'steps.js'), PROGRAM);
    recording = recordWithCli(join(root, 'src', 'steps.js'), join(root, 'rec'));
    reader = await RecordingReader.open(recording);
    for await (const c of reader.chunkEvents(0, reader.length)) {
      chunkStarts.push(c.start);
      for (let i = 0; i < c.length; i++) {
        if (c.kinds[i] !== EventKind.Step) continue;
        const list = exact.get(c.sites[i]) ?? [];
        list.push(c.start + i);
        exact.set(c.sites[i], list);
      }
    }
  });
  after(async () => { await reader.close(); });

  it('the recording spans many chunks, and every statement site with steps is a Statement site', () => {
    assert.ok(chunkStarts.length >= 8, `only ${chunkStarts.length} chunks`);
    for (const site of exact.keys()) assert.equal(reader.sites[site]?.kind, SiteKind.Statement);
    assert.equal(reader.stats.stepsPostedTo, reader.length, 'a finished recording has all its step postings stored');
  });

  for (const posted of ['all', 'none', 'half'] as const) {
    it(`after, before, cursors and full lists match an exact scan (step postings stored for ${posted} of the chunks)`, async () => {
      const upTo = posted === 'all' ? reader.length : posted === 'none' ? 0 : chunkStarts[chunkStarts.length >> 1];
      const partial = await RecordingReader.open(upTo === reader.length ? recording : await withStepPostingsUpTo(recording, upTo));
      try {
        const postings = new Postings(partial);
        const probes = new Set<number>([-1, 0, reader.length - 1, reader.length]);
        for (const start of chunkStarts) for (const d of [-1, 0, 1]) probes.add(start + d);
        for (let s = 0; s < reader.length; s += 997) probes.add(s);
        for (const [site, seqs] of exact) {
          assert.deepEqual(await partial.allPostings(site), seqs, `all steps of site ${site}`);
          for (const seq of probes) {
            assert.equal(await postings.after(site, seq), seqs.find((s) => s > seq) ?? -1, `site ${site} after ${seq}`);
            assert.equal(await postings.before(site, seq), seqs.filter((s) => s < seq).pop() ?? -1, `site ${site} before ${seq}`);
          }
          const mid = seqs[seqs.length >> 1];
          const forward = new PostingsCursor(partial, site, mid, 1), backward = new PostingsCursor(partial, site, mid, -1);
          const walked = { forward: [] as number[], backward: [] as number[] };
          for (let s = await forward.next(); s >= 0; s = await forward.next()) walked.forward.push(s);
          for (let s = await backward.next(); s >= 0; s = await backward.next()) walked.backward.push(s);
          assert.deepEqual(walked.forward, seqs.filter((s) => s > mid), `cursor forward of site ${site}`);
          assert.deepEqual(walked.backward, seqs.filter((s) => s < mid).reverse(), `cursor backward of site ${site}`);
        }
      } finally {
        await partial.close();
      }
    });
  }
});
