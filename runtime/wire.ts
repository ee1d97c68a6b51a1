/**
 * Constants shared by the runtime (producer + drain worker) and adapter/ipc (consumer).
 * Kept free of imports so the runtime bundle stays tiny and dependency-free.
 *
 * Wire frames on the private Unix socket: [u32 LE length of the rest][u8 type][payload]
 *   HELLO (1): 64 ASCII hex chars of token, then UTF-8 JSON RuntimeHello
 *   BATCH (2): [u32 nWords][nWords x int32 LE][u32 nBytes][nBytes]
 *   END   (3): empty
 *   PAUSED (6): [i32 pause id] the program's thread is blocked after the last event sent (live mode)
 * Control frames from the adapter to the worker (live mode only), same framing:
 *   RUN (4): [i32 LiveMode][i32 watched frame][i32 pause id to release, 0 = none]
 *   BREAKPOINTS (5): UTF-8 JSON LiveBreakpoints
 */
export const FRAME_HELLO = 1;
export const FRAME_BATCH = 2;
export const FRAME_END = 3;
export const FRAME_RUN = 4;
export const FRAME_BREAKPOINTS = 5;
export const FRAME_PAUSED = 6;
export const TOKEN_HEX_CHARS = 64;

/** One frame: [u32 LE length of the rest][u8 type][payload]. */
export function encodeFrame(type: number, payload?: Uint8Array): Buffer {
  const n = payload ? payload.length : 0;
  const f = Buffer.allocUnsafe(5 + n);
  f.writeUInt32LE(1 + n, 0);
  f[4] = type;
  if (payload) f.set(payload, 5);
  return f;
}

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
export const C_PAUSED = 12;   // live: main thread sets 1 and blocks until the worker sets 0
export const C_PAUSE_ID = 13; // live: number of the current/last pause (main thread)
export const C_LIVE_MODE = 14; // live: LiveMode the worker asks for, | LIVE_SPEC_DIRTY when breakpoints changed
export const C_LIVE_FRAME = 15; // live: the frame LiveMode.Over/Out watches
export const C_OWNER = 16;    // who ships the rings: 0 undecided, OWNER_WORKER (connected first), OWNER_SPOOL (exit came first)
export const CTRL_WORDS = 17;
export const OWNER_WORKER = 1;
export const OWNER_SPOOL = 2;
/**
 * A program that ends before its drain worker has connected does not wait for the worker to boot:
 * the main thread writes the frames the worker would have sent (HELLO, BATCH, END) to a file named
 * SPOOL_PREFIX + pid + '-' + threadId in the socket's private folder, and the adapter replays it.
 */
export const SPOOL_PREFIX = 'spool-';

/**
 * Where a live program's thread pauses besides its breakpoint sites (the adapter decides whether a
 * pause is a stop; these only have to pause at or before every possible target).
 */
export const LIVE_BREAKPOINTS_ONLY = 0;
/** At the next statement anywhere (step in, pause). */
export const LIVE_ANY = 1;
/** At the next statement of the watched frame, or anywhere once it has exited (step over). */
export const LIVE_OVER = 2;
/** Anywhere once the watched frame has exited (step out). */
export const LIVE_OUT = 3;
/** At the next statement, or at once if the program is idle in the event loop (pause). */
export const LIVE_PAUSE = 4;
/** Flag in C_LIVE_MODE: the breakpoint spec area changed. */
export const LIVE_SPEC_DIRTY = 1 << 8;
/** Breakpoint spec area: [i32 seqlock generation][i32 byte length][UTF-8 JSON LiveBreakpoints]. */
export const SPEC_HEADER_BYTES = 8;
export const SPEC_BYTES = 1 << 18;

/**
 * Where a live program pauses besides LiveMode: `sites` maps an absolute source path to site indexes
 * local to that file's table (statements: at the statement; functions: at their first statement;
 * writes and property writes: at the statement after the write); `throws`: where an exception
 * leaves a frame.
 */
/** `throws`: pause at every throw; `uncaught`: pause when an exception reaches Node's uncaught handling. */
export interface LiveBreakpoints { sites: Record<string, number[]>; throws?: boolean; uncaught?: boolean }

/** Largest record in words: word0 + arg + 2 values x (tag + 2 payload words). */
export const MAX_RECORD_WORDS = 8;
/** Extra words after the ring capacity so a record started before the end never needs a bounds check. */
export const RING_SLACK = 16;

// Mirrors protocol/events.ts EventKind (const enum; spelled out so the hot path has plain literals).
export const K_STEP = 0, K_CALL = 1, K_EXIT = 2, K_RETURN = 3, K_THROW = 4, K_WRITE = 5, K_PROPWRITE = 6,
  K_SUSPEND = 7, K_RESUME = 8, K_FILE = 9, K_OUTPUT = 10, K_PROCESS_EXIT = 11, K_GAP = 12, K_CLOCK = 13, K_UNCAUGHT = 14,
  K_ELIDED = 15;
/** A Clock record: word0 K_CLOCK (site 0), then the time as a T_DOUBLE value (ms, performance.now()). */
export const CLOCK_WORDS = 4;
// Mirrors protocol/values.ts RingValueTag.
export const T_UNDEF = 0, T_NULL = 1, T_TRUE = 2, T_FALSE = 3, T_INT = 4, T_DOUBLE = 5, T_STRING = 6, T_JSON = 7;

/**
 * How the runtime of a worker thread finds the adapter: the main thread's runtime stores a
 * ThreadConfig in worker_threads environment data under this key (copied into every Worker at its
 * construction, nested ones included). The program cannot list environment data keys, so it only
 * sees the entry if it asks for this exact name.
 */
export const THREAD_CONFIG_KEY = 'elixirscope.runtime.thread-config.v1';

export interface ThreadConfig {
  socketPath: string;
  token: string;
  manifestPath?: string;
  optionsJson?: string;
  /** Set only while one program Worker is being constructed: what it was created with. */
  worker?: WorkerIdentity;
  /**
   * Live mode (a debug session), set only while one program Worker is being constructed: the
   * breakpoint spec its creator has now, so the Worker pauses at them before its own connection
   * is up (the adapter sends it the current spec once it is).
   */
  liveSpec?: string;
}

/** A program Worker as its creator described it (RuntimeHello.worker). */
export interface WorkerIdentity {
  /** `name` of the Worker's options, when given. */
  name?: string;
  /** The Worker's script: a path or URL as given, or '[eval]' for `eval: true` code. */
  filename: string;
}

export interface WorkerInit {
  socketPath: string;
  token: string;
  hello: string; // JSON of RuntimeHello
  ctrl: SharedArrayBuffer;
  words: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
  wordCap: number;
  byteCap: number;
  /** Live mode: the breakpoint spec area (SPEC_HEADER_BYTES + SPEC_BYTES). */
  spec?: SharedArrayBuffer;
}

/**
 * The start gate: the adapter starts the program's node before the instrumented build is checked
 * (both take tens of ms) and passes fd GATE_FD, named by the GATE_ENV variable. The runtime
 * blocks on it before any program code runs, until the adapter writes one line of GateMessage
 * JSON: where the build's manifest is and, in a debug session, the breakpoints to start with.
 * End of file, or `abort`, means the program must not run (the build failed): the process exits.
 */
export const GATE_ENV = 'ELIXIRSCOPE_GATE';
export const GATE_FD = 3;
export const GATE_ABORT_CODE = 70;
export interface GateMessage { manifest?: string; live?: string; abort?: true }
