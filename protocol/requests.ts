/** DAP custom requests and launch arguments: defined once, used by adapter/ and extension/. */
import type { Mode } from './events';

export interface ElixirScopeLaunchArgs {
  /** Program to record (a .ts or .js file). */
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  stopOnEntry?: boolean;
  mode?: Mode;
  /** Path of an existing recording to open for replay instead of running a program. */
  recording?: string;
  /** Where the recording is written (default: <workspace>/.elixirscope/recordings/<timestamp>). */
  out?: string;
  /** Path to the node executable that runs the program. */
  runtimeExecutable?: string;
  noDebug?: boolean;
}

export const CustomRequest = {
  seek: 'elixirscope/seek',
  valueHistory: 'elixirscope/valueHistory',
  timeline: 'elixirscope/timeline',
  origin: 'elixirscope/origin',
  info: 'elixirscope/info',
} as const;

export interface SeekArgs { seq: number }
export interface ValueHistoryArgs { name: string; frameId?: number }
export interface ValueHistoryEntry { seq: number; value: string; file: string; line: number }
export interface RecordingInfo { dir: string; events: number; bytes: number; seq: number; live: boolean }
