'use strict';
// lodash: groupBy, cloneDeep, merge, chains, orderBy, uniqBy, template and friends on generated rows.
const _ = require('../vendor/lodash');
const { n, gen, hash, report } = require('./lib/common');

const g = gen(31);
const rowCount = n(20000, 20);
const rows = [];
for (let i = 0; i < rowCount; i++) {
  rows.push({
    id: i, name: g.words(2), group: g.pick(['a', 'b', 'c', 'd', 'e']), score: g.int(0, 1000),
    tags: [g.word(), g.word()], nested: { x: g.int(0, 9), y: { z: g.word(), list: [g.int(0, 5), g.int(0, 5)] } },
  });
}
const rounds = n(12, 1);
const sums = [];
let last;
for (let r = 0; r < rounds; r++) {
  const grouped = _.groupBy(rows, 'group');
  const counts = _.countBy(rows, (row) => row.nested.x);
  const copy = _.cloneDeep(rows.slice(0, 2000));
  const merged = _.merge({}, ...copy.slice(0, 200).map((row) => ({ [row.group]: { [row.nested.y.z]: row.nested.y.list } })));
  const top = _.chain(rows)
    .filter((row) => row.score % (r + 2) === 0)
    .map((row) => ({ ...row, key: _.kebabCase(row.name) }))
    .orderBy(['score', 'id'], ['desc', 'asc'])
    .uniqBy('key')
    .take(50)
    .map('id')
    .value();
  const stats = _.mapValues(grouped, (list) => ({ n: list.length, mean: _.round(_.meanBy(list, 'score'), 3), max: _.maxBy(list, 'score').id }));
  const words = _.flatMap(copy, 'tags');
  const freq = _.toPairs(_.countBy(words)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  const chunks = _.chunk(_.range(0, 1000, 3), 7).map(_.sum);
  const zipped = _.zipObject(_.map(copy.slice(0, 100), 'name'), _.map(copy.slice(0, 100), 'score'));
  const picked = copy.slice(0, 500).map((row) => _.pick(row, ['id', 'nested.y.z']));
  const eq = _.isEqual(copy[5], rows[5]);
  const debounced = _.memoize((x) => x * 2);
  sums.push(_.sum(top) + chunks.length + debounced(r));
  last = { counts, merged, top, stats, freq, chunks: hash(chunks), zipped: hash(zipped), picked: hash(picked), eq };
}
const tpl = _.template('hello <%= user %>! <% _.forEach(items, function(i) { %><li><%- i %></li><% }); %>')({ user: 'es', items: ['<a>', 'b'] });
const snake = _.words('fooBar baz-qux_quux').map(_.snakeCase);
report('lodash', { version: _.VERSION, rows: rowCount, rounds, sums: hash(sums), last: hash(last), tpl, snake });
