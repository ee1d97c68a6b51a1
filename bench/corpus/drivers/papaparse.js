'use strict';
// papaparse: parse generated CSV (quoted fields, embedded quotes/newlines/delimiters, numbers,
// booleans, empty lines) with header and dynamic typing, stream with step(), and unparse back.
const Papa = require('../vendor/papaparse');
const { n, gen, hash, report } = require('./lib/common');

const g = gen(71);
const rowsCount = n(25000, 20);
const lines = ['id,name,score,ok,note,when'];
for (let i = 0; i < rowsCount; i++) {
  const note = g.pick([g.word(), `"${g.words(2)}, with comma"`, `"multi\nline ""quoted"""`, '', `${g.float().toFixed(3)}`]);
  lines.push(`${i},${g.words(2)},${g.int(-500, 500)},${g.bool() ? 'true' : 'false'},${note},2020-01-${String(1 + (i % 28)).padStart(2, '0')}`);
  if (i % 997 === 0) lines.push('');
}
const csv = lines.join('\r\n');
const rounds = n(3, 1);
let result;
let total = 0;
for (let r = 0; r < rounds; r++) {
  result = Papa.parse(csv, { header: true, dynamicTyping: true, skipEmptyLines: r % 2 === 0 });
  for (const row of result.data) total += typeof row.score === 'number' ? row.score : 0;
}
let stepped = 0; let steppedFields = 0;
Papa.parse(csv.slice(0, 200000), { step: (res) => { stepped++; steppedFields += res.data.length; } });
const back = Papa.unparse(result.data.slice(0, 5000), { quotes: [false, true], newline: '\n' });
const semicolon = Papa.parse('a;b;"c;d"\n1;2;3', { delimiter: '' });
const broken = Papa.parse('a,b\n1,"unterminated\n2,3', { header: true });
report('papaparse', { rows: result.data.length, rounds, total, fields: result.meta.fields, errors: result.errors.length, stepped, steppedFields, back: hash(back), semicolon: semicolon.data, delimiter: semicolon.meta.delimiter, broken: broken.errors.map((e) => e.code) });
