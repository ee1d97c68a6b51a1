/**
 * The program side of the start gate (wire.ts GATE_ENV): a blocking read of one line from the
 * gate fd, before the program's first statement. Synchronous on purpose: nothing of the program
 * may run until the adapter knows the build it runs.
 */
import * as fs from 'node:fs';
import { GATE_ABORT_CODE, type GateMessage } from './wire';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function readLine(fd: number): string {
  const buf = Buffer.alloc(64 * 1024);
  let text = '';
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return text;
      Atomics.wait(sleeper, 0, 0, 1); // a non-blocking pipe: poll
      continue;
    }
    if (n === 0) return text;
    text += buf.toString('utf8', 0, n);
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'));
  }
}

/** The adapter's message; exits the process (before any program code) when it says not to run. */
export function passGate(fd: number): GateMessage {
  let message: GateMessage | undefined;
  try {
    const parsed: unknown = JSON.parse(readLine(fd));
    if (parsed && typeof parsed === 'object') message = parsed as GateMessage;
  } catch { message = undefined; }
  try { fs.closeSync(fd); } catch { /* already closed */ }
  if (!message || message.abort) process.exit(GATE_ABORT_CODE);
  return message;
}
