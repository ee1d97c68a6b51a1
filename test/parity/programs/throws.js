'use strict';
// An error thrown three frames down, rethrown, caught; finally blocks on the way out.
class ValidationError extends Error {
  constructor(field) {
    super(`bad ${field}`);
    this.field = field;
  }
}

function check(record) {
  if (!record.id) {
    throw new ValidationError('id');
  }
  return record.id;
}

function validate(records) {
  const ids = [];
  for (const record of records) {
    ids.push(check(record));
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
    wrapped.cause = err;
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
