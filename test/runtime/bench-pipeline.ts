/**
 * Micro benchmark: events/s through the full pipeline (hooks -> SAB ring -> drain worker -> Unix
 * socket -> adapter decode -> no-op sink), compared with the same loop calling empty hooks.
 * Run: node scripts/build.mjs && npx tsc -p . && node out/test/runtime/bench-pipeline.js [N]
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startIpcServer } from '../../adapter/ipc/server';
import type { EventSink } from '../../adapter/store/sink';
import { FIXTURES, RUNTIME } from './harness';

const PROG = path.join(FIXTURES, 'bench-program.js');

interface Sample { events: number; loopMs: number; totalMs: number; received: number }

async function runOnce(n: number, mix: string, recorded: boolean): Promise<Sample> {
  let received = 0;
  const server = await startIpcServer(() => {
    const sink: EventSink = { event() { received++; }, hello() { /* */ }, async end() { /* */ } };
    return sink;
  });
  try {
    const t0 = process.hrtime.bigint();
    const env = recorded ? { ...process.env, ...server.env } : { ...process.env };
    const child = spawn(process.execPath, [...(recorded ? ['-r', RUNTIME] : []), PROG, String(n), mix], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    await new Promise((resolve) => child.on('close', resolve));
    if (recorded) await server.whenIdle();
    const totalMs = Number(process.hrtime.bigint() - t0) / 1e6 - (recorded ? 15 : 0); // whenIdle settles 15 ms
    const r = JSON.parse(out) as { events: number; ns: number };
    return { events: r.events, loopMs: r.ns / 1e6, totalMs, received };
  } finally {
    await server.close();
  }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export async function benchPipeline(n = 10_000_000, reps = 5, log: (s: string) => void = console.log): Promise<void> {
  for (const mix of ['steps', 'values']) {
    const base: number[] = [], loop: number[] = [], total: number[] = [];
    let events = 0;
    for (let i = 0; i < reps; i++) {
      const b = await runOnce(n, mix, false);
      const r = await runOnce(n, mix, true);
      if (r.received !== r.events + 2) throw new Error(`lost events: sent ${r.events + 2}, received ${r.received}`);
      events = r.events;
      base.push(b.loopMs); loop.push(r.loopMs); total.push(r.totalMs);
    }
    const mb = median(base), ml = median(loop), mt = median(total);
    log(`${mix}: ${events} events | empty hooks loop ${mb.toFixed(0)} ms | recorded loop ${ml.toFixed(0)} ms ` +
      `(${(events / ml / 1e3).toFixed(1)} M ev/s in the program, ${(ml / mb).toFixed(2)}x) | ` +
      `spawn..last event decoded ${mt.toFixed(0)} ms (${(events / mt / 1e3).toFixed(1)} M ev/s end to end)`);
  }
}

if (require.main === module) {
  benchPipeline(Number(process.argv[2] ?? 10_000_000), Number(process.argv[3] ?? 5)).catch((e) => { console.error(e); process.exit(1); });
}
