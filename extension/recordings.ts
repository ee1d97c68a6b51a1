/** Recordings on disk: retention (keep the last N) for folders the extension named. */
import * as fs from 'fs';
import * as path from 'path';
import { RECORDING_NAME } from './settings';

/**
 * Deletes the oldest recordings in `dir` so that at most `keep - 1` remain (room for the one about
 * to be written). Only folders whose names the extension generates are touched; keep = 0 keeps all.
 */
export async function pruneRecordings(dir: string, keep: number): Promise<string[]> {
  if (!keep || keep < 1) return [];
  let names: string[];
  try {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.isDirectory() && RECORDING_NAME.test(e.name)).map((e) => e.name).sort();
  } catch {
    return [];
  }
  const doomed = names.slice(0, Math.max(0, names.length - (keep - 1)));
  for (const name of doomed) await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
  return doomed;
}
