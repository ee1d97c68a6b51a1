'use strict';
// Block scopes: let/const in loops and blocks, a hoisted helper, a labelled loop, a switch.
function describe(values) {
  const parts = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts.push(label(v));
  }
  const joined = parts.join(',');
  {
    const inner = joined.length;
    parts.push(String(inner));
  }
  return parts;

  function label(v) {
    switch (typeof v) {
      case 'number':
        return 'n' + v;
      case 'string': {
        const quoted = '"' + v + '"';
        return quoted;
      }
      default:
        return '?';
    }
  }
}

function findPair(grid, target) {
  let found = null;
  outer: for (let r = 0; r < grid.length; r++) {
    for (let c = 0; c < grid[r].length; c++) {
      if (grid[r][c] === target) {
        found = [r, c];
        break outer;
      }
    }
  }
  return found;
}

const described = describe([1, 'a', true]);
const pair = findPair([[1, 2], [3, 4]], 3);
for (const word of ['x', 'y']) {
  const upper = word.toUpperCase();
  described.push(upper);
}
console.log(described, pair);
