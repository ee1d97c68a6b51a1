'use strict';
// Sums, a nested loop, a while and a do-while loop; a counter in an object.
function sumTo(n) {
  let total = 0;
  for (let i = 1; i <= n; i++) {
    total += i;
  }
  return total;
}

function grid(rows, cols) {
  const cells = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      cells.push(r * cols + c);
    }
  }
  return cells;
}

function halvings(n) {
  let count = 0;
  do {
    n = Math.floor(n / 2);
    count++;
  } while (n > 1);
  return count;
}

const stats = { runs: 0, label: "loops" };
const a = sumTo(3);
stats.runs++;
const g = grid(2, 2);
stats.runs++;
let k = 0;
while (k < 3) {
  k += 1;
}
console.log(a, g.length, stats.runs, k, halvings(8));
