'use strict';
// async/await across functions, a generator driven by for-of and by next().
function delay(value) {
  return new Promise((resolve) => setImmediate(() => resolve(value)));
}

async function fetchUser(id) {
  const raw = await delay({ id, name: 'user' + id });
  const name = raw.name.toUpperCase();
  return { ...raw, name };
}

async function loadAll(ids) {
  const users = [];
  for (const id of ids) {
    const user = await fetchUser(id);
    users.push(user.name);
  }
  return users;
}

function* countdown(from) {
  let n = from;
  while (n > 0) {
    yield n;
    n--;
  }
  return 'done';
}

async function main() {
  const names = await loadAll([1, 2]);
  const seen = [];
  for (const n of countdown(2)) {
    seen.push(n);
  }
  const it = countdown(1);
  const first = it.next();
  const last = it.next();
  console.log(names, seen, first.value, last.value);
}

main();
