/**
 * Constants shared by the runtime (producer + drain worker) and adapter/ipc (consumer).
 * Kept free of imports so the runtime bundle stays tiny and dependency-free.
 *
 * Wire frames on the private Unix socket: [u32 LE length of the rest][u8 type][payload]
 *   HELLO (1): 64 ASCII hex chars of token, then UTF-8 JSON RuntimeHello
 *   BATCH (2): [u32 nWords][nWords x int32 LE][u32 nBytes][nBytes]
 *   END   (3): empty
 */
export const FRAME_HELLO = 1;
export const FRAME_BATCH = 2;
export const FRAME_END = 3;
export const TOKEN_HEX_CHARS = 64;

/** Indexes into the Int32Array control block shared by the main thread and the drain worker. */
export const C_W = 0;        // published word write index (record boundary)
export const C_B = 1;        // published byte write index (matches C_W)
export const C_R = 2;        // word read index (worker)
export const C_RB = 3;       // byte read index (worker)
export const C_WRAP = 4;     // where the word ring wrapped (words in [C_WRAP, cap) are not data)
export const C_WRAPB = 5;    // where the byte ring wrapped
export const C_EXIT = 6;     // main thread: everything is published, send END
export const C_DONE = 7;     // worker: END written to the socket (or gave up)
export const C_DEAD = 8;     // worker: the socket is gone, data is discarded
export const C_CONNECTED = 9; // worker: HELLO sent
export const C_WAITING = 10;  // worker: about to Atomics.waitAsync on C_W (producer notifies only then)
export const C_SEQ = 11;      // seqlock over (C_B, C_W): odd while a publication is being written
export const CTRL_WORDS = 16;

/** Largest record in words: word0 + arg + 2 values x (tag + 2 payload words). */
export const MAX_RECORD_WORDS = 8;
/** Extra words after the ring capacity so a record started before the end never needs a bounds check. */
export const RING_SLACK = 16;

// Mirrors protocol/events.ts EventKind (const enum; spelled out so the hot path has plain literals).
export const K_STEP = 0, K_CALL = 1, K_EXIT = 2, K_RETURN = 3, K_THROW = 4, K_WRITE = 5, K_PROPWRITE = 6,
  K_SUSPEND = 7, K_RESUME = 8, K_FILE = 9, K_OUTPUT = 10, K_PROCESS_EXIT = 11, K_GAP = 12, K_CLOCK = 13;
/** A Clock record: word0 K_CLOCK (site 0), then the time as a T_DOUBLE value (ms, performance.now()). */
export const CLOCK_WORDS = 4;
// Mirrors protocol/values.ts RingValueTag.
export const T_UNDEF = 0, T_NULL = 1, T_TRUE = 2, T_FALSE = 3, T_INT = 4, T_DOUBLE = 5, T_STRING = 6, T_JSON = 7;

export interface WorkerInit {
  socketPath: string;
  token: string;
  hello: string; // JSON of RuntimeHello
  ctrl: SharedArrayBuffer;
  words: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
  wordCap: number;
  byteCap: number;
}
