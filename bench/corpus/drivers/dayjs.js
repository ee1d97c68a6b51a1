'use strict';
// dayjs (+ utc, advancedFormat, customParseFormat plugins): format, add, diff, startOf/endOf and
// parse many fixed dates, all in UTC (no clock, no local time zone).
const dayjs = require('../vendor/dayjs');
const utc = require('../vendor/dayjs/plugin/utc');
const advancedFormat = require('../vendor/dayjs/plugin/advancedFormat');
const customParseFormat = require('../vendor/dayjs/plugin/customParseFormat');
const { n, gen, hash, report } = require('./lib/common');

dayjs.extend(utc);
dayjs.extend(advancedFormat);
dayjs.extend(customParseFormat);

const g = gen(41);
const base = dayjs.utc('2020-02-29T12:34:56.789Z');
const count = n(20000, 5);
const units = ['millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'year'];
const formats = ['YYYY-MM-DD', 'YYYY-MM-DDTHH:mm:ss.SSS[Z]', 'ddd, D MMM YYYY HH:mm', 'Do [of] MMMM YYYY, h:mm a', 'Q X x', 'YY-M-D H:m:s'];
let out = '';
let diffSum = 0;
let prev = base;
for (let i = 0; i < count; i++) {
  const d = base.add(g.int(-5000, 5000), 'day').add(g.int(0, 86399), 'second').add(g.int(0, 11), 'month');
  out += d.format(formats[i % formats.length]) + '|';
  diffSum += d.diff(prev, units[i % units.length]);
  if (i % 7 === 0) out += d.startOf(units[(i >> 3) % units.length]).toISOString() + d.endOf('month').date();
  if (i % 11 === 0) out += d.isBefore(prev) + ':' + d.isSame(prev, 'year') + ':' + d.daysInMonth() + ':' + d.day();
  prev = d;
}
const parsed = [];
for (let i = 0; i < n(3000, 3); i++) {
  const s = `${g.int(1, 28)}/${g.int(1, 12)}/${g.int(1970, 2037)} ${g.int(0, 23)}:${g.int(10, 59)}`;
  parsed.push(dayjs.utc(s, 'D/M/YYYY H:mm').valueOf());
}
const invalid = dayjs.utc('not a date').isValid();
const strict = dayjs('2021-02-31', 'YYYY-MM-DD', true).isValid();
report('dayjs', { count, out: hash(out), length: out.length, diffSum, parsed: hash(parsed), invalid, strict, leap: base.add(1, 'year').format() });
