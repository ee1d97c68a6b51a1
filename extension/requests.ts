/**
 * Typed wrappers for the ElixirScope DAP custom requests (names and shared types come from
 * protocol/requests.ts). Responses are read defensively: the adapter is developed concurrently,
 * and shapes not yet fixed in protocol/ (timeline, origin) are normalised here, in one place.
 */
import type * as vscode from 'vscode';
import { CustomRequest, RecordingInfo, SeekArgs, ValueHistoryArgs, ValueHistoryEntry } from '../protocol/requests';

export interface TimelineArgs { from?: number; to?: number; buckets: number }
export interface TimelineBucket { from: number; to: number; counts: Record<string, number> }
export interface TimelineData { from: number; to: number; buckets: TimelineBucket[]; position: number; total: number }

/** One link of an origin chain: where the value was written/computed. */
export interface OriginStep { seq: number; file?: string; line?: number; value?: string; description: string }

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
  return { dir: str(r.dir) ?? '', events: num(r.events), bytes: num(r.bytes), seq: num(r.seq), live: r.live === true };
}

export async function valueHistory(session: vscode.DebugSession, args: ValueHistoryArgs): Promise<ValueHistoryEntry[]> {
  const r: unknown = await session.customRequest(CustomRequest.valueHistory, args);
  const list: unknown = Array.isArray(r) ? r : isObj(r) ? (r.entries ?? r.history ?? r.values) : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((e) => ({ seq: num(e.seq), value: str(e.value) ?? String(e.value), file: str(e.file) ?? '', line: num(e.line) }));
}

export async function timeline(session: vscode.DebugSession, args: TimelineArgs): Promise<TimelineData | undefined> {
  const r: unknown = await session.customRequest(CustomRequest.timeline, args);
  if (!isObj(r) || !Array.isArray(r.buckets)) return undefined;
  const buckets = r.buckets.filter(isObj).map((b) => ({
    from: num(b.from), to: num(b.to),
    counts: isObj(b.counts) ? Object.fromEntries(Object.entries(b.counts).filter(([, v]) => typeof v === 'number')) as Record<string, number> : {},
  }));
  return { from: num(r.from), to: num(r.to), buckets, position: num(r.position), total: num(r.total) };
}

export async function origin(session: vscode.DebugSession, args: { name: string; frameId?: number }): Promise<OriginStep[]> {
  const r: unknown = await session.customRequest(CustomRequest.origin, args);
  const list: unknown = Array.isArray(r) ? r : isObj(r) ? (r.chain ?? r.steps ?? r.origins ?? (r.seq !== undefined ? [r] : undefined)) : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((e) => {
    const file = str(e.file);
    const line = typeof e.line === 'number' ? e.line : undefined;
    const description = str(e.description) ?? str(e.kind) ?? str(e.expression) ?? 'value';
    return { seq: num(e.seq), file, line, value: e.value === undefined ? undefined : str(e.value) ?? String(e.value), description };
  });
}
