/** A recording that cannot be read (its own module: the CLI names it without loading LevelDB). */
export class RecordingError extends Error {}
