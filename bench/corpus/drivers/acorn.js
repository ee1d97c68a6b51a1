'use strict';
// acorn: parse large real sources (lodash, marked, acorn itself) many times, with locations, and
// tokenize; checksum the node-type histogram.
const fs = require('fs');
const path = require('path');
const acorn = require('../vendor/acorn');
const { n, TINY, hash, report } = require('./lib/common');

const vendor = path.join(__dirname, '..', 'vendor');
const read = (...p) => fs.readFileSync(path.join(vendor, ...p), 'utf8');
// At test scales, one small real file (semver's Comparator class) instead of ~900 KB of code.
const sources = TINY ? [['comparator', read('semver', 'classes', 'comparator.js'), 'script']] : [
  ['lodash', fs.readFileSync(path.join(vendor, 'lodash', 'lodash.js'), 'utf8'), 'script'],
  ['marked', fs.readFileSync(path.join(vendor, 'marked', 'lib', 'marked.cjs'), 'utf8'), 'script'],
  ['acorn', fs.readFileSync(path.join(vendor, 'acorn', 'dist', 'acorn.js'), 'utf8'), 'script'],
];

function histogram(ast) {
  const counts = Object.create(null);
  const stack = [ast];
  while (stack.length) {
    const node = stack.pop();
    counts[node.type] = (counts[node.type] || 0) + 1;
    for (const key in node) {
      const v = node[key];
      if (v && typeof v === 'object') {
        if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === 'string') stack.push(c); }
        else if (typeof v.type === 'string' && key !== 'loc') stack.push(v);
      }
    }
  }
  return counts;
}

const rounds = n(2);
let nodes = 0; let tokens = 0; let comments = 0;
let lastHist;
for (let r = 0; r < rounds; r++) {
  for (const [, text, sourceType] of sources) {
    const found = [];
    const ast = acorn.parse(text, { ecmaVersion: 'latest', sourceType, locations: true, ranges: true, onComment: found });
    if (r === 0) { const h = histogram(ast); for (const k in h) nodes += h[k]; lastHist = h; }
    comments += found.length;
  }
  for (const t of acorn.tokenizer(sources[0][1], { ecmaVersion: 'latest' })) tokens += t.end - t.start > 0 ? 1 : 0;
}
// A syntax error is part of the library's behaviour too.
let error = '';
try { acorn.parse('let x = (1 + ;', { ecmaVersion: 2022 }); } catch (e) { error = `${e.name}: ${e.message} @${e.pos}`; }
report('acorn', { version: acorn.version, rounds, nodes, tokens, comments, hist: hash(lastHist), error });
