/**
 * The `elixirscope.*` settings and how they become launch arguments.
 *
 * Settings are read per workspace folder and copied into the debug configuration in
 * resolveDebugConfigurationWithSubstitutedVariables, so the adapter only ever sees launch
 * arguments (it never reads VS Code settings). Values written explicitly in launch.json win.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Mode } from '../protocol/events';
import type { ElixirScopeLaunchArgs, SnapshotLimits } from '../protocol/requests';

export const DEBUG_TYPE = 'elixirscope';
export const SECTION = 'elixirscope';


export interface ElixirScopeSettings {
  mode: Mode;
  include: string[];
  exclude: string[];
  redact: string[];
  /** Absolute folder for new recordings ('' = adapter default `<workspace>/.elixirscope/recordings`). */
  recordingsFolder: string;
  /** Keep the last N recordings in the recordings folder (0 = keep all). */
  retention: number;
  snapshot: SnapshotLimits;
}

export type ElixirScopeDebugConfiguration = vscode.DebugConfiguration & ElixirScopeLaunchArgs;

const MODES: readonly Mode[] = ['minimal', 'balanced', 'full'];

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.length > 0) : [];
}
function posInt(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : dflt;
}

export function readSettings(scope?: vscode.ConfigurationScope): ElixirScopeSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const mode = c.get<string>('mode', 'full');
  return {
    mode: (MODES as readonly string[]).includes(mode) ? (mode as Mode) : 'full',
    include: strings(c.get('include')),
    exclude: strings(c.get('exclude')),
    redact: strings(c.get('redact')),
    recordingsFolder: (c.get<string>('recordingsFolder') ?? '').trim(),
    retention: posInt(c.get('retention'), 20),
    snapshot: {
      maxDepth: posInt(c.get('snapshot.maxDepth'), 3),
      maxKeys: posInt(c.get('snapshot.maxKeys'), 50),
      maxString: posInt(c.get('snapshot.maxString'), 1000),
    },
  };
}

/** The recordings folder as an absolute path, or undefined when the adapter default applies. */
export function recordingsFolder(settings: ElixirScopeSettings, folder?: vscode.WorkspaceFolder): string | undefined {
  const base = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (settings.recordingsFolder) {
    return path.isAbsolute(settings.recordingsFolder) || !base ? settings.recordingsFolder : path.join(base, settings.recordingsFolder);
  }
  return base ? path.join(base, '.elixirscope', 'recordings') : undefined;
}

/** A sortable, filesystem-safe name for a new recording: 20261123-153012-123. */
export function recordingName(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${p(d.getMilliseconds(), 3)}`;
}
export const RECORDING_NAME = /^\d{8}-\d{6}-\d{3}$/;

/** Copies settings into a launch configuration; fields already present in the configuration win. */
export function applySettings(
  config: ElixirScopeDebugConfiguration,
  settings: ElixirScopeSettings,
  folder?: vscode.WorkspaceFolder,
): ElixirScopeDebugConfiguration {
  const out: ElixirScopeDebugConfiguration = { ...config };
  out.mode ??= settings.mode;
  if (out.include === undefined && settings.include.length) out.include = settings.include;
  if (out.exclude === undefined && settings.exclude.length) out.exclude = settings.exclude;
  if (out.redact === undefined && settings.redact.length) out.redact = settings.redact;
  out.retention ??= settings.retention;
  out.snapshot = { ...settings.snapshot, ...(out.snapshot ?? {}) };
  if (!out.recording && !out.out) {
    const dir = recordingsFolder(settings, folder);
    if (dir) out.out = path.join(dir, recordingName());
  }
  return out;
}
