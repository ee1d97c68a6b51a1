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
  /** Per thread's engine (each stream has its own site ids): the bound line and its statement site. */
  sites: Map<TemporalEngine, { line: number; site: number }>;
}

/** A function breakpoint on `name` stops in function `site` ("total" matches "Invoice.total"). */
export function functionBreakpointMatches(site: Site, name: string): boolean {
  return site.kind === SiteKind.Function && (site.name === name || !!site.name?.endsWith(`.${name}`));
}

/** Every kind of breakpoint the user set, bound to sites once the recording knows their files. */
export class BreakpointTable {
  private bySource = new Map<string, Requested[]>();
  private functions: Array<{ id: number; name: string; sites: Map<TemporalEngine, Set<number>> }> = [];
  /** Data breakpoints name frames and objects of one thread's stream: each is kept with its engine. */
  private data: Array<{ engine: TemporalEngine; data: DataBreak }> = [];
  exceptionFilters = new Set<ExceptionFilter>();
  private nextId = 1;

  setLines(path: string, requested: DebugProtocol.SourceBreakpoint[], engines: TemporalEngine[]): DebugProtocol.Breakpoint[] {
    const list = requested.map((b): Requested => {
      const r: Requested = { id: this.nextId++, sites: new Map(), line: b.line, condition: b.condition || undefined, hitCondition: b.hitCondition || undefined, logMessage: b.logMessage || undefined };
      try { if (r.hitCondition) r.hit = parseHitCondition(r.hitCondition); } catch (err) { r.error = (err as Error).message; }
      return r;
    });
    this.bySource.set(path, list);
    for (const e of engines) this.bind(e);
    return list.map((b) => this.toDap(path, b));
  }

  setFunctions(requested: DebugProtocol.FunctionBreakpoint[], engines: TemporalEngine[]): DebugProtocol.Breakpoint[] {
    this.functions = requested.map((b) => ({ id: this.nextId++, name: b.name, sites: new Map() }));
    for (const e of engines) this.bind(e);
    return this.functions.map((f) => {
      const found = [...f.sites.values()].some((s) => s.size > 0);
      return { id: f.id, verified: found, message: found ? undefined : `no function named ${f.name} has been recorded` };
    });
  }

  setData(dataBreaks: Array<{ engine: TemporalEngine; data: DataBreak }>): DebugProtocol.Breakpoint[] {
    this.data = dataBreaks;
    return dataBreaks.map(() => ({ id: this.nextId++, verified: true }));
  }

  /** Binds what can be bound now in one thread's stream; returns the breakpoints that became verified. */
  bind(engine: TemporalEngine): DebugProtocol.Breakpoint[] {
    const changed: DebugProtocol.Breakpoint[] = [];
    for (const [path, list] of this.bySource) {
      const file = engine.sites.resolveFile(path);
      if (!file) continue;
      for (const b of list) {
        if (b.sites.has(engine) || b.error) continue;
        const line = engine.sites.bindLine(file, b.line);
        if (line === undefined) continue;
        const first = b.sites.size === 0;
        b.sites.set(engine, { line, site: engine.sites.statementsOn(file, line)[0] });
        if (first) changed.push(this.toDap(path, b));
      }
    }
    for (const f of this.functions) {
      const sites = f.sites.get(engine) ?? new Set<number>();
      f.sites.set(engine, sites);
      engine.reader.sites.forEach((s, id) => {
        if (s && functionBreakpointMatches(s, f.name)) sites.add(id);
      });
    }
    return changed;
  }

  /** What "continue" stops at in one thread's stream. Logpoints never stop. */
  query(engine: TemporalEngine): BreakQuery {
    const lines: LineBreak[] = [];
    for (const list of this.bySource.values()) {
      for (const b of list) {
        const bound = b.sites.get(engine);
        if (bound && !b.logMessage) lines.push({ id: b.id, site: bound.site, condition: b.condition, hit: b.hit });
      }
    }
    const functions: FunctionBreak[] = [];
    for (const f of this.functions) {
      const sites = f.sites.get(engine);
      if (sites?.size) functions.push({ id: f.id, sites });
    }
    return { lines, functions, exceptions: this.exceptionFilters, data: this.data.filter((d) => d.engine === engine).map((d) => d.data) };
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

  /** Bound logpoints of one source (or all) in one thread's stream. */
  logpoints(engine: TemporalEngine, path?: string): Array<LineBreak & { message: string; path: string }> {
    const out: Array<LineBreak & { message: string; path: string }> = [];
    for (const [p, list] of this.bySource) {
      if (path && p !== path) continue;
      for (const b of list) {
        const bound = b.sites.get(engine);
        if (bound && b.logMessage) out.push({ id: b.id, site: bound.site, condition: b.condition, hit: b.hit, message: b.logMessage, path: p });
      }
    }
    return out;
  }

  private toDap(path: string, b: Requested): DebugProtocol.Breakpoint {
    if (b.error) return { id: b.id, verified: false, line: b.line, source: { path }, message: b.error };
    const bound = b.sites.values().next().value as { line: number } | undefined;
    return bound
      ? { id: b.id, verified: true, line: bound.line, source: { path } }
      : { id: b.id, verified: false, line: b.line, source: { path }, message: 'not bound yet: the file has not loaded in the recording' };
  }
}
