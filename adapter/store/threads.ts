import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A recording holds one event stream per thread. The main thread's is the recording folder itself;
 * each worker thread the program started is a complete recording of its own (own LevelDB, meta with
 * `thread`) in `<dir>/threads/<threadId>/`. Seqs, frame ids and site ids are per stream; streams
 * line up in time through their clock samples and `meta.timeOrigin`.
 */
export const THREADS_FOLDER = 'threads';

export function threadDir(dir: string, threadId: number): string {
  return join(dir, THREADS_FOLDER, String(threadId));
}

/** The worker threads recorded in `dir` (those whose store exists), by threadId. */
export function threadDirs(dir: string): Array<{ threadId: number; dir: string }> {
  let names: string[];
  try { names = readdirSync(join(dir, THREADS_FOLDER)); } catch { return []; }
  return names
    .filter((n) => /^\d+$/.test(n) && existsSync(join(dir, THREADS_FOLDER, n, 'CURRENT')))
    .map((n) => ({ threadId: Number(n), dir: join(dir, THREADS_FOLDER, n) }))
    .sort((a, b) => a.threadId - b.threadId);
}
