import { readFileSync } from 'node:fs';
import { EventKind } from '../../protocol/events';
import { SiteKind, type Site } from '../../protocol/sites';
import type { RecordedValue } from '../../protocol/values';
import type { Navigator } from './navigator';
import { renderValue } from './render';
import type { OriginResponse } from '../../protocol/requests';

/** One link of a "where did this value come from" chain (the protocol's answer to elixirscope/origin). */
export type OriginLink = OriginResponse;

/**
 * Dataflow over the recording: the write that produced a value, and what that write read.
 * Reads are the identifiers of the producing statement (its source text, parsed), resolved
 * to their own last writes before it; calls in it contribute their return values.
 */
export class Dataflow {
  constructor(private readonly nav: Navigator, private readonly moduleFrameOf: (frame: number) => Promise<number>) {}

  /** Where the value `name` holds in `frame` just before `seq` came from. */
  async originOf(frame: number, seq: number, name: string): Promise<OriginLink | undefined> {
    const write = await this.lastWrite(frame, seq, name);
    if (!write) return undefined;
    const site = this.nav.sites.site(write.site)!;
    if (site.binding === 'param') return this.fromCaller(write, site);
    const stmtSeq = await this.nav.lastStepOf(write.frame, write.seq);
    const stmtSite = stmtSeq >= 0 ? this.nav.sites.site((await this.nav.events.at(stmtSeq))!.site) : undefined;
    const statement = stmtSite ? this.sourceOf(this.nav.sites.file(write.site), stmtSite) : '';
    const inputs = await this.inputsOf(statement, name, write.frame, write.seq, stmtSeq);
    return this.link(write, site, VIA[site.binding ?? ''] ?? 'declaration', statement, inputs);
  }

  /** Where a function's return value (the Return event at `seq`) came from. */
  async originOfReturn(seq: number): Promise<OriginLink | undefined> {
    const e = await this.nav.events.at(seq);
    if (!e || e.kind !== EventKind.Return) return undefined;
    const site = this.nav.sites.site(e.site)!;
    const statement = this.sourceOf(this.nav.sites.file(e.site), site);
    const stmtSeq = await this.nav.lastStepOf(e.frame, seq);
    const [value] = await this.nav.events.values(seq);
    return {
      name: 'return', seq, frame: e.frame, file: this.nav.sites.file(e.site), line: site.line, column: site.column, value: renderValue(value),
      via: 'return', statement, inputs: await this.inputsOf(statement, '', e.frame, seq, stmtSeq),
    };
  }

  private async fromCaller(write: Write, site: Site): Promise<OriginLink> {
    const record = await this.nav.reader.frame(write.frame);
    const caller = record ? await this.nav.reader.parentAt(write.frame, record.entry) : 0;
    let statement = '', inputs: OriginLink['inputs'] = [];
    if (record && caller) {
      const stmtSeq = await this.nav.lastStepOf(caller, record.entry);
      if (stmtSeq >= 0) {
        const callSite = (await this.nav.events.at(stmtSeq))!.site;
        statement = this.sourceOf(this.nav.sites.file(callSite), this.nav.sites.site(callSite)!);
        inputs = await this.inputsOf(statement, '', caller, record.entry, stmtSeq);
      }
    }
    return this.link(write, site, 'parameter', statement, inputs);
  }

  private async inputsOf(statement: string, written: string, frame: number, before: number, stmtSeq: number): Promise<OriginLink['inputs']> {
    const inputs: OriginLink['inputs'] = [];
    for (const name of readIdentifiers(statement, written)) {
      const w = await this.lastWrite(frame, before, name);
      if (w) inputs.push({ name, frame: w.frame, seq: w.seq, line: this.nav.sites.site(w.site)?.line, value: renderValue(w.value), kind: 'variable' });
    }
    if (stmtSeq >= 0) {
      // Calls made by this statement hand back values through Return events of direct callees.
      await this.nav.events.scan(stmtSeq, 1, (c, i, s) => {
        if (s >= before) return true;
        if (c.kinds[i] === EventKind.Return && c.frames[i] !== frame) {
          const fn = this.nav.sites.site(this.nav.sites.functionOf(c.sites[i]));
          inputs.push({ name: `${fn?.name ?? 'function'}()`, frame: c.frames[i], seq: s, line: this.nav.sites.site(c.sites[i])?.line, value: renderValue(c.values[c.valueAt[i]]), kind: 'return' });
        }
        return undefined;
      });
    }
    return inputs;
  }

  /** Last write of `name` before `seq` in `frame`, else in its module's frame. */
  private async lastWrite(frame: number, seq: number, name: string): Promise<Write | undefined> {
    for (const f of [frame, await this.moduleFrameOf(frame)]) {
      if (!f) continue;
      const record = await this.nav.reader.frame(f);
      let found: Write | undefined;
      await this.nav.events.scan(seq - 1, -1, (c, i, s) => {
        if (record && s < record.entry) return true;
        if (c.frames[i] === f && c.kinds[i] === EventKind.Write && this.nav.sites.site(c.sites[i])?.name === name) {
          found = { seq: s, frame: f, site: c.sites[i], value: c.values[c.valueAt[i]] };
          return true;
        }
        return undefined;
      });
      if (found) return found;
    }
    return undefined;
  }

  private link(write: Write, site: Site, via: OriginLink['via'], statement: string, inputs: OriginLink['inputs']): OriginLink {
    return { name: site.name ?? '', seq: write.seq, frame: write.frame, file: this.nav.sites.file(write.site), line: site.line, column: site.column, value: renderValue(write.value), via, statement, inputs };
  }

  private sources = new Map<string, string[]>();
  private sourceOf(file: string, site: Site): string {
    let lines = this.sources.get(file);
    if (!lines) {
      try { lines = readFileSync(file, 'utf8').split('\n'); } catch { lines = []; }
      this.sources.set(file, lines);
    }
    if (!lines.length) return '';
    const text = lines.slice(site.line - 1, site.endLine).join('\n');
    const endCut = site.endLine === site.line ? site.endColumn - 1 : text.length - (lines[site.endLine - 1].length - (site.endColumn - 1));
    return text.slice(site.column - 1, Math.max(site.column - 1, endCut)).trim();
  }
}

interface Write { seq: number; frame: number; site: number; value: RecordedValue }

const VIA: Record<string, OriginLink['via']> = { assign: 'assignment', catch: 'catch', this: 'receiver' };

const KEYWORDS = new Set(['const', 'let', 'var', 'new', 'return', 'this', 'typeof', 'instanceof', 'in', 'of', 'await', 'yield', 'true', 'false', 'null', 'undefined', 'if', 'else', 'for', 'while', 'function', 'class', 'void', 'delete', 'as', 'satisfies']);

/**
 * Identifiers a statement reads: not property names after a dot, not called names (their
 * return values are inputs of their own), not keywords or object keys, and not the target of
 * a plain `x = …` / `const x: T = …` (a compound `x += …` reads x too).
 */
export function readIdentifiers(statement: string, written: string): string[] {
  let code = statement.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""').replace(/\/\/.*$/gm, '');
  if (written) {
    const plain = new RegExp(`^\\s*(?:(?:const|let|var)\\s+)?${written.replace(/\$/g, '\\$')}\\s*(?::[^=]*)?=(?!=)`);
    const m = plain.exec(code);
    if (m) code = code.slice(m[0].length);
  }
  const names = new Set<string>();
  const re = /(\.\s*)?#?([A-Za-z_$][\w$]*)(\s*\()?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code))) {
    const [, dot, name, call] = m;
    if (dot || call || KEYWORDS.has(name)) continue;
    const objectKey = /^\s*:/.test(code.slice(re.lastIndex)) && !/\?[^:]*$/.test(code.slice(0, m.index));
    if (!objectKey) names.add(name);
  }
  return [...names];
}
