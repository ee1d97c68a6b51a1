'use strict';
// Closures over a counter, an arrow callback passed to a built-in, and a returned function.
function makeCounter(start) {
  let count = start;
  return function increment(by) {
    count += by;
    return count;
  };
}

const counter = makeCounter(10);
const a = counter(1);
const b = counter(5);
const doubled = [1, 2, 3].map((n) => {
  const twice = n * 2;
  return twice;
});
const total = doubled.reduce((acc, n) => acc + n, 0);
console.log(a, b, doubled, total);
