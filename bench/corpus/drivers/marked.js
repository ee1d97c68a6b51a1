'use strict';
// marked: render a generated document with headings, emphasis, links, code, lists, tables and quotes.
const { marked, Marked } = require('../vendor/marked');
const { n, gen, hash, report } = require('./lib/common');

function documentText(seed, sections) {
  const g = gen(seed);
  const out = [];
  for (let s = 0; s < sections; s++) {
    out.push(`${'#'.repeat(g.int(1, 4))} Section ${s}: ${g.words(3)}`, '');
    out.push(`${g.words(8)} *${g.words(2)}* and **${g.words(2)}**, \`code ${s}\`, [link ${s}](https://example.com/${g.word()}/${s} "t${s}") ${g.words(6)}.`);
    out.push(`${g.words(10)}  `, `${g.words(5)} ~~${g.word()}~~ <span>${g.word()}</span> &amp; ${g.words(3)}`, '');
    const kind = s % 5;
    if (kind === 0) {
      for (let i = 0; i < g.int(2, 6); i++) out.push(`${g.bool() ? '-' : '*'} ${g.words(4)} ${g.bool() ? `\`${g.word()}\`` : ''}`);
      out.push('', '1. first', '2. second', '   - nested ' + g.word(), '3. third', '');
    } else if (kind === 1) {
      out.push('```js', `function f${s}(a, b) {`, `  return a ${g.pick(['+', '-', '*'])} b; // ${g.word()}`, '}', '```', '');
    } else if (kind === 2) {
      out.push('| name | value | note |', '| :--- | ---: | :---: |');
      for (let i = 0; i < g.int(2, 5); i++) out.push(`| ${g.word()} | ${g.int(0, 999)} | ${g.words(2)} |`);
      out.push('');
    } else if (kind === 3) {
      out.push(`> ${g.words(6)}`, `> > ${g.words(4)}`, `> - ${g.word()}`, '');
    } else {
      out.push('    indented code ' + s, '', '---', '', `Autolink <https://example.org/${s}> and ${g.words(3)}_${g.word()}_${g.word()}.`, '');
    }
  }
  return out.join('\n');
}

const sections = n(400, 2);
const doc = documentText(7, sections);
const rounds = n(5, 1);
let html = '';
let length = 0;
for (let r = 0; r < rounds; r++) {
  html = marked.parse(doc, { gfm: true, breaks: r % 2 === 1 });
  length += html.length;
}
// The lexer and a custom renderer through an instance.
const tokens = marked.lexer(doc);
const custom = new Marked({ renderer: { heading(text, level) { return `<h${level} class="x">${text}</h${level}>\n`; } } });
const customHtml = custom.parse(doc.slice(0, 20000));
report('marked', { sections, rounds, length, html: hash(html), tokens: tokens.length, custom: hash(customHtml) });
