import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startIpcServer } from '../../adapter/ipc/server';
import { CollectingSink } from '../runtime/harness';

function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32LE(1 + payload.length, 0);
  h[4] = type;
  return Buffer.concat([h, payload]);
}
function batch(words: number[], bytes: Buffer): Buffer {
  const p = Buffer.alloc(4 + words.length * 4 + 4 + bytes.length);
  p.writeUInt32LE(words.length, 0);
  words.forEach((w, i) => p.writeInt32LE(w, 4 + i * 4));
  p.writeUInt32LE(bytes.length, 4 + words.length * 4);
  bytes.copy(p, 8 + words.length * 4);
  return frame(2, p);
}
const hello = (token: string) => frame(1, Buffer.from(token + JSON.stringify({ pid: 1, threadId: 0, nodeVersion: 'v20', argv: [], cwd: '/', startTime: 0 })));

function dbl(x: number): number[] {
  const b = Buffer.alloc(8); b.writeDoubleLE(x);
  return [b.readInt32LE(0), b.readInt32LE(4)];
}

async function connect(p: string): Promise<net.Socket> {
  const s = net.createConnection(p);
  await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  return s;
}
const closed = (s: net.Socket) => new Promise<void>((resolve) => { if (s.destroyed) resolve(); else s.once('close', () => resolve()); });

describe('adapter IPC server', function () {
  this.timeout(20000);

  it('creates a private socket directory and removes it on close', async () => {
    const srv = await startIpcServer(() => new CollectingSink());
    const st = fs.statSync(path.dirname(srv.socketPath));
    assert.equal(st.mode & 0o777, 0o700);
    assert.match(srv.token, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(srv.env).sort(), ['ELIXIRSCOPE_SOCKET', 'ELIXIRSCOPE_TOKEN']);
    await srv.whenIdle(); // no connections: idle at once
    await srv.close();
    assert.equal(fs.existsSync(path.dirname(srv.socketPath)), false);
  });

  it('rejects a wrong token and a connection that does not start with HELLO', async () => {
    let made = 0;
    const srv = await startIpcServer(() => { made++; return new CollectingSink(); });
    try {
      const a = await connect(srv.socketPath);
      a.write(hello('0'.repeat(64)));
      await closed(a);
      const b = await connect(srv.socketPath);
      b.write(batch([0], Buffer.alloc(0)));
      await closed(b);
      const c = await connect(srv.socketPath);
      c.write(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1])); // absurd pre-auth frame length
      await closed(c);
      await srv.whenIdle();
      assert.equal(made, 0);
    } finally { await srv.close(); }
  });

  it('decodes every value tag, with frames split into single bytes', async () => {
    const sinks: CollectingSink[] = [];
    const srv = await startIpcServer(() => { const s = new CollectingSink(); sinks.push(s); return s; });
    try {
      const str = Buffer.from('héllo', 'utf8');
      const json = Buffer.from('{"o":1,"c":"Object","k":"object","p":[],"n":0}', 'utf8');
      const words = [
        (7 << 4) | 0,                       // step 7
        (3 << 4) | 1, 11,                   // call 3 frame 11
        (4 << 4) | 5, 0,                    // write undefined
        (4 << 4) | 5, 1,                    // null
        (4 << 4) | 5, 2,                    // true
        (4 << 4) | 5, 3,                    // false
        (4 << 4) | 5, 4, -5,                // int
        (4 << 4) | 5, 5, ...dbl(0.25),
        (4 << 4) | 5, 5, ...dbl(NaN),
        (4 << 4) | 5, 5, ...dbl(-0),
        (4 << 4) | 5, 5, ...dbl(-Infinity),
        (4 << 4) | 5, 6, str.length,        // string
        (5 << 4) | 6, 9, 6, 0, 7, json.length, // propWrite obj 9: key '', value json
        (3 << 4) | 2, 11,                   // exit
        (0 << 4) | 12, 77,                  // gap 77
      ];
      const all = Buffer.concat([hello(srv.token), batch(words, Buffer.concat([str, json])), frame(3)]);
      const s = await connect(srv.socketPath);
      for (let i = 0; i < all.length; i++) {
        s.write(all.subarray(i, i + 1));
        if (i % 16 === 0) await new Promise((r) => setImmediate(r));
      }
      await srv.whenIdle();
      assert.equal(sinks.length, 1);
      assert.equal(sinks[0].ended, true);
      assert.deepEqual(sinks[0].helloInfo, { pid: 1, threadId: 0, nodeVersion: 'v20', argv: [], cwd: '/', startTime: 0 });
      assert.deepEqual(sinks[0].events, [
        ['step', 7, 0, undefined],
        ['call', 3, 11, undefined],
        ['write', 4, 0, [{ u: 1 }]],
        ['write', 4, 0, [null]],
        ['write', 4, 0, [true]],
        ['write', 4, 0, [false]],
        ['write', 4, 0, [-5]],
        ['write', 4, 0, [0.25]],
        ['write', 4, 0, [{ n: 'NaN' }]],
        ['write', 4, 0, [{ n: '-0' }]],
        ['write', 4, 0, [{ n: '-Infinity' }]],
        ['write', 4, 0, ['héllo']],
        ['propWrite', 5, 9, ['', { o: 1, c: 'Object', k: 'object', p: [], n: 0 }]],
        ['exit', 3, 11, undefined],
        ['gap', 0, 77, undefined],
      ]);
    } finally { await srv.close(); }
  });

  it('replays spool files (a run that ended before its worker connected) in whenIdle, refusing a wrong token', async () => {
    const sinks: CollectingSink[] = [];
    const srv = await startIpcServer(() => { const s = new CollectingSink(); sinks.push(s); return s; });
    try {
      const dir = path.dirname(srv.socketPath);
      fs.writeFileSync(path.join(dir, 'spool-1-0'), Buffer.concat([hello(srv.token), batch([(7 << 4) | 0, (3 << 4) | 1, 11], Buffer.alloc(0)), frame(3)]));
      fs.writeFileSync(path.join(dir, 'spool-2-0'), Buffer.concat([hello('0'.repeat(64)), batch([(8 << 4) | 0], Buffer.alloc(0)), frame(3)]));
      await srv.whenIdle();
      assert.equal(sinks.length, 1);
      assert.equal(sinks[0].ended, true);
      assert.deepEqual(sinks[0].events, [['step', 7, 0, undefined], ['call', 3, 11, undefined]]);
      assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('spool-')), []);
      // A spool cut short (no END) ends its sink unclean, with what it holds.
      fs.writeFileSync(path.join(dir, 'spool-3-0'), Buffer.concat([hello(srv.token), batch([(9 << 4) | 0], Buffer.alloc(0))]));
      await srv.whenIdle();
      assert.equal(sinks.length, 2);
      assert.equal(sinks[1].ended, false);
      assert.deepEqual(sinks[1].events, [['step', 9, 0, undefined]]);
    } finally { await srv.close(); }
  });

  it('ends the sink unclean when the connection closes without END, and on a malformed batch', async () => {
    const sinks: CollectingSink[] = [];
    const srv = await startIpcServer(() => { const s = new CollectingSink(); sinks.push(s); return s; });
    try {
      const a = await connect(srv.socketPath);
      a.write(Buffer.concat([hello(srv.token), batch([0, 16], Buffer.alloc(0))]));
      await new Promise((r) => setTimeout(r, 50));
      a.end();
      const b = await connect(srv.socketPath);
      b.write(Buffer.concat([hello(srv.token), batch([5, 6, 100], Buffer.alloc(0))])); // string longer than bytes
      await closed(b);
      await srv.whenIdle();
      assert.equal(sinks.length, 2);
      assert.deepEqual(sinks[0].events, [['step', 0, 0, undefined], ['step', 1, 0, undefined]]);
      assert.equal(sinks[0].ended, false);
      assert.equal(sinks[1].ended, false);
    } finally { await srv.close(); }
  });

  it('stops reading while a sink says it is not writable (optional whenWritable)', async () => {
    let release: (() => void) | undefined;
    let gate: Promise<void> | undefined = new Promise<void>((r) => { release = r; });
    const sink = new CollectingSink() as CollectingSink & { whenWritable(): Promise<void> | undefined };
    sink.whenWritable = () => gate;
    const srv = await startIpcServer(() => sink);
    try {
      const a = await connect(srv.socketPath);
      a.write(Buffer.concat([hello(srv.token), batch([0], Buffer.alloc(0))]));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sink.events.length, 1);
      a.write(batch([16], Buffer.alloc(0)));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sink.events.length, 1, 'paused while the sink is busy');
      gate = undefined;
      release!();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sink.events.length, 2);
      a.end(frame(3));
      await srv.whenIdle();
      assert.equal(sink.ended, true);
    } finally { await srv.close(); }
  });
});
