/**
 * Typed wrappers for the ElixirScope DAP custom requests. Names and shapes come from
 * protocol/requests.ts; responses are still read defensively (a malformed or older adapter must
 * not break the UI), and normalised here, in one place.
 */
import type * as vscode from 'vscode';
import {
  CustomRequest, OriginArgs, OriginResponse, RecordingInfo, SeekArgs, TimelineArgs, TimelineResponse,
  ValueHistoryArgs, ValueHistoryEntry, ValueHistoryResponse,
} from '../protocol/requests';

export type { TimelineArgs, TimelineResponse };

/** One row of the "where did this value come from" answer: the origin itself, then its inputs. */
export interface OriginStep {
  seq: number; file?: string; line?: number; value?: string; description: string;
  /** Set on inputs that can be traced further (elixirscope/origin with {name, frame, seq}). */
  trace?: OriginArgs;
}

function num(v: unknown, d = 0): number { return typeof v === 'number' && Number.isFinite(v) ? v : d; }
function str(v: unknown): string | undefined { return typeof v === 'string' ? v : undefined; }
function isObj(v: unknown): v is Record<string, unknown> { return typeof v === 'object' && v !== null; }

export async function seek(session: vscode.DebugSession, seq: number): Promise<void> {
  const args: SeekArgs = { seq };
  await session.customRequest(CustomRequest.seek, args);
}

export async function info(session: vscode.DebugSession): Promise<RecordingInfo | undefined> {
  const r: unknown = await session.customRequest(CustomRequest.info);
  if (!isObj(r)) return undefined;
  return { dir: str(r.dir) ?? '', events: num(r.events), bytes: num(r.bytes), seq: num(r.seq), live: r.live === true, ...(typeof r.ms === 'number' && Number.isFinite(r.ms) ? { ms: r.ms } : {}) };
}

export async function valueHistory(session: vscode.DebugSession, args: ValueHistoryArgs): Promise<ValueHistoryResponse> {
  const r: unknown = await session.customRequest(CustomRequest.valueHistory, args);
  const list: unknown = isObj(r) ? r.entries : undefined;
  const entries: ValueHistoryEntry[] = Array.isArray(list)
    ? list.filter(isObj).map((e) => ({
      seq: num(e.seq), value: str(e.value) ?? String(e.value), file: str(e.file) ?? '', line: num(e.line),
      function: str(e.function), current: e.current === true ? true : undefined,
    }))
    : [];
  return { name: isObj(r) ? str(r.name) ?? args.name : args.name, entries, note: isObj(r) ? str(r.note) : undefined };
}

export async function timeline(session: vscode.DebugSession, args: TimelineArgs): Promise<TimelineResponse | undefined> {
  const r: unknown = await session.customRequest(CustomRequest.timeline, args);
  if (!isObj(r) || !Array.isArray(r.buckets)) return undefined;
  const buckets = r.buckets.filter(isObj).map((b) => ({
    from: num(b.from), to: num(b.to),
    counts: isObj(b.counts) ? Object.fromEntries(Object.entries(b.counts).filter(([, v]) => typeof v === 'number')) as Record<string, number> : {},
    // when the bucket's events ran (absent in recordings without clock samples): the time axis
    ...(typeof b.fromMs === 'number' && typeof b.toMs === 'number' && Number.isFinite(b.fromMs) && Number.isFinite(b.toMs) ? { fromMs: b.fromMs, toMs: b.toMs } : {}),
  }));
  const functions = Array.isArray(r.functions)
    ? r.functions.filter(isObj).map((f) => ({ name: str(f.name) ?? '?', file: str(f.file) ?? '', line: num(f.line), calls: num(f.calls) }))
    : [];
  const hits = Array.isArray(r.breakpointHits) && r.breakpointHits.length === buckets.length ? { breakpointHits: r.breakpointHits.map((n: unknown) => num(n)) } : {};
  return { from: num(r.from), to: num(r.to), buckets, position: num(r.position), total: num(r.total), functions, ...hits };
}

export async function origin(session: vscode.DebugSession, args: OriginArgs): Promise<OriginStep[]> {
  const r: unknown = await session.customRequest(CustomRequest.origin, args);
  if (!isObj(r) || typeof r.seq !== 'number') return [];
  const o = r as unknown as OriginResponse;
  const steps: OriginStep[] = [{
    seq: o.seq, file: str(o.file), line: typeof o.line === 'number' ? o.line : undefined, value: str(o.value),
    description: `${str(o.via) ?? 'written'}: ${str(o.statement) ?? o.name}`,
  }];
  for (const i of Array.isArray(o.inputs) ? o.inputs.filter(isObj) : []) {
    steps.push({
      seq: num(i.seq), file: str(o.file), line: typeof i.line === 'number' ? i.line : undefined, value: str(i.value),
      description: i.kind === 'return' ? `return value of ${i.name}` : `from ${i.name}`,
      trace: i.kind === 'return' ? { returnSeq: num(i.seq) } : { name: i.name, frame: num(i.frame), seq: num(i.seq) },
    });
  }
  return steps;
}
