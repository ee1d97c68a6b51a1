/** Bump when the shape of the output changes: it is part of every output hash. */
export const INSTRUMENTER_VERSION = 'es-instr-9';
