'use strict';
// semver: generate 50k versions (with prereleases and build metadata), sort them, find
// maxSatisfying/minSatisfying over ranges, parse/inc/coerce/diff/intersects.
const semver = require('../vendor/semver');
const { n, gen, hash, report } = require('./lib/common');

const g = gen(23);
const count = n(20000, 20);
const versions = [];
for (let i = 0; i < count; i++) {
  let v = `${g.int(0, 12)}.${g.int(0, 30)}.${g.int(0, 60)}`;
  if (g.bool(0.2)) v += `-${g.pick(['alpha', 'beta', 'rc'])}.${g.int(0, 9)}`;
  if (g.bool(0.05)) v += `+build.${g.int(0, 999)}`;
  versions.push(v);
}
const sorted = semver.sort(versions.slice());
const rsorted = versions.slice().sort(semver.rcompare);
const ranges = ['^1.2.3', '~4.5', '>=2.0.0 <3.0.0-0', '1.x || >=9.1.0', '*', '>3.0.0-beta.2', '5.5.5 - 7.1', '^0.0.3', '<=0.9.9', 'x.1.x'];
const max = ranges.map((r) => semver.maxSatisfying(versions, r));
const min = ranges.slice(0, 4).map((r) => semver.minSatisfying(versions, r, { includePrerelease: true }));
const sat = ranges.map((r) => versions.slice(0, 4000).filter((v) => semver.satisfies(v, r)).length);
const valid = ranges.map((r) => semver.validRange(r));
let incs = '';
for (let i = 0; i < n(2000, 5); i++) {
  const v = versions[i];
  incs += semver.inc(v, g.pick(['major', 'minor', 'patch', 'prerelease', 'premajor']), 'next') + ',';
}
const coerced = ['v1', '1.2', ' 3.4.5 x', 'version 10.20.30.40', 'nope'].map((s) => String(semver.coerce(s)));
const diffs = [];
for (let i = 0; i + 1 < Math.min(versions.length, 2000); i += 2) diffs.push(semver.diff(versions[i], versions[i + 1]));
const inter = semver.intersects('^1.2.0', '>=1.5.0 <2');
const clean = semver.clean('  =v1.2.3   ');
let error = '';
try { new semver.SemVer('1.2.x'); } catch (e) { error = `${e.name}: ${e.message}`; }
report('semver', { count, first: sorted[0], last: sorted[sorted.length - 1], sorted: hash(sorted.join(',')), rsorted: hash(rsorted.join(',')), max, min, sat, valid, incs: hash(incs), coerced, diffs: hash(diffs), inter, clean, error });
