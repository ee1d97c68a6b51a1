'use strict';
// Shared helpers of the corpus drivers: the workload size knob, a seeded PRNG and a checksum.
// Nothing here reads the clock or Math.random: every run prints the same output.
const crypto = require('crypto');

const SCALE = Number(process.env.CORPUS_SCALE || 1);
if (!(SCALE > 0)) throw new Error(`CORPUS_SCALE must be a positive number, got ${process.env.CORPUS_SCALE}`);

/** True at test scales (below 0.05): drivers then pick small inputs where the input is a fixed file. */
const TINY = SCALE < 0.05;

/** `base` scaled by CORPUS_SCALE, at least `min`. */
function n(base, min = 1) { return Math.max(min, Math.round(base * SCALE)); }

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over a PRNG: integers, picks, words. */
function gen(seed) {
  const r = rng(seed);
  const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu',
    'nu', 'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega', 'time', 'travel',
    'debugger', 'record', 'replay', 'event', 'frame', 'value', 'history', 'step', 'back', 'forward'];
  const g = {
    float: r,
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(r() * arr.length)],
    bool: (p = 0.5) => r() < p,
    word: () => WORDS[Math.floor(r() * WORDS.length)],
    words: (k) => { const out = []; for (let i = 0; i < k; i++) out.push(g.word()); return out.join(' '); },
  };
  return g;
}

/** A short hex digest of a string or of JSON-able data. */
function hash(data) {
  const h = crypto.createHash('sha256');
  h.update(typeof data === 'string' ? data : JSON.stringify(data));
  return h.digest('hex').slice(0, 16);
}

/** The one line a driver prints: its name and a JSON summary. */
function report(name, summary) {
  process.stdout.write(`${name} ${JSON.stringify(summary)}\n`);
}

module.exports = { SCALE, TINY, n, rng, gen, hash, report };
