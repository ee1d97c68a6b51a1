'use strict';
// esprima: parse real sources with locations and ranges, tokenize, and parse modules.
const fs = require('fs');
const path = require('path');
const esprima = require('../vendor/esprima');
const { n, TINY, hash, report } = require('./lib/common');

const vendor = path.join(__dirname, '..', 'vendor');
const read = (...p) => fs.readFileSync(path.join(vendor, ...p), 'utf8');
// At test scales, two small real files instead of ~880 KB of code.
const sources = TINY ? [read('semver', 'classes', 'comparator.js'), read('semver', 'functions', 'inc.js')] : [
  fs.readFileSync(path.join(vendor, 'lodash', 'lodash.js'), 'utf8'),
  fs.readFileSync(path.join(vendor, 'papaparse', 'papaparse.js'), 'utf8'),
  fs.readFileSync(path.join(vendor, 'esprima', 'dist', 'esprima.js'), 'utf8'),
];
const rounds = n(2, 1);
let statements = 0; let tokens = 0; let comments = 0; let delegated = 0;
let lastAst;
for (let r = 0; r < rounds; r++) {
  for (const text of sources) {
    const ast = esprima.parseScript(text, { loc: true, range: true, comment: true }, (node) => { if (node.type === 'Identifier') delegated++; });
    statements += ast.body.length;
    comments += ast.comments.length;
    lastAst = ast;
  }
  tokens += esprima.tokenize(sources[sources.length - 1], { range: true }).length;
}
const mod = esprima.parseModule('import a, { b as c } from "x"; export default class K extends a { static #p = 1; get v() { return c.d || 2; } }'.replace('static #p = 1; ', ''));
let error = '';
try { esprima.parseScript('var = 1'); } catch (e) { error = `${e.name}: ${e.description} ${e.lineNumber}:${e.column}`; }
report('esprima', { version: esprima.version, rounds, statements, tokens, comments, delegated, last: hash(lastAst.body.map((s) => s.type + s.range.join('-'))), mod: hash(mod), error });
