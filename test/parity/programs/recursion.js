'use strict';
// Recursion, and an if / else-if chain classifying its results.
function factorial(n) {
  if (n <= 1) {
    return 1;
  }
  const rest = factorial(n - 1);
  return n * rest;
}

function classify(value) {
  let kind;
  if (value < 0) {
    kind = 'negative';
  } else if (value === 0) {
    kind = 'zero';
  } else if (value < 10) {
    kind = 'small';
  } else {
    kind = 'large';
  }
  return kind;
}

const f = factorial(4);
const kinds = [];
for (const v of [-1, 0, 3, f]) {
  kinds.push(classify(v));
}
console.log(f, kinds.join(','));
