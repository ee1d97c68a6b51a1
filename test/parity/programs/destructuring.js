'use strict';
// Destructuring, default parameters, optional chaining, template strings, Map and Set.
function greet({ name, title = 'Dr' }, [first, ...rest] = [], punct = '!') {
  const who = `${title} ${name}`;
  const tail = rest.length ? ` and ${rest.length} more` : '';
  return `${who}${punct} (${first}${tail})`;
}

function tally(words) {
  const counts = new Map();
  const seen = new Set();
  for (const w of words) {
    counts.set(w, (counts.get(w) ?? 0) + 1);
    seen.add(w.length);
  }
  const { size } = seen;
  return { counts, size };
}

const user = { name: 'Ada', profile: { city: 'London' } };
const city = user.profile?.city;
const zip = user.address?.zip ?? 'none';
const line = greet(user, ['a', 'b', 'c']);
const plain = greet({ name: 'Bo', title: 'Mx' });
const { counts, size } = tally(['to', 'be', 'or', 'not', 'to', 'be']);
const [x, , y = 9] = [1, 2];
console.log(city, zip, line, plain, counts.get('to'), size, x, y);
