/**
 * A private, point-in-time copy of a recording's LevelDB folder, so that any number of readers
 * (in any number of processes) can read one recording, even while it is still being written,
 * without taking its LOCK and without LevelDB's open-time recovery rewriting its MANIFEST and logs.
 *
 * Table files (*.ldb, *.sst) are immutable once LevelDB has listed them in the MANIFEST, so they
 * are hard-linked (copied when the temp folder is on another device); CURRENT, the MANIFEST and
 * the write-ahead logs are copied. LevelDB then opens the copy as its own (recovering a torn log
 * tail, i.e. showing a prefix of what was written). The copy is consistent when the MANIFEST did
 * not change while it was taken: every flush or compaction appends to the MANIFEST before it
 * deletes a log or table, so an unchanged MANIFEST means every file it names was still there.
 * Otherwise the copy is thrown away and taken again (a few times).
 */
import { constants, copyFileSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'elixirscope-snap-';
const ATTEMPTS = 8;
const live = new Set<string>();
let exitHook = false;

export class SnapshotError extends Error {}

/** Copies `dir` into a new private temp folder (mode 0700) and returns it. Remove it with `dropSnapshot`. */
export function takeSnapshot(dir: string): string {
  sweepStale();
  let lastChange = '';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const snap = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
    track(snap);
    try {
      const changed = copyOnce(dir, snap);
      if (!changed) return snap;
      lastChange = changed;
    } catch (err) {
      dropSnapshot(snap);
      throw err;
    }
    dropSnapshot(snap);
  }
  throw new SnapshotError(`${lastChange} kept changing while it was copied (${ATTEMPTS} tries); try again`);
}

/** Removes a snapshot folder (best effort). */
export function dropSnapshot(snap: string): void {
  live.delete(snap);
  try { rmSync(snap, { recursive: true, force: true }); } catch { /* best effort; swept later */ }
}

/** One attempt; returns undefined when the copy is consistent, else the file that changed under it. */
function copyOnce(dir: string, snap: string): string | undefined {
  const currentPath = join(dir, 'CURRENT');
  const current = readFileSync(currentPath, 'utf8');
  const manifestName = current.trim();
  if (!/^MANIFEST-\d+$/.test(manifestName)) throw new SnapshotError(`${currentPath}: does not name a MANIFEST (corrupt store)`);
  const manifestPath = join(dir, manifestName);
  let manifest: Buffer;
  try { manifest = readFileSync(manifestPath); } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (readFileSync(currentPath, 'utf8') !== current) return currentPath; // replaced by a reopen: take it again
    throw new SnapshotError(`${manifestPath}: missing, though ${currentPath} names it (corrupt store)`);
  }
  for (const name of readdirSync(dir)) {
    const from = join(dir, name), to = join(snap, name);
    try {
      if (/\.(ldb|sst)$/.test(name)) link(from, to);
      else if (/\.log$/.test(name)) copyFileSync(from, to);
    } catch (err) {
      // Deleted by a flush or compaction since the listing: if the copied MANIFEST still needed it, the MANIFEST has grown (checked below).
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  writeFileSync(join(snap, manifestName), manifest);
  writeFileSync(join(snap, 'CURRENT'), current);
  if (readFileSync(currentPath, 'utf8') !== current) return currentPath;
  if ((statSync(manifestPath, { throwIfNoEntry: false })?.size ?? -1) !== manifest.length) return manifestPath;
  return undefined;
}

function link(from: string, to: string): void {
  try { linkSync(from, to); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    copyFileSync(from, to, constants.COPYFILE_FICLONE); // another device: a reflink where the file system has them, else a copy
  }
}

function track(snap: string): void {
  live.add(snap);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => { for (const s of [...live]) dropSnapshot(s); });
}

/** Removes snapshot folders of this user whose process is gone (killed before it could clean up). */
function sweepStale(): void {
  let names: string[];
  try { names = readdirSync(tmpdir()); } catch { return; }
  const uid = userInfo().uid;
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    const path = join(tmpdir(), name);
    if (statSync(path, { throwIfNoEntry: false })?.uid !== uid) continue;
    try { rmSync(path, { recursive: true, force: true }); } catch { /* another sweeper got it */ }
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

export const snapshotPrefix = PREFIX;
