'use strict';
// Nested calls: results flow back through several frames and feed expressions.
function square(x) {
  const result = x * x;
  return result;
}

function sumOfSquares(a, b) {
  const sa = square(a);
  const sb = square(b);
  return sa + sb;
}

function hypotenuseSquared(p) {
  const total = sumOfSquares(p.x, p.y);
  const label = `(${p.x}, ${p.y})`;
  return { label, total };
}

const point = { x: 3, y: 4 };
const first = hypotenuseSquared(point);
const second = sumOfSquares(1, 2) + square(3);
console.log(first.label, first.total, second);
