/**
 * fast-check generators of small JavaScript programs over the constructs an instrumenter most
 * easily gets wrong: evaluation order, short circuits, assignments, closures, labeled loops,
 * try/catch/finally (return in finally), destructuring with defaults, spread, generators,
 * getters/setters and proxies, classes (fields, private names, super, static blocks), switch
 * fall-through, hoisting/TDZ/arguments/this, async/await.
 *
 * A program is a list of snippets (each a block printing through `out(...)`); a batch file holds
 * many programs as functions and prints each one's output on one line, so one recording covers many.
 */
import fc from 'fast-check';

export interface Snippet { kind: string; code: string }
export interface Program { strict: boolean; snippets: Snippet[] }

const int = (min: number, max: number) => fc.integer({ min, max });
const num = (min: number, max: number) => int(min, max).map((n) => (n < 0 ? `(${n})` : String(n)));
const lit = fc.oneof(
  { weight: 3, arbitrary: num(-3, 12) },
  { weight: 2, arbitrary: fc.constantFrom('"a"', '""', '"7"', 'null', 'undefined', 'NaN', '(-0)', 'true', 'false', '0.5', '[]', '[1, 2]', '({})', '"x"', 'Infinity') },
);
const small = int(-2, 9);
const arr = fc.array(small, { minLength: 0, maxLength: 5 }).map((a) => `[${a.join(', ')}]`);

const BINOPS = ['+', '-', '*', '/', '%', '**', '&', '|', '^', '<<', '>>', '>>>', '<', '<=', '>', '==', '===', '!=', '!==', '&&', '||', '??', ','];
const UNOPS = ['-', '+', '!', '~', 'typeof ', 'void '];
const ASSIGN = ['=', '+=', '-=', '*=', '%=', '**=', '<<=', '|=', '&&=', '||=', '??='];
const TARGETS = ['a', 'b', 'c', 'o.p', 'o["q"]', 'o[t("k", "p")]', 'o.r.s'];

/** Expressions over a, b, c (let), o = {p, q, r: {s}} and t(tag, v) which logs its evaluation. */
const { e: expr } = fc.letrec<{ e: string; leaf: string; bin: string; un: string; cond: string; assign: string; update: string; call: string }>((tie) => ({
  e: fc.oneof({ maxDepth: 3, depthSize: 'small' }, tie('leaf'), tie('bin'), tie('un'), tie('cond'), tie('assign'), tie('update'), tie('call')),
  leaf: fc.oneof(lit, fc.constantFrom('a', 'b', 'c', 'o.p', 'o.q', 'o.r.s', 'o.r?.s', 'o.z?.s', 'o?.["p"]'), fc.tuple(fc.constantFrom('x', 'y', 'z'), lit).map(([k, v]) => `t("${k}", ${v})`)),
  bin: fc.tuple(tie('e'), fc.constantFrom(...BINOPS), tie('e')).map(([l, op, r]) => `(${l} ${op} ${r})`),
  un: fc.tuple(fc.constantFrom(...UNOPS), tie('e')).map(([op, x]) => `(${op}${x})`),
  cond: fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
  assign: fc.tuple(fc.constantFrom(...TARGETS), fc.constantFrom(...ASSIGN), tie('e')).map(([t, op, x]) => `(${t} ${op} ${x})`),
  update: fc.tuple(fc.constantFrom('a', 'b', 'o.p', 'o["q"]', 'o[t("u", "p")]'), fc.boolean(), fc.constantFrom('++', '--')).map(([t, pre, op]) => (pre ? `(${op}${t})` : `(${t}${op})`)),
  call: fc.tuple(fc.constantFrom('f', 'o.m', 'o?.m', 'o.n?.', '(0, o.m)', 'o["m"]'), tie('e'), tie('e')).map(([f, x, y]) => (f === 'o.n?.' ? `o.n?.(${x}, ${y})` : `${f}(${x}, ${y})`)),
}));

const arithmetic = fc.tuple(lit, lit, lit, lit, fc.array(expr, { minLength: 1, maxLength: 4 })).map(([a, b, c, p, es]) => `{
  let a = ${a}, b = ${b}, c = ${c};
  const log = [];
  const t = (k, v) => (log.push(k), v);
  const o = { p: ${p}, q: 1, r: { s: 2 }, m(x, y) { return [this === o, x, y]; } };
  function f(x, y) { return [typeof this, x, y, arguments.length]; }
${es.map((e) => `  out(${e});`).join('\n')}
  out(a, b, c, o.p, o.q, o.r, log.join(''));
}`);

const closures = fc.tuple(int(0, 5), int(-3, 3), int(-5, 5), int(1, 4)).map(([n, k, s, d]) => `{
  const fs = [];
  for (let i = 0; i < ${n}; i++) fs.push(() => i * ${k});
  const vs = [];
  for (var j = 0; j < ${n}; j++) vs.push(() => j);
  out(fs.map((g) => g()), vs.map((g) => g()), j);
  const mk = (s) => { let n = s; return { inc: (d = 1) => (n += d), get: () => n, reset() { n = s; return this; } }; };
  const c1 = mk(${s}), c2 = mk(${s} * 2);
  c1.inc(); c1.inc(${d}); c2.inc(c1.get());
  out(c1.get(), c2.get(), c1.reset().get());
  const memo = (() => { const cache = new Map(); return function fib(x) { if (x < 2) return x; if (cache.has(x)) return cache.get(x); const v = fib(x - 1) + fib(x - 2); cache.set(x, v); return v; }; })();
  out(memo(${n + 10}));
  let shadow = 'outer';
  { let shadow = 'inner'; out(shadow); }
  out(shadow, (function () { var shadow; return shadow; })());
}`);

const loops = fc.tuple(int(0, 5), int(0, 5), int(1, 4), int(0, 3), int(0, 8), int(0, 5), int(0, 5), int(1, 12), fc.boolean()).map(([n, m, a, b, c, d, e, k, brk]) => `{
  const log = [];
  outer: for (let i = 0; i < ${n}; i++) {
    inner: for (let j = 0; j < ${m}; j++) {
      if ((i * j) % ${a} === ${b}) continue outer;
      if (i + j === ${c}) break outer;
      if (j === ${d}) break inner;
      if (j === ${e}) continue;
      log.push(i + ':' + j);
    }
    log.push('end' + i);
  }
  out(log.join(','));
  let k = 0;
  lbl: while (true) {
    do {
      k++;
      if (k % 3 === 0) continue lbl;
      if (k > ${k}) break lbl;
    } while (k % 2);
  }
  out(k);
  block: { out('in block'); if (${brk}) break block; out('not skipped'); }
  const seen = [];
  keys: for (const key in { x: 1, y: 2, z: 3 }) { for (const ch of key + 'ab') { if (ch === 'a') continue keys; seen.push(ch); } }
  let w = ${n};
  while (w --> 0) { if (w === ${d}) continue; seen.push(w); }
  for (let i = 0, j = 10; i < j; i += 3, j -= 2) seen.push(i * j);
  out(seen.join(''));
}`);

const finallies = fc.tuple(int(-2, 6), int(-2, 6), int(-2, 6), int(0, 5), int(0, 5), int(0, 3)).map(([x1, x2, x3, t, r, q]) => `{
  function f(x) {
    try {
      if (x > ${t}) throw new RangeError('r' + x);
      out('try', x);
      return 'ret' + x;
    } catch (e) {
      out('caught', e.message, e instanceof RangeError);
      return 'c' + x;
    } finally {
      out('fin', x);
      if (x === ${r}) return 'finret';
    }
  }
  out(f(${x1}), f(${x2}), f(${x3}));
  function g() {
    for (let i = 0; i < 3; i++) {
      try { if (i === 1) continue; if (i === ${q}) break; out('g body', i); } finally { out('gfin', i); }
    }
    return 'g';
  }
  out(g());
  try { try { throw ${x1}; } finally { out('inner finally'); } } catch (e) { out('outer', e); }
  const h = () => { try { return 'a'; } finally { out('h fin'); } };
  out(h());
  function swallow() { try { throw new Error('lost'); } finally { return 'swallowed'; } }
  out(swallow());
  let count = 0;
  function nested() { try { try { return count++; } finally { count += 10; } } finally { count *= 2; } }
  out(nested(), count);
  try { null.x; } catch ({ name, message }) { out(name, message); }
  try { undefinedFunction${x1 < 0 ? 'X' : ''}(); } catch (e) { out(e.name, e.message); }
  try { throw { code: ${x2} }; } catch { out('optional catch binding'); }
}`);

const shortCircuits = fc.tuple(lit, lit, lit, lit, lit, lit, lit, lit, lit).map(([v1, v2, v3, v4, v5, v6, v7, v8, v9]) => `{
  const log = [];
  const t = (k, v) => (log.push(k), v);
  const o = { a: { b: ${v1}, f() { return this === o.a; } }, n: null };
  out(t('x', ${v2}) && t('y', ${v3}), t('p', ${v4}) || t('q', ${v5}), t('m', ${v6}) ?? t('k', ${v7}));
  out(o?.a?.b, o.n?.b, o.n?.b.c.d, o.a.f?.(), o.a.g?.(), o.n?.[t('z', 1)], (o.a?.f)(), o.a?.['f']());
  let w = ${v8};
  w ||= t('w1', 1); out(w);
  w &&= t('w2', ${v9}); out(w);
  w ??= t('w3', 3);
  out(w, log.join(''));
  const calls = [];
  const c = (n) => { calls.push(n); return n % 2 === 0; };
  if (c(1) || c(2) && c(3) || c(4)) calls.push('then');
  const r = c(6) ? c(7) || c(8) : c(9);
  out(calls.join(','), r, !!(${v1} && ${v2} || ${v3}));
}`);

const objLit = fc.tuple(fc.option(lit, { nil: undefined }), fc.option(arr, { nil: undefined }), fc.option(lit, { nil: undefined }), lit).map(([x, y, w, k]) =>
  `{ ${x !== undefined ? `x: ${x}, ` : ''}${y !== undefined ? `y: ${y}, ` : ''}${w !== undefined ? `z: { w: ${w} }, ` : ''}k1: ${k}, k2: 'two' }`);

const destructuring = fc.tuple(objLit, objLit, arr, small).map(([obj, obj2, a, n]) => `{
  const log = [];
  const d = (k, v) => (log.push(k), v);
  const { x = d('x', 1), y: [p = d('p', 2), , ...rest] = d('yarr', [${n}, 1, 2, 3]), z: { w = d('w', 5) } = {}, ...others } = ${obj};
  out(x, p, rest, w, others, log.join(''));
  function f({ a = 1, b } = {}, [c, d2 = a + 1] = [], ...more) { return [a, b, c, d2, more.length, arguments.length]; }
  out(f(), f(${obj2}, [3]), f(undefined, undefined, 7, 8));
  let m, n;
  [m = 10, n = m * 2] = ${a};
  out(m, n);
  ({ m, n = 'dn' } = { m: 'mm' });
  out(m, n);
  [m, n] = [n, m];
  out(m, n);
  const [first, ...tail] = 'héllo';
  const { length, [${n} % 2 ? 'k1' : 'k2']: computed } = ${obj2};
  out(first, tail, length, computed);
  for (const [i, { v = i }] of [[0, {}], [1, { v: 'v' }]]) out(i, v);
}`);

const spread = fc.tuple(arr, arr, lit, lit).map(([a1, a2, x, y]) => `{
  const arr = ${a1}, arr2 = ${a2};
  const o = { a: ${x}, b: ${y} };
  out([...arr, ...'hi', ...new Set(arr2)], { ...o, ...null, ...'ab', b: 9 }, Math.max(...arr, -Infinity));
  out(((...xs) => xs.length)(...arr, ...arr2));
  function F(a, b, ...c) { return [a, b, c]; }
  out(F(...arr), F(...arr2, ...arr), new Array(...[3]).length, [...'\\u{1d4b3}y'].length);
  const { a, ...restObj } = { ...o, c: 3 };
  out(a, restObj, [...arr.entries()].map(([i, v]) => i + v));
  const target = {};
  Object.assign(target, ...[{ p: 1 }, { q: 2 }]);
  out(target, [...new Map([[1, 'one'], [2, 'two']]).keys()]);
}`);

const generators = fc.tuple(int(0, 5), int(0, 4), int(-2, 3), int(-2, 3), int(-2, 3), int(0, 2), int(0, 4)).map(([n, s, a, b, c, mode, m]) => `{
  function* gen(n) {
    let recv = 0;
    try {
      for (let i = 0; i < n; i++) {
        recv = yield i * recv + 1;
        if (recv === ${s}) return 'early';
      }
      yield* [7, 8];
      return 'done';
    } finally {
      out('gen cleanup', recv);
    }
  }
  const it = gen(${n});
  const r = [it.next(), it.next(${a}), it.next(${b})];
  out(JSON.stringify(r));
  let last;
  if (${mode} === 0) last = it.return('R');
  else if (${mode} === 1) { try { last = it.throw(new Error('T')); } catch (e) { last = e.message; } }
  else last = it.next(${c});
  out(JSON.stringify(last), JSON.stringify(it.next()));
  out([...gen(${m})].join(','));
  const obj = { *[Symbol.iterator]() { yield* gen(2); yield 'own'; } };
  out(Array.from(obj));
  function* fib() { let [x, y] = [0, 1]; for (;;) { yield x; [x, y] = [y, x + y]; } }
  const taken = [];
  for (const v of fib()) { if (v > ${m * 10}) break; taken.push(v); }
  out(taken);
  const g2 = (function* () { const x = yield; out('got', x); })();
  g2.next('ignored'); g2.next('${a}');
}`);

const getters = fc.tuple(lit, int(-3, 5), int(-3, 5)).map(([v, a, b]) => `{
  let gets = 0, sets = 0;
  const o = { _v: ${v}, get v() { gets++; return this._v; }, set v(x) { sets++; this._v = x; } };
  o.v = o.v + 1; o.v += ${a}; o.v++;
  const { v } = o;
  out(v, o.v, gets, sets);
  class P {
    #x = ${b};
    get x() { gets++; return this.#x; }
    set x(v) { sets++; this.#x = v; }
    static get s() { return 'static'; }
  }
  const p = new P();
  p.x *= 2; p.x ??= 9; p.x ||= 4;
  out(p.x, P.s, gets, sets, Object.keys(p), JSON.stringify(p));
  const trapped = [];
  const prox = new Proxy({ real: 1 }, {
    get: (t, k) => { if (typeof k === 'string') trapped.push('get ' + k); return typeof k === 'string' ? k.length : undefined; },
    set: (t, k, val) => { trapped.push('set ' + String(k)); t[k] = val; return true; },
    has: (t, k) => { trapped.push('has ' + String(k)); return k in t; },
  });
  prox.abc = ${a};
  prox.abc += 1;
  const { real, abcd } = prox;
  out(prox.abcd, real, abcd, 'real' in prox, trapped.join(','));
  const frozen = Object.freeze({ k: 1 });
  try { 'use strict'; frozen.k = 2; } catch (e) { out(e.name); }
  out(frozen.k);
  const withToString = { toString() { gets++; return 'S'; }, valueOf() { sets++; return ${a}; } };
  out(withToString + 1, \`\${withToString}\`, gets, sets);
}`);

const classes = fc.tuple(int(-3, 8), int(0, 9)).map(([v, k]) => `{
  class A {
    static count = 0;
    #secret;
    field = this.constructor.name;
    constructor(x) { this.x = x; this.#secret = x * 2; A.count++; }
    get double() { return this.#secret; }
    m() { return 'A' + this.x; }
    static make(x) { return new this(x); }
    toString() { return \`A(\${this.x})\`; }
    #priv() { return 'p' + this.x; }
    callPriv() { return this.#priv(); }
  }
  class B extends A {
    constructor(x, y = x + 1) { super(x); this.y = y; }
    m() { return 'B' + super.m() + this.y; }
    get double() { return super.double + 1; }
    static { this.tag = 'B' + ${k}; }
  }
  const b = B.make(${v});
  out(b.m(), b.double, String(b), A.count, B.tag, b instanceof A, Object.getPrototypeOf(B) === A, B.name, (class {}).name, typeof A, b.field, b.callPriv());
  try { A(); } catch (e) { out(e.constructor.name); }
  const C = class Named extends (${v} > 3 ? B : A) {};
  out(new C(2).m(), C.name);
  class D { static #p = 1; static has(o) { return #p in o; } }
  out(D.has(D), D.has({}));
  class E extends Array { sum() { return this.reduce((a, b) => a + b, 0); } }
  const e = E.from([1, 2, ${v}]);
  out(e.sum(), e.map((x) => x * 2) instanceof E, e.length);
  const obj = { __proto__: { inherited() { return 'inh'; } }, own() { return super.inherited() + '!'; } };
  out(obj.own());
  class Acc { static #n = 0; static inc() { return ++Acc.#n; } }
  out(Acc.inc(), Acc.inc());
}`);

const switches = fc.tuple(lit, lit, lit, int(0, 5), int(0, 6)).map(([v1, v2, v3, p, three]) => `{
  const log = [];
  const t = (v) => { log.push('t' + v); return v; };
  for (const v of [${v1}, ${v2}, ${v3}, 'x', undefined, 0, 1, 2, 3, 4, 5]) {
    switch (v) {
      case 0: log.push('zero');
      case 1: log.push('one'); break;
      case 2: { log.push('two'); }
      case t(${three}): log.push('three');
      default: log.push('def');
      case 4: log.push('four'); break;
      case 5: log.push('five');
    }
  }
  out(log.join(' '));
  function sw(x) {
    switch (true) {
      case x > ${p}: return 'big';
      case x > 0: if (x === 1) break; return 'pos';
      default:
    }
    return 'other';
  }
  out(sw(${v1}), sw(${v2}), sw(1));
  let acc = '';
  for (let i = 0; i < 4; i++) {
    switch (i) { case 1: continue; case 2: acc += 'two'; break; default: acc += i; }
    acc += ';';
  }
  out(acc);
  switch (${v3}) { case 1: let scoped = 'one'; out(scoped); break; default: out('default'); }
}`);

const misc = fc.tuple(lit, lit, int(0, 3)).map(([v, w, n]) => `{
  out(typeof hoisted, hoisted());
  function hoisted() { return 'h'; }
  try { out(tdz); let tdz = 1; } catch (e) { out(e.name + ': ' + e.message); }
  function args(a, b) { a = 'changed'; return [arguments[0], arguments.length, b === undefined]; }
  out(args(${v}), args(${v}, ${w}));
  function mapped(a) { arguments[0] = 'z'; return a; }
  out(mapped('a'));
  const o = { n: 'o', f() { return this && this.n; }, g: () => typeof this };
  const f = o.f;
  out(o.f(), (0, o.f)() === undefined, f === o.f, o.g(), (o.f)(), o['f']());
  var i = 0; const arr = [1, 2, 3];
  arr[i++] += i;
  out(arr, i);
  let s = 'x'; s += s += 'y'; out(s);
  out([1, 2, 3].map((x, i, a) => x * a.length + i));
  let k = ${n};
  const obj = { [k++]: k++, [k++]: k };
  out(obj, k);
  out(((a, b = a) => [a, b])(${v}));
  var va = 1; { var va = 2; } out(va);
  const tag = (strs, ...vals) => strs.raw.join('|') + vals.join('+');
  out(tag\`a\${${v}}b\${k}\\n\`);
  out(typeof undeclaredVariable, void 0, (1, 2, ${n}));
  const big = 2n ** ${n + 60}n; out(String(big), typeof big);
  out([10, 1, 3].sort(), [10, 1, 3].sort((x, y) => x - y), ['b', 'a'].reverse());
  out(new Date(Date.UTC(2020, ${n}, 1)).toISOString(), JSON.stringify({ u: undefined, n: null, d: [undefined] }));
  label: { const inner = () => { return 'arrow in labeled block'; }; out(inner()); }
}`);

const asyncs = fc.tuple(int(0, 5), int(0, 5), fc.boolean()).map(([v1, v2, reject]) => `{
  const log = [];
  async function a1(x) {
    log.push('a1 start ' + x);
    await null;
    log.push('a1 after ' + x);
    try { await Promise.reject(new Error('rej' + x)); } catch (e) { log.push(e.message); } finally { log.push('fin ' + x); }
    return x * 2;
  }
  const fa = (async () => { for await (const v of (async function* () { yield 1; await 0; yield 2; })()) log.push('fa' + v); })();
  pending.push(Promise.all([a1(${v1}), a1(${v2}), fa]).then((r) => out(r, log.join('|'))));
  pending.push((async () => { try { ${reject ? "await Promise.reject(new TypeError('boom'))" : 'await 1'}; return 'ok'; } catch (e) { return e.name; } })().then((r) => out('settled', r)));
  Promise.resolve().then(() => log.push('microtask'));
  queueMicrotask(() => log.push('queued'));
  log.push('sync end');
  out(log.join('|'));
}`);

const traps = fc.tuple(lit, fc.boolean()).map(([v, arrayTarget]) => `{
  const log = [];
  const handler = {};
  for (const trap of ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'setPrototypeOf', 'defineProperty', 'deleteProperty', 'isExtensible', 'preventExtensions', 'apply', 'construct']) {
    handler[trap] = (...args) => { log.push(trap + (typeof args[1] === 'string' ? ':' + args[1] : '')); return Reflect[trap](...args); };
  }
  const p = new Proxy(${arrayTarget ? `[${v}, 2]` : `{ a: ${v}, b: { c: 2 } }`}, handler);
  let q = p; q = p;
  const fp = new Proxy(function target(x) { return x; }, handler);
  const take = (x) => x;
  const r = take(p);
  const { a: fromProxy } = p;
  out(log.join(' '));
  out(fp(${v}), typeof fp, r === p, fromProxy, log.length);
  let gets = 0;
  const sneaky = { get constructor() { gets++; return Object; }, get [Symbol.toStringTag]() { gets++; return 'T'; }, toJSON() { gets++; return 1; }, [Symbol.toPrimitive]() { gets++; return 1; }, get x() { gets++; return ${v}; } };
  let t = sneaky; t = take(sneaky);
  class M extends Map { entries() { gets++; return super.entries(); } [Symbol.iterator]() { gets++; return super[Symbol.iterator](); } get size() { gets++; return super.size; } forEach(f) { gets++; return super.forEach(f); } }
  let m = new M([[1, ${v}]]); m = take(m);
  class S extends Set { values() { gets++; return super.values(); } [Symbol.iterator]() { gets++; return super[Symbol.iterator](); } get size() { gets++; return super.size; } }
  let st = new S([${v}]); st = take(st);
  const d = new Date(0); d.toISOString = () => { gets++; return 'x'; }; d.getTime = () => { gets++; return 0; }; d.valueOf = () => { gets++; return 0; };
  let dd = d; dd = take(d);
  const e = new Error('e'); Object.defineProperty(e, 'message', { get() { gets++; return 'm'; } }); Object.defineProperty(e, 'stack', { get() { gets++; return 's'; } });
  let ee = e; ee = take(e);
  const throwing = { get boom() { throw new Error('getter threw'); } };
  let th = throwing; th = take(throwing);
  const arrLike = { length: 3, get 0() { gets++; return 'zero'; } };
  let al = arrLike; al = take(al);
  out('getter and method calls by anyone but the program:', gets);
}`);

const names = fc.tuple(int(0, 3), lit).map(([k, v]) => `{
  const anon = () => 0;
  const o = { m: function () {}, n: () => {}, ['c' + ${k}]: () => {}, get g() { return 1; } };
  let c = class {};
  const { d = function () {} } = {};
  let e; e = () => {};
  const [f = class {}] = [];
  out(anon.name, o.m.name, o.n.name, o['c' + ${k}].name, Object.getOwnPropertyDescriptor(o, 'g').get.name, c.name, d.name, e.name, f.name);
  function len(a, b = ${v}, ...rest) { return a; }
  out(len.length, ((x, { y } = {}) => x).length, (function (a, b) {}).length);
  function Ctor() { return new.target === Ctor; }
  out(new Ctor() instanceof Ctor, Ctor());
  const arrowArgs = function () { return (() => arguments.length)(); };
  out(arrowArgs(1, 2, ${k}));
}`);

const thenables = fc.tuple(int(0, 9), fc.boolean()).map(([v, rejects]) => `{
  let thenGets = 0;
  const thenable = { get then() { thenGets++; return (res, rej) => (${rejects} ? rej(new Error('no ${v}')) : res(${v})); } };
  pending.push((async () => {
    let r1, r2;
    try { r1 = await thenable; } catch (e) { r1 = e.message; }
    async function f() { return thenable; }
    try { r2 = await f(); } catch (e) { r2 = e.message; }
    const all = await Promise.allSettled([thenable, Promise.resolve(thenable)]);
    out(r1, r2, all.map((x) => x.status).join(','), thenGets);
  })());
}`);

// Sloppy mode only.
const withs = fc.tuple(int(0, 5), fc.boolean()).map(([v, assign]) => `{
  const seen = [];
  const scope = new Proxy({ inner: ${v}, fn() { return this === scope; } }, { has(t, k) { seen.push(String(k)); return k in t; } });
  var outerVar = 'ov';
  with (scope) {
    ${assign ? 'inner = inner + 1;' : 'inner;'}
    var declaredInWith = inner;
    out(fn(), typeof outerVar);
  }
  out(seen.join(','), declaredInWith);
}`);

const evals = fc.tuple(int(0, 5), lit).map(([v, w]) => `{
  function ev(a) { var local = ${v}; eval('var injected = a + local'); return [injected, eval('arguments.length'), eval('typeof local')]; }
  out(ev(${w}), ev());
  const indirect = eval;
  out(indirect('typeof out'), new Function('a', 'return a * 2')(${v}));
}`);

export const SNIPPETS = { arithmetic, closures, loops, finallies, shortCircuits, destructuring, spread, generators, getters, classes, switches, misc, asyncs, traps, names, thenables };
/** Snippets valid only in sloppy mode (`with`, direct eval declaring vars). */
export const SLOPPY_SNIPPETS = { withs, evals };

const tagged = (table: Record<string, fc.Arbitrary<string>>) => Object.entries(table).map(([kind, arb]) => arb.map((code): Snippet => ({ kind, code })));

export const programArb: fc.Arbitrary<Program> = fc.boolean().chain((strict) => fc.record({
  strict: fc.constant(strict),
  snippets: fc.array(fc.oneof(...tagged(SNIPPETS), ...(strict ? [] : tagged(SLOPPY_SNIPPETS))), { minLength: 1, maxLength: 4 }),
}));

/** The source of one program as a function expression. */
export function programSource(p: Program): string {
  return `function (out, pending) {\n${p.strict ? "  'use strict';\n" : ''}${p.snippets.map((x) => x.code).join('\n')}\n}`;
}

/** A batch file: runs every program in order and prints `#i ["line", ...]` for each. */
export function batchSource(programs: Program[]): string {
  return `// Generated by test/equivalence/programs.ts.
const programs = [];
${programs.map((p, i) => `programs[${i}] = ${programSource(p)};`).join('\n')}

function show(v, depth = 0, seen = new Set()) {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v + 'n';
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return 'fn ' + v.name;
  if (v === undefined || v === null || typeof v === 'boolean') return String(v);
  if (v instanceof Error) return v.name + ': ' + v.message;
  if (seen.has(v) || depth > 3) return '<cycle>';
  seen.add(v);
  let s;
  if (Array.isArray(v)) s = '[' + v.map((x) => show(x, depth + 1, seen)).join(', ') + ']';
  else if (v instanceof Map || v instanceof Set) s = v.constructor.name + show([...v], depth + 1, seen);
  else s = (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null ? '' : (v.constructor && v.constructor.name) + ' ') + '{' + Object.keys(v).map((k) => k + ': ' + show(v[k], depth + 1, seen)).join(', ') + '}';
  seen.delete(v);
  return s;
}

(async () => {
  for (let i = 0; i < programs.length; i++) {
    const lines = [];
    const out = (...vs) => { lines.push(vs.map((v) => show(v)).join(' ')); };
    const pending = [];
    try {
      programs[i](out, pending);
      await Promise.all(pending);
    } catch (e) {
      lines.push('threw ' + show(e));
    }
    process.stdout.write('#' + i + ' ' + JSON.stringify(lines) + '\\n');
  }
})();
`;
}
