import { readdirSync } from 'node:fs';
import { RecordingError } from './errors';

/**
 * Whether a recording may be written into `dir`: a new or empty folder, or one that holds a
 * LevelDB store (an earlier recording, which the writer replaces as `-o` replaces a file, after it
 * has checked that the store is one of ours). Any other folder with files in it is refused, so
 * `--out .` can never put a store among a project's files.
 */
export function checkRecordingFolder(dir: string): { empty: boolean } {
  let entries: string[];
  try { entries = readdirSync(dir); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { empty: true };
    throw err;
  }
  if (entries.length === 0) return { empty: true };
  if (!entries.includes('CURRENT')) throw new RecordingError(`${dir} is not empty and holds no recording: record into a new or empty folder`);
  return { empty: false };
}
