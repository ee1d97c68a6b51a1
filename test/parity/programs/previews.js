'use strict';
// One-line previews: arrays with holes and named properties, functions and accessors inside objects, a date, a typed array.
const holes = [1, , 3];
holes[1] = 2;
const grown = new Array(3);
grown[1] = 'b';
const tagged = [1, 2];
tagged.extra = 'x';
const withFns = { f: null, g() {} };
const withGetter = { get lazy() { return 1; }, plain: 1 };
const withSetter = { set lazy(v) {}, plain: 1 };
const when = new Date(0);
const bytes = new Uint8Array([1, 2, 3]);
const done = true;
console.log(holes.length, grown.length, tagged.length, withFns.f, withGetter.plain, withSetter.plain, when.getTime(), bytes.length, done);
