'use strict';
// try/catch/finally around a function that throws from two frames down.
function parse(text) {
  if (text === '') {
    throw new Error('empty input');
  }
  return Number(text);
}

function parseAll(texts) {
  const values = [];
  for (let i = 0; i < texts.length; i++) {
    values.push(parse(texts[i]));
  }
  return values;
}

let outcome = 'none';
let cleaned = false;
try {
  outcome = 'parsing';
  const values = parseAll(['1', '', '3']);
  outcome = 'parsed ' + values.length;
} catch (err) {
  outcome = 'failed: ' + err.message;
} finally {
  cleaned = true;
}
console.log(outcome, cleaned);
