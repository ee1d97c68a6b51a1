import { EventKind } from '../../protocol/events';
import { isAccessor, isArrayIndex, isContentsKey, isObjectSnapshot, type ObjectSnapshot, type RecordedValue } from '../../protocol/values';
import { SiteKind, type BlockScope, type Site } from '../../protocol/sites';
import type { Navigator, Stop } from './navigator';
import type { NameScope } from './expression';
import type { Postings } from './postings';
import type { FrameRecord } from '../store/meta';

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
  /** An async caller: the frame that called an async function which later resumed from the event loop (shown as it was at that call). */
  async?: boolean;
}

export interface Local { name: string; value: RecordedValue; writtenAt: number }

/** How many of an object's latest property writes are replayed onto its snapshot. */
const PROP_REPLAY_LIMIT = 10_000;
/** Deepest stack shown (deep recursion). */
const MAX_STACK = 1000;

/** Reconstructs program state (call stack, locals) at a point in time from the events. */
export class StateReader {
  constructor(private readonly nav: Navigator, private readonly postings: () => Postings) {}

  /**
   * The call stack at `stop`, innermost first. When the chain ends at a frame that an await
   * resumed from the event loop, it goes on with that frame's callers as they were when it was
   * called (marked `async`), as vscode-js-debug shows async stacks.
   */
  async stack(stop: Stop): Promise<FrameState[]> {
    const frames: FrameState[] = [];
    const seen = new Set<number>();
    let frame = stop.frame, site = stop.site, at = stop.seq, async = false;
    while (frame && !seen.has(frame) && site >= 0 && frames.length < MAX_STACK) {
      seen.add(frame);
      const record = await this.nav.reader.frame(frame);
      frames.push({ ...this.describe(frame, site, at, record), ...(async ? { async } : {}) });
      let parent = await this.nav.reader.parentAt(frame, at);
      if (!parent && record && record.resumes > 0 && record.parent) {
        // Resumed from the event loop: continue with whoever called it, at the time of the call.
        parent = record.parent;
        at = record.entry;
        async = true;
      }
      frame = parent;
      site = frame ? await this.nav.locationOf(frame, at) : -1;
    }
    return frames;
  }

  /** Locals and arguments of `frame` as they were at `seq` (before the statement at `seq` ran). */
  async locals(frame: number, seq: number): Promise<Local[]> {
    const record = await this.nav.reader.frame(frame);
    if (!record) return [];
    const latest = new Map<string, Local>();
    const fn = this.nav.sites.site(record.fn);
    const scopes = fn?.blocks?.length ? await this.blockScopes(record, fn, seq) : undefined;
    const writes = this.nav.sites.writesOf(record.fn).filter((w) => !scopes || scopes.counts(w));
    for (const site of writes) {
      const name = this.nav.sites.site(site)?.name;
      const at = name ? await this.lastWriteIn(record, site, seq) : -1;
      if (at < 0 || (latest.get(name!)?.writtenAt ?? -1) > at) continue;
      latest.set(name!, { name: name!, value: (await this.nav.events.values(at))[0], writtenAt: at });
    }
    const writable = new Set(writes.map((w) => this.nav.sites.site(w)?.name ?? ''));
    writable.delete('this');
    return this.withPropertyWrites(this.inDeclarationOrder(latest, fn, writable, scopes?.hidden), seq);
  }

  /**
   * Which writes of a function with block scopes speak for the variables in scope where `frame`
   * is at `seq`. A write belongs to the innermost block that declares its name around it (else to
   * the function's own scope): lexical resolution. It counts only when that is also the scope
   * the name resolves to at the frame's position, so a block's names are not shown once the block
   * has ended (nor before it begins), and a shadowing block's values do not leak out of it. (A
   * block entered again, as a loop body each iteration, shows its previous values until they are
   * written again: so does V8, which keeps them in the frame.)
   */
  private async blockScopes(record: FrameRecord, fn: Site, seq: number): Promise<{ counts(w: number): boolean; hidden: Set<string> }> {
    const sites = this.nav.sites;
    const blocks = fn.blocks!;
    const here = sites.site(await this.nav.locationOf(record.id, seq));
    const before = (aLine: number, aCol: number, bLine: number, bCol: number) => aLine < bLine || (aLine === bLine && aCol < bCol);
    const inside = (b: BlockScope, line: number, col: number) => !before(line, col, b.line, b.column) && before(line, col, b.endLine, b.endColumn);
    // The innermost block declaring `name` around (line, col); -1: the function's own scope.
    const resolve = (name: string, line: number, col: number) => {
      let best = -1;
      blocks.forEach((b, i) => {
        if (b.names.includes(name) && inside(b, line, col) && (best < 0 || inside(blocks[best], b.line, b.column))) best = i;
      });
      return best;
    };
    const writes = sites.writesOf(record.fn);
    const functionLevel = new Set(fn.params ?? []);
    for (const w of writes) {
      const s = sites.site(w)!;
      if (s.binding === 'var' || s.binding === 'function' || s.binding === 'param' || resolve(s.name ?? '', s.line, s.column) < 0) functionLevel.add(s.name ?? '');
    }
    const hidden = new Set<string>();
    const at = new Map<string, number>();
    for (const b of blocks) for (const name of b.names) {
      if (at.has(name)) continue;
      const r = here ? resolve(name, here.line, here.column) : -1;
      at.set(name, r);
      if (r < 0 && !functionLevel.has(name)) hidden.add(name);
    }
    const scopeOf = new Map<number, number>();
    for (const w of writes) {
      const s = sites.site(w)!;
      const name = s.name ?? '';
      scopeOf.set(w, at.has(name) && s.binding !== 'var' && s.binding !== 'this' ? resolve(name, s.line, s.column) : -1);
    }
    return {
      counts: (w) => { const name = sites.site(w)?.name ?? ''; return !at.has(name) || scopeOf.get(w) === at.get(name); },
      hidden,
    };
  }

  /**
   * `this` first, then the function's declared names in order (parameters first), then anything
   * else written in the frame. In full mode a declared name with no write yet is shown as
   * undefined, as V8 shows it; in the other modes nothing was recorded to say so.
   */
  private inDeclarationOrder(latest: Map<string, Local>, fn: Site | undefined, written: ReadonlySet<string>, hidden?: ReadonlySet<string>): Local[] {
    const full = this.nav.reader.meta.mode === 'full';
    const order = ['this', ...(fn?.params ?? []), ...(fn?.declared ?? [])];
    const out: Local[] = [];
    const seen = new Set<string>();
    for (const name of order) {
      if (seen.has(name) || hidden?.has(name)) continue;
      seen.add(name);
      const local = latest.get(name);
      if (local) out.push(local);
      // Only names the recording can write: a hoisted function declaration has no write site, and
      // showing it as undefined would be wrong where V8 shows the function.
      else if (full && written.has(name)) out.push({ name, value: { u: 1 }, writtenAt: -1 });
    }
    for (const local of latest.values()) if (!seen.has(local.name)) out.push(local);
    return out;
  }

  /**
   * The last write of `site` by this frame before `seq`: the site's postings, stepping past
   * writes by other instances of the same function (recursion); a frame scan when there are many.
   */
  private async lastWriteIn(record: FrameRecord, site: number, seq: number): Promise<number> {
    let at = seq;
    for (let tries = 0; tries < 16; tries++) {
      at = await this.postings().before(site, at);
      if (at < record.entry) return -1;
      if ((await this.nav.events.at(at))!.frame === record.id) return at;
    }
    const writes = await this.nav.eventsOfFrame(record.id, record.entry, seq, (kind) => kind === EventKind.Write);
    for (let i = writes.length - 1; i >= 0; i--) if ((await this.nav.events.at(writes[i]))!.site === site) return writes[i];
    return -1;
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

  /**
   * Objects were snapshot when written to a variable; replay the property writes (and built-in
   * mutations) each object got after that snapshot was taken, nested objects included.
   */
  async withPropertyWrites(locals: Local[], seq: number): Promise<Local[]> {
    const objects: SnapshotsById = new Map();
    const cloned = locals.map((l) => ({ ...l, value: cloneValue(l.value, objects, l.writtenAt) }));
    let from = seq;
    for (const list of objects.values()) for (const x of list) from = Math.min(from, x.since);
    if (!objects.size || from >= seq) return cloned;
    const writes: number[] = [];
    for (const id of objects.keys()) writes.push(...(await this.nav.reader.objectWrites(id, from, seq)).slice(-PROP_REPLAY_LIMIT));
    writes.sort((a, b) => a - b);
    for (const s of writes) {
      const e = (await this.nav.events.at(s))!;
      const [key, value] = await this.nav.events.values(s);
      const targets = (objects.get(e.arg) ?? []).filter((x) => x.since < s);
      if (isContentsKey(key)) {
        if (isObjectSnapshot(value)) for (const { snap } of targets) replaceContents(snap, cloneValue(value, objects, s) as ObjectSnapshot);
      } else if (typeof key === 'string' || typeof key === 'number') {
        for (const { snap } of targets) setProperty(snap, String(key), cloneValue(value, objects, s));
      }
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

/** Snapshot copies by object id, each with the seq it was taken at (later writes apply to it). */
type SnapshotsById = Map<number, Array<{ snap: ObjectSnapshot; since: number }>>;

function cloneValue(v: RecordedValue, objects: SnapshotsById, since: number): RecordedValue {
  if (!isObjectSnapshot(v)) return v;
  const copy: ObjectSnapshot = { ...v, p: v.p.map(([k, val]) => [k, cloneValue(val, objects, since)]) };
  const list = objects.get(v.o) ?? [];
  list.push({ snap: copy, since });
  objects.set(v.o, list);
  return copy;
}

/** A built-in changed the whole object (`sort`, `map.set`, ...): it now looks like `value`. */
function replaceContents(snap: ObjectSnapshot, value: ObjectSnapshot): void {
  snap.p = value.p;
  snap.n = value.n;
  snap.k = value.k;
  if (value.d !== undefined) snap.d = value.d;
  if (value.k === 'error') snap.e = value.e;
}

function setProperty(snap: ObjectSnapshot, key: string, value: RecordedValue): void {
  if (snap.k === 'array' && key === 'length' && typeof value === 'number') {
    snap.n = value;
    snap.p = snap.p.filter(([k]) => !(typeof k === 'string' && /^\d+$/.test(k) && Number(k) >= value));
    return;
  }
  const entry = snap.p.find(([k]) => k === key);
  // An own accessor (an object literal's `set v(x)`): an assignment calls its setter (whose
  // writes are recorded on their own) and never turns it into a data property.
  if (entry && isAccessor(entry[1])) return;
  // An error's name is what its description starts with.
  if (snap.k === 'error' && key === 'name' && typeof value === 'string') snap.e = value === snap.c ? undefined : value;
  if (entry) entry[1] = value;
  else if (snap.k === 'array') addArrayProperty(snap, key, value);
  else { snap.p.push([key, value]); snap.n++; }
}

/**
 * An array's new own property: an element goes in index order (a hole filled, or the array grown:
 * its length is n), any other key after the elements, leaving the length as it is.
 */
function addArrayProperty(snap: ObjectSnapshot, key: string, value: RecordedValue): void {
  if (!isArrayIndex(key)) { snap.p.push([key, value]); return; }
  const index = Number(key);
  let at = 0;
  while (at < snap.p.length && isArrayIndex(snap.p[at][0]) && Number(snap.p[at][0]) < index) at++;
  snap.p.splice(at, 0, [key, value]);
  snap.n = Math.max(snap.n, index + 1);
}
