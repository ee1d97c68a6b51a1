import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakQuery, DataBreak, FunctionBreak, LineBreak } from '../engine/breaks';
import { parseHitCondition } from '../engine/breaks';
import type { TemporalEngine } from '../engine/engine';
import type { ExceptionFilter } from '../engine/exceptions';
import { SiteKind, type Site } from '../../protocol/sites';

interface Requested {
  id: number;
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hit?: (n: number) => boolean;
  error?: string;
  bound?: number;
  site?: number;
}

/** A function breakpoint on `name` stops in function `site` ("total" matches "Invoice.total"). */
export function functionBreakpointMatches(site: Site, name: string): boolean {
  return site.kind === SiteKind.Function && (site.name === name || !!site.name?.endsWith(`.${name}`));
}

/** Every kind of breakpoint the user set, bound to sites once the recording knows their files. */
export class BreakpointTable {
  private bySource = new Map<string, Requested[]>();
  private functions: Array<{ id: number; name: string; sites: Set<number> }> = [];
  private data: DataBreak[] = [];
  exceptionFilters = new Set<ExceptionFilter>();
  private nextId = 1;

  setLines(path: string, requested: DebugProtocol.SourceBreakpoint[], engine: TemporalEngine | undefined): DebugProtocol.Breakpoint[] {
    const list = requested.map((b): Requested => {
      const r: Requested = { id: this.nextId++, line: b.line, condition: b.condition || undefined, hitCondition: b.hitCondition || undefined, logMessage: b.logMessage || undefined };
      try { if (r.hitCondition) r.hit = parseHitCondition(r.hitCondition); } catch (err) { r.error = (err as Error).message; }
      return r;
    });
    this.bySource.set(path, list);
    if (engine) this.bind(engine);
    return list.map((b) => this.toDap(path, b));
  }

  setFunctions(requested: DebugProtocol.FunctionBreakpoint[], engine: TemporalEngine | undefined): DebugProtocol.Breakpoint[] {
    this.functions = requested.map((b) => ({ id: this.nextId++, name: b.name, sites: new Set<number>() }));
    if (engine) this.bind(engine);
    return this.functions.map((f) => ({ id: f.id, verified: f.sites.size > 0, message: f.sites.size ? undefined : `no function named ${f.name} has been recorded` }));
  }

  setData(dataBreaks: DataBreak[]): DebugProtocol.Breakpoint[] {
    this.data = dataBreaks;
    return dataBreaks.map(() => ({ id: this.nextId++, verified: true }));
  }

  /** Binds what can be bound now; returns the breakpoints whose binding changed. */
  bind(engine: TemporalEngine): DebugProtocol.Breakpoint[] {
    const changed: DebugProtocol.Breakpoint[] = [];
    for (const [path, list] of this.bySource) {
      const file = engine.sites.resolveFile(path);
      if (!file) continue;
      for (const b of list) {
        if (b.site !== undefined || b.error) continue;
        b.bound = engine.sites.bindLine(file, b.line);
        if (b.bound === undefined) continue;
        b.site = engine.sites.statementsOn(file, b.bound)[0];
        changed.push(this.toDap(path, b));
      }
    }
    for (const f of this.functions) {
      engine.reader.sites.forEach((s, id) => {
        if (s && functionBreakpointMatches(s, f.name)) f.sites.add(id);
      });
    }
    return changed;
  }

  /** What "continue" stops at. Logpoints never stop. */
  query(): BreakQuery {
    const lines: LineBreak[] = [];
    for (const list of this.bySource.values()) for (const b of list) if (b.site !== undefined && !b.logMessage) lines.push({ id: b.id, site: b.site, condition: b.condition, hit: b.hit });
    const functions: FunctionBreak[] = this.functions.filter((f) => f.sites.size).map((f) => ({ id: f.id, sites: f.sites }));
    return { lines, functions, exceptions: this.exceptionFilters, data: this.data };
  }

  /** What should really pause a live program: source lines of breakpoints (not logpoints) by path, and function names. */
  stopsToPause(): { lines: Map<string, number[]>; functions: string[] } {
    const lines = new Map<string, number[]>();
    for (const [path, list] of this.bySource) {
      const stops = list.filter((b) => !b.logMessage && !b.error).map((b) => b.line);
      if (stops.length) lines.set(path, stops);
    }
    return { lines, functions: this.functions.map((f) => f.name) };
  }

  /** Bound logpoints of one source (or all). */
  logpoints(path?: string): Array<LineBreak & { message: string; path: string }> {
    const out: Array<LineBreak & { message: string; path: string }> = [];
    for (const [p, list] of this.bySource) {
      if (path && p !== path) continue;
      for (const b of list) if (b.site !== undefined && b.logMessage) out.push({ id: b.id, site: b.site, condition: b.condition, hit: b.hit, message: b.logMessage, path: p });
    }
    return out;
  }

  private toDap(path: string, b: Requested): DebugProtocol.Breakpoint {
    if (b.error) return { id: b.id, verified: false, line: b.line, source: { path }, message: b.error };
    return b.site !== undefined
      ? { id: b.id, verified: true, line: b.bound, source: { path } }
      : { id: b.id, verified: false, line: b.line, source: { path }, message: 'not bound yet: the file has not loaded in the recording' };
  }
}
