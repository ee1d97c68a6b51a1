'use strict';
// markdown-it (with linkify and typographer; pulls in entities, linkify-it, mdurl, punycode, uc.micro):
// render a generated document, and parse to tokens.
const MarkdownIt = require('../vendor/markdown-it');
const { n, gen, hash, report } = require('./lib/common');

function documentText(seed, sections) {
  const g = gen(seed);
  const out = [];
  for (let s = 0; s < sections; s++) {
    out.push(`${'#'.repeat(g.int(1, 4))} Part ${s} -- ${g.words(3)}`, '');
    out.push(`"${g.words(4)}" (c) ... *${g.words(2)}* __${g.word()}__ \`x${s}\` see www.example.com/${g.word()} or https://xn--d1acpjx3f.xn--p1ai/${s} &copy; &#x41; ${g.words(5)}.`);
    out.push(`${g.words(9)}`, '');
    const kind = s % 5;
    if (kind === 0) {
      for (let i = 0; i < g.int(2, 6); i++) out.push(`- ${g.words(3)} [${g.word()}](http://a.b/${g.word()}?q=${i}&r=ü)`);
      out.push('');
    } else if (kind === 1) {
      out.push('~~~python', `def f${s}(a):`, `    return a * ${g.int(0, 9)}  # ${g.word()}`, '~~~', '');
    } else if (kind === 2) {
      out.push('| h1 | h2 |', '| -- | -: |');
      for (let i = 0; i < g.int(2, 5); i++) out.push(`| ${g.word()} | ${g.int(0, 99)} |`);
      out.push('');
    } else if (kind === 3) {
      out.push(`> ${g.words(5)}`, `> 1. ${g.word()}`, `>    ${g.word()}`, '', '***', '');
    } else {
      out.push(`<div class="${g.word()}">raw</div>`, '', `Term ${g.word()}  `, `next line ![img](/i/${s}.png "title")`, '');
    }
  }
  return out.join('\n');
}

const md = new MarkdownIt({ html: true, linkify: true, typographer: true });
const sections = n(500, 2);
const doc = documentText(61, sections);
const rounds = n(3, 1);
let html = '';
let length = 0;
for (let r = 0; r < rounds; r++) { html = md.render(doc); length += html.length; }
const tokens = md.parse(doc, {});
const inline = md.renderInline('a *b* <c> http://d.e');
const strict = new MarkdownIt('commonmark').render(doc.slice(0, 20000));
report('markdown-it', { sections, rounds, length, html: hash(html), tokens: tokens.length, inline, strict: hash(strict) });
