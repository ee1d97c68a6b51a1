import { EventKind } from '../../protocol/events';
import { isObjectSnapshot, type ObjectSnapshot, type RecordedValue } from '../../protocol/values';
import { SiteKind, type Site } from '../../protocol/sites';
import type { Navigator, Stop } from './navigator';
import type { NameScope } from './expression';

export interface FrameState {
  frame: number;
  /** Function/module site. */
  fn: number;
  name: string;
  /** Statement site the frame is at. */
  site: number;
  file: string;
  line: number;
  column: number;
  /** Seq at which this frame's state is read. */
  seq: number;
}

export interface Local { name: string; value: RecordedValue; writtenAt: number }

/** How far back property writes are replayed onto an object snapshot. */
const PROP_REPLAY_LIMIT = 2_000_000;

/** Reconstructs program state (call stack, locals) at a point in time from the events. */
export class StateReader {
  constructor(private readonly nav: Navigator) {}

  /** The call stack at `stop`, innermost first. */
  async stack(stop: Stop): Promise<FrameState[]> {
    const frames: FrameState[] = [this.describe(stop.frame, stop.site, stop.seq, await this.nav.reader.frame(stop.frame))];
    let frame = stop.frame;
    const seen = new Set([frame]);
    for (;;) {
      frame = await this.nav.reader.parentAt(frame, stop.seq);
      if (!frame || seen.has(frame)) break;
      seen.add(frame);
      const site = await this.nav.locationOf(frame, stop.seq);
      if (site < 0) break;
      frames.push(this.describe(frame, site, stop.seq, await this.nav.reader.frame(frame)));
    }
    return frames;
  }

  /** Locals and arguments of `frame` as they were at `seq` (before the statement at `seq` ran). */
  async locals(frame: number, seq: number): Promise<Local[]> {
    const record = await this.nav.reader.frame(frame);
    if (!record) return [];
    const latest = new Map<string, Local>();
    const fn = this.nav.sites.site(record.fn);
    const writes = await this.nav.eventsOfFrame(frame, record.entry, seq, (kind) => kind === EventKind.Write);
    for (const s of writes) {
      const e = (await this.nav.events.at(s))!;
      const name = this.nav.sites.site(e.site)?.name;
      if (name) latest.set(name, { name, value: (await this.nav.events.values(s))[0], writtenAt: s });
    }
    return this.withPropertyWrites(this.inDeclarationOrder(latest, fn), seq);
  }

  /**
   * `this` first, then the function's declared names in order (parameters first), then anything
   * else written in the frame. In full mode a declared name with no write yet is shown as
   * undefined, as V8 shows it; in the other modes nothing was recorded to say so.
   */
  private inDeclarationOrder(latest: Map<string, Local>, fn: Site | undefined): Local[] {
    const full = this.nav.reader.meta.mode === 'full';
    const order = ['this', ...(fn?.params ?? []), ...(fn?.declared ?? [])];
    const out: Local[] = [];
    const seen = new Set<string>();
    for (const name of order) {
      if (seen.has(name)) continue;
      seen.add(name);
      const local = latest.get(name);
      if (local) out.push(local);
      else if (full && name !== 'this' && fn?.declared) out.push({ name, value: { u: 1 }, writtenAt: -1 });
    }
    for (const local of latest.values()) if (!seen.has(local.name)) out.push(local);
    return out;
  }

  /** Names visible to an expression evaluated in `frame` at `seq`: its locals, then its module's top-level variables. */
  async scope(frame: number, seq: number): Promise<{ scope: NameScope; locals: Local[]; module: Local[] }> {
    const locals = await this.locals(frame, seq);
    const record = await this.nav.reader.frame(frame);
    const moduleFrame = record ? await this.nav.reader.moduleFrame(this.nav.reader.baseOf(record.fn)) : 0;
    const module = moduleFrame && moduleFrame !== frame ? await this.locals(moduleFrame, seq) : [];
    const find = (list: Local[], name: string) => list.find((l) => l.name === name)?.value;
    return { scope: { lookup: (name) => find(locals, name) ?? find(module, name) }, locals, module };
  }

  /** Every value `name` had in `frame` up to `seq`, oldest first. */
  async writesOf(frame: number, name: string, seq: number): Promise<Local[]> {
    return (await this.locals(frame, seq)).filter((l) => l.name === name);
  }

  /** Objects were snapshot when written to a variable; replay later property writes onto them. */
  async withPropertyWrites(locals: Local[], seq: number): Promise<Local[]> {
    const objects = new Map<number, ObjectSnapshot[]>();
    let from = seq;
    const cloned = locals.map((l) => ({ ...l, value: cloneValue(l.value, objects) }));
    for (const l of cloned) if (isObjectSnapshot(l.value)) from = Math.min(from, l.writtenAt);
    if (!objects.size || from >= seq) return cloned;
    from = Math.max(from, seq - PROP_REPLAY_LIMIT);
    const writes: number[] = [];
    await this.nav.events.scan(from, 1, (c, i, s) => {
      if (s >= seq) return true;
      if (c.kinds[i] === EventKind.PropWrite && objects.has(c.args[i])) writes.push(s);
      return undefined;
    });
    for (const s of writes) {
      const e = (await this.nav.events.at(s))!;
      const [key, value] = await this.nav.events.values(s);
      if (typeof key !== 'string' && typeof key !== 'number') continue;
      for (const snap of objects.get(e.arg) ?? []) setProperty(snap, String(key), value);
    }
    return cloned;
  }

  private describe(frame: number, site: number, seq: number, record: { fn: number } | undefined): FrameState {
    const s = this.nav.sites.site(site);
    const fn = record?.fn ?? this.nav.sites.functionOf(site);
    const fnSite = this.nav.sites.site(fn);
    const name = fnSite?.kind === SiteKind.Module ? '<module>' : fnSite?.name ?? '<anonymous>';
    return { frame, fn, name, site, file: this.nav.sites.file(site), line: s?.line ?? 0, column: s?.column ?? 0, seq };
  }
}

function cloneValue(v: RecordedValue, objects: Map<number, ObjectSnapshot[]>): RecordedValue {
  if (!isObjectSnapshot(v)) return v;
  const copy: ObjectSnapshot = { ...v, p: v.p.map(([k, val]) => [k, cloneValue(val, objects)]) };
  const list = objects.get(v.o) ?? [];
  list.push(copy);
  objects.set(v.o, list);
  return copy;
}

function setProperty(snap: ObjectSnapshot, key: string, value: RecordedValue): void {
  const entry = snap.p.find(([k]) => k === key);
  if (entry) entry[1] = value;
  else { snap.p.push([key, value]); snap.n++; }
  if (snap.k === 'array' && /^\d+$/.test(key)) snap.n = Math.max(snap.n, Number(key) + 1);
}
