/**
 * The V8 side of the parity harness: a program run under Node's own inspector (the protocol
 * vscode-js-debug speaks to Node), stepped the same way a user would step it in VS Code.
 * The work happens in a child process (harness-child.ts explains the mechanism); this module
 * spawns it, bounds it with a timeout and reads back the stops it recorded.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildResult } from './harness-child';
import type { Place, Rule } from './normalise';

export type Step = 'next' | 'stepIn' | 'stepOut' | 'continue';

/** One place the debugger stopped: the top frame, and its locals as the variables view shows them. */
export interface Stop {
  file: string;
  line: number;
  functionName: string;
  locals: Record<string, string>;
  /** V8 only: every name in scope at the stop short of the global scope (block, local, closure, module, script). */
  visible?: string[];
  /** 1-based. */
  column?: number;
  /** Frames on the stack, innermost first (stack[0] is this stop's own frame). */
  stack?: Place[];
  /** Pauses a normalisation rule stepped past on the way here (see normalise.ts). */
  skipped?: Array<Place & { rule: Rule }>;
}

/** `done`: every step was performed (false: the program ended first). */
export interface InspectorRun { stops: Stop[]; done: boolean; skippedInternalPauses: number; internalPauses: string[]; stdout: string; stderr: string; code: number | null }

/**
 * Runs `programPath` with a breakpoint at `breakpointLine` (1-based); at the first hit records a
 * stop, then performs `steps` one by one, recording where each lands. Fewer than steps+1 stops
 * come back when the program ended first (as in VS Code, where the session then ends).
 * Without `rules` (normalise.ts) the stops are exactly V8's pauses.
 */
export async function runUnderInspector(programPath: string, breakpointLine: number, steps: Step[], rules: readonly Rule[] = [], timeoutMs = 30000): Promise<Stop[]> {
  return (await runUnderInspectorDetailed(programPath, breakpointLine, steps, rules, timeoutMs)).stops;
}

/**
 * As runUnderInspector, with the run's details. `rules` (normalise.ts) are pauses to step past:
 * none by default, so the stops are exactly V8's.
 */
export async function runUnderInspectorDetailed(programPath: string, breakpointLine: number, steps: Step[], rules: readonly Rule[] = [], timeoutMs = 30000): Promise<InspectorRun> {
  const dir = mkdtempSync(join(tmpdir(), 'es-parity-v8-'));
  const result = join(dir, 'stops.json');
  try {
    const child = spawn(process.execPath, [join(__dirname, 'harness-child.js'), programPath, String(breakpointLine), JSON.stringify(steps), result, JSON.stringify(rules)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    const code = await new Promise<number | null>((resolve, reject) => { child.on('error', reject); child.on('close', (c) => resolve(c)); });
    clearTimeout(timer);
    if (!existsSync(result)) throw new Error(`inspector run of ${programPath} left no result (exit ${code}${timedOut ? ', timed out' : ''})\n${stderr}`);
    const r = JSON.parse(readFileSync(result, 'utf8')) as ChildResult;
    if (r.error) throw new Error(`inspector run of ${programPath}: ${r.error}\n${stderr}`);
    if (timedOut) throw new Error(`inspector run of ${programPath} timed out after ${timeoutMs} ms with ${r.stops.length} stops\n${stderr}`);
    if (!r.stops.length) throw new Error(`inspector run of ${programPath}: the breakpoint at line ${breakpointLine} was never hit (exit ${code})\n${stderr}`);
    return { stops: r.stops, done: r.done, skippedInternalPauses: r.skippedInternalPauses, internalPauses: r.internalPauses ?? [], stdout, stderr, code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
