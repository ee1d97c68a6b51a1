'use strict';
// Callbacks that built-ins call: forEach, filter, reduce, sort, and a callback calling a helper.
function score(word) {
  const base = word.length;
  return base * 2;
}

const words = ['pear', 'fig', 'banana'];
const scores = [];
words.forEach((w) => {
  const s = score(w);
  scores.push(s);
});
const long = words.filter(function isLong(w) {
  return w.length > 3;
});
const total = scores.reduce((sum, s) => {
  const next = sum + s;
  return next;
}, 0);
const sorted = [...words].sort((a, b) => a.length - b.length);
console.log(scores, long, total, sorted);
