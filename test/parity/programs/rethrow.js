'use strict';
// An error thrown two frames down through a counting loop, caught by a catch that wraps and
// rethrows it, a finally on the way out, and the caller's catch.
function check(record) {
  if (!record.id) {
    throw new Error('no id');
  }
  return record.id;
}

function validate(records) {
  const ids = [];
  for (let i = 0; i < records.length; i++) {
    ids.push(check(records[i]));
  }
  return ids;
}

function importAll(records) {
  let attempts = 0;
  try {
    attempts++;
    return validate(records);
  } catch (err) {
    const wrapped = new Error('import failed: ' + err.message);
    throw wrapped;
  } finally {
    attempts++;
  }
}

let result;
try {
  result = importAll([{ id: 1 }, {}]);
} catch (e) {
  result = e.message;
}
console.log(result);
