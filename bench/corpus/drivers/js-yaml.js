'use strict';
// js-yaml: dump and load a generated nested document (maps, sequences, multi-line strings, numbers,
// booleans, nulls, dates as strings, anchors on load), check the round trip.
const yaml = require('../vendor/js-yaml');
const { n, gen, hash, report } = require('./lib/common');

function value(g, depth) {
  const k = depth > 3 ? g.int(0, 5) : g.int(0, 8);
  switch (k) {
    case 0: return g.int(-100000, 100000);
    case 1: return g.float() * 1000;
    case 2: return g.words(g.int(1, 5));
    case 3: return g.bool();
    case 4: return null;
    case 5: return `${g.words(4)}\n${g.words(3)}: "${g.word()}" # not a comment\n  indented`;
    case 6: case 7: {
      const o = {};
      for (let i = 0; i < g.int(1, 6); i++) o[`${g.word()}_${i}`] = value(g, depth + 1);
      return o;
    }
    default: {
      const a = [];
      for (let i = 0; i < g.int(0, 6); i++) a.push(value(g, depth + 1));
      return a;
    }
  }
}

const g = gen(11);
const doc = { version: 3, items: [] };
const items = n(1500, 3);
for (let i = 0; i < items; i++) doc.items.push({ id: i, name: g.words(2), tags: [g.word(), g.word()], data: value(g, 0) });

const rounds = n(4, 1);
let text = '';
let ok = true;
for (let r = 0; r < rounds; r++) {
  text = yaml.dump(doc, { indent: 2, lineWidth: r % 2 ? 60 : 80, sortKeys: r === 1, noRefs: true });
  const back = yaml.load(text);
  ok = ok && JSON.stringify(r === 1 ? sortDeep(back) : back) === JSON.stringify(r === 1 ? sortDeep(doc) : doc);
}
function sortDeep(v) {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v).sort()) o[k] = sortDeep(v[k]); return o; }
  return v;
}
const anchors = yaml.load('base: &b {x: 1, y: [2, 3]}\nderived:\n  <<: *b\n  z: !!str 4\nwhen: 2026-01-02\nbin: !!binary aGVsbG8=\n');
const all = yaml.loadAll('---\na: 1\n---\n- b\n- c\n...\n');
let error = '';
try { yaml.load('a: [1, 2\nb: }'); } catch (e) { error = `${e.name}: ${e.reason} line ${e.mark && e.mark.line}`; }
report('js-yaml', { items, rounds, bytes: text.length, yaml: hash(text), roundTrip: ok, anchors: hash({ ...anchors, when: String(anchors.when.toISOString()), bin: Array.from(anchors.bin) }), all: hash(all), error });
