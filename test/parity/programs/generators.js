'use strict';
// Generators driven by next() with other calls in between, by for...of, an async generator
// driven by for await, and a generator left suspended at a yield.
function* countdown(from) {
  let n = from;
  while (n > 0) {
    yield n;
    n--;
  }
  return 'done';
}

function side(x) {
  const y = x + 1;
  return y;
}

function driven() {
  const it = countdown(2);
  const a = it.next();
  const b = side(a.value);
  const c = it.next();
  const d = side(c.value);
  const e = it.next();
  return [b, d, e.value];
}

async function* ticks(count) {
  for (let i = 0; i < count; i++) {
    await null;
    yield i;
  }
}

async function consume() {
  const seen = [];
  for await (const t of ticks(2)) {
    seen.push(t);
  }
  return seen;
}

function* pair() {
  yield 'first';
  yield 'second';
}

function abandoned() {
  const it = pair();
  const first = it.next().value;
  const after = side(1);
  return [first, after];
}

const results = driven();
consume().then((seen) => {
  const left = abandoned();
  console.log(results, seen, left);
});
