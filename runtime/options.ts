/** Runtime options (ELIXIRSCOPE_OPTIONS JSON), validated with safe defaults. */
export interface RuntimeOptions {
  maxDepth: number;
  maxKeys: number;
  maxString: number;
  /** Case-insensitive regex sources; a key/variable name matching any is redacted. */
  redact: string[];
  overflow: 'block' | 'drop-oldest' | 'drop';
  ringWords: number;
  ringBytes: number;
  /** Calls recorded per function (call-budget.ts); 0 records every call. */
  callBudget: number;
}

export const DEFAULT_REDACT = ['password', 'passwd', 'secret', 'token', 'authorization', 'api[-_]?key', 'cookie', 'session'];

export const DEFAULT_OPTIONS: RuntimeOptions = {
  maxDepth: 2,
  maxKeys: 100,
  maxString: 1000,
  redact: DEFAULT_REDACT,
  overflow: 'block',
  // 2M words (8 MB) + 4 MB: big enough to absorb bursts while the adapter is busy, small enough
  // that the first lap's page faults stay cheap (and the drain worker pre-faults them anyway).
  ringWords: 2 * 1024 * 1024,
  ringBytes: 4 * 1024 * 1024,
  callBudget: 0,
};

function int(v: unknown, def: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : def;
}

export function parseOptions(json: string | undefined): RuntimeOptions {
  let o: Record<string, unknown> = {};
  if (json) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (parsed && typeof parsed === 'object') o = parsed as Record<string, unknown>;
    } catch { /* bad options: defaults */ }
  }
  const ringWords = int(o.ringWords, DEFAULT_OPTIONS.ringWords, 4096, 1 << 28);
  const ringBytes = int(o.ringBytes, DEFAULT_OPTIONS.ringBytes, 1 << 16, 1 << 30);
  // A string value must always fit in a quarter of the byte ring (3 UTF-8 bytes per UTF-16 unit, worst case).
  const maxString = Math.min(int(o.maxString, DEFAULT_OPTIONS.maxString, 1, 1 << 24), Math.floor(ringBytes / 16));
  const redact = Array.isArray(o.redact) && o.redact.every((r) => typeof r === 'string') ? (o.redact as string[]) : DEFAULT_REDACT;
  return {
    maxDepth: int(o.maxDepth, DEFAULT_OPTIONS.maxDepth, 0, 16),
    maxKeys: int(o.maxKeys, DEFAULT_OPTIONS.maxKeys, 0, 100000),
    maxString,
    redact,
    overflow: o.overflow === 'drop-oldest' || o.overflow === 'drop' ? o.overflow : 'block',
    ringWords,
    ringBytes,
    callBudget: int(o.callBudget, DEFAULT_OPTIONS.callBudget, 0, 0x7fffffff),
  };
}

/** One case-insensitive regex for all patterns (invalid sources are skipped), or null for none. */
export function redactRegex(sources: string[]): RegExp | null {
  const ok: string[] = [];
  for (const s of sources) {
    try { new RegExp(s); ok.push(`(?:${s})`); } catch { /* skip */ }
  }
  return ok.length ? new RegExp(ok.join('|'), 'i') : null;
}
