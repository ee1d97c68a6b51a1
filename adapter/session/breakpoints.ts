import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TemporalEngine } from '../engine/engine';

interface Requested { id: number; line: number; bound?: number; site?: number }

/** Line breakpoints by source path, bound to statement sites once the recording knows the file. */
export class BreakpointTable {
  private bySource = new Map<string, Requested[]>();
  private nextId = 1;

  set(path: string, lines: number[], engine: TemporalEngine | undefined): DebugProtocol.Breakpoint[] {
    const list = lines.map((line) => ({ id: this.nextId++, line }));
    this.bySource.set(path, list);
    if (engine) this.bind(engine);
    return list.map((b) => this.toDap(path, b));
  }

  /** Binds what can be bound now; returns the breakpoints whose binding changed. */
  bind(engine: TemporalEngine): DebugProtocol.Breakpoint[] {
    const changed: DebugProtocol.Breakpoint[] = [];
    for (const [path, list] of this.bySource) {
      const file = engine.sites.resolveFile(path);
      if (!file) continue;
      for (const b of list) {
        if (b.site !== undefined) continue;
        b.bound = engine.sites.bindLine(file, b.line);
        if (b.bound === undefined) continue;
        b.site = engine.sites.statementsOn(file, b.bound)[0];
        changed.push(this.toDap(path, b));
      }
    }
    return changed;
  }

  sites(): Set<number> {
    const sites = new Set<number>();
    for (const list of this.bySource.values()) for (const b of list) if (b.site !== undefined) sites.add(b.site);
    return sites;
  }

  idsForSite(site: number): number[] {
    return [...this.bySource.values()].flat().filter((b) => b.site === site).map((b) => b.id);
  }

  private toDap(path: string, b: Requested): DebugProtocol.Breakpoint {
    return b.site !== undefined
      ? { id: b.id, verified: true, line: b.bound, source: { path } }
      : { id: b.id, verified: false, line: b.line, source: { path }, message: 'not bound yet: the file has not loaded in the recording' };
  }
}
