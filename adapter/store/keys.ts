/**
 * LevelDB key layout of a recording (all keys are strings that sort in time/id order).
 *
 *   meta            RecordingMeta (JSON)
 *   stats           RecordingStats (JSON), rewritten as the recording grows
 *   site:<base>     a loaded file's FileSiteTable plus its base site id (JSON)
 *   chunk:<seq>     events [seq, seq + n) encoded by chunk-codec.ts (binary)
 *   frames:<block>  frames block*4096 … +4095, six int32 each (frames.ts)
 *   resume:<id>:<seq>  parent frame when frame <id> was resumed at <seq> (JSON number)
 *   postings:<site>:<seq>  seqs at which a write/call site occurred, from <seq> (postings-codec.ts)
 *   steps:<site>:<seq>  per chunk in which a statement site occurred, the seq of its first occurrence there,
 *                   from <seq>, same encoding (its other occurrences are read from the chunk itself)
 *   objpostings:<object>:<seq>  seqs of property writes to an object, same encoding
 *   snappostings:<object>:<seq>  seqs of events with a top-level snapshot of the object, same encoding
 *   module:<base>   frame id of the (first) run of the module whose site table starts at <base>
 *   clock:<n>       the n-th block of seq→time samples, in order (clock-index.ts)
 */
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export const META_KEY = 'meta';
export const STATS_KEY = 'stats';
export const siteKey = (base: number) => `site:${hex(base, 8)}`;
export const SITE_PREFIX = 'site:';
export const chunkKey = (seq: number) => `chunk:${hex(seq, 12)}`;
export const CHUNK_PREFIX = 'chunk:';
export const seqOfChunkKey = (key: string) => parseInt(key.slice(CHUNK_PREFIX.length), 16);
export const frameBlockKey = (block: number) => `frames:${hex(block, 8)}`;
export const resumeKey = (id: number, seq: number) => `resume:${hex(id, 8)}:${hex(seq, 12)}`;
export const postingsKey = (site: number, seq: number) => `postings:${hex(site, 8)}:${hex(seq, 12)}`;
export const postingsPrefix = (site: number) => `postings:${hex(site, 8)}:`;
export const stepsKey = (site: number, seq: number) => `steps:${hex(site, 8)}:${hex(seq, 12)}`;
export const stepsPrefix = (site: number) => `steps:${hex(site, 8)}:`;
export const seqOfPostingsKey = (key: string) => parseInt(key.slice(key.lastIndexOf(':') + 1), 16);
export const objectPostingsKey = (object: number, seq: number) => `objpostings:${hex(object, 8)}:${hex(seq, 12)}`;
export const objectPostingsPrefix = (object: number) => `objpostings:${hex(object, 8)}:`;
export const snapshotPostingsKey = (object: number, seq: number) => `snappostings:${hex(object, 8)}:${hex(seq, 12)}`;
export const snapshotPostingsPrefix = (object: number) => `snappostings:${hex(object, 8)}:`;
export const moduleKey = (base: number) => `module:${hex(base, 8)}`;
export const clockKey = (n: number) => `clock:${hex(n, 8)}`;
export const CLOCK_PREFIX = 'clock:';
export const resumePrefix = (id: number) => `resume:${hex(id, 8)}:`;

/** The upper bound of a prefix range (keys are ASCII). */
export const prefixEnd = (prefix: string) => prefix + '\xff';
