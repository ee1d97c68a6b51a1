import assert from 'node:assert/strict';
import { Snapshotter } from '../../runtime/snapshot';
import { redactRegex, DEFAULT_REDACT } from '../../runtime/options';
import type { RecordedValue } from '../../protocol/values';

function snapper(over: Partial<{ maxDepth: number; maxKeys: number; maxString: number }> = {}) {
  return new Snapshotter({ maxDepth: 2, maxKeys: 100, maxString: 1000, redact: redactRegex(DEFAULT_REDACT), ...over });
}
function enc(v: unknown, s = snapper()): RecordedValue {
  return JSON.parse(s.encode(v)) as RecordedValue;
}

describe('runtime snapshot: values without running program code', () => {
  it('never invokes getters, setters, toString/valueOf/toJSON/Symbol.toPrimitive', () => {
    const calls: string[] = [];
    const o = {
      plain: 1,
      get g() { calls.push('getter'); return 1; },
      set g2(_v: number) { calls.push('setter'); },
      toString() { calls.push('toString'); return 'x'; },
      valueOf() { calls.push('valueOf'); return 1; },
      toJSON() { calls.push('toJSON'); return {}; },
      [Symbol.toPrimitive]() { calls.push('toPrimitive'); return 1; },
    };
    const r = enc(o) as { p: Array<[unknown, unknown]> };
    assert.deepEqual(calls, []);
    const byKey = new Map(r.p.map(([k, v]) => [JSON.stringify(k), v]));
    assert.equal(byKey.get('"plain"'), 1);
    assert.deepEqual(byKey.get('"g"'), { t: 1, a: 1 });
    assert.deepEqual(byKey.get('"g2"'), { t: 1, a: 2 }, 'a setter with no getter');
    assert.deepEqual(byKey.get('"toString"'), { f: 'toString', o: 2 });
    assert.deepEqual(byKey.get(JSON.stringify({ y: 'Symbol.toPrimitive' })), { f: '[Symbol.toPrimitive]', o: 5 });
  });

  it('tells an assignment a setter on the prototype chain took from a plain write, running no code', () => {
    const s = snapper();
    let ran = 0;
    class Temp { c = 0; set f(v: number) { ran++; this.c = v; } get f(): number { ran++; return this.c; } }
    const t = new Temp();
    t.f = 5;
    ran = 0;
    assert.equal(s.tookSetter(t, 'f'), true, 'a class setter');
    assert.equal(s.tookSetter(t, 'c'), false, 'an own data property');
    assert.equal(s.tookSetter(Object.create({ n: 1 }), 'n'), false, 'an inherited data property (the write would have made it own)');
    assert.equal(s.tookSetter({}, '__proto__'), true, 'Object.prototype.__proto__');
    assert.equal(s.tookSetter({ set own(_v: number) { ran++; } }, 'own'), false, 'an own accessor is the object\'s own property');
    const trap = () => { ran++; throw new Error('trap'); };
    const proxy = new Proxy({}, { getOwnPropertyDescriptor: trap, has: trap, getPrototypeOf: trap });
    assert.equal(s.tookSetter(proxy, 'x'), false);
    assert.equal(s.tookSetter(Object.create(proxy), 'x'), false, 'a proxy on the chain is not asked');
    assert.equal(ran, 0, 'no getter, setter or trap ran');
  });

  it('does not trip a Proxy whose every trap throws, nor a revoked proxy', () => {
    const handler = new Proxy({}, { get(_t, name) { return () => { throw new Error(`trap ${String(name)}`); }; } });
    const p = new Proxy({ a: 1 }, handler);
    assert.deepEqual(enc(p), { o: 1, c: 'Proxy', k: 'proxy', p: [], n: 0 });
    const fp = new Proxy(function f() { /* */ }, handler);
    assert.deepEqual(enc(fp), { f: '', o: 1 });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.deepEqual(enc(proxy), { o: 1, c: 'Proxy', k: 'proxy', p: [], n: 0 });
    // A proxy as a prototype, as a constructor, and inside an object.
    const child = Object.create(p) as object;
    assert.deepEqual(enc({ child, p }), {
      o: 1, c: 'Object', k: 'object', n: 2,
      p: [['child', { o: 2, c: 'Object', k: 'object', p: [], n: 0 }], ['p', { o: 3, c: 'Proxy', k: 'proxy', p: [], n: 0 }]],
    });
  });

  it('reads class names from data properties only, and ignores monkey-patched builtins', () => {
    class Invoice { total = 3; }
    assert.deepEqual(enc(new Invoice()), { o: 1, c: 'Invoice', k: 'object', p: [['total', 3]], n: 1 });
    class Weird { static get name() { throw new Error('name getter'); } }
    assert.equal((enc(new Weird()) as { c: string }).c, 'Object');
    const noProto = Object.create(null) as Record<string, number>;
    noProto.a = 1;
    assert.deepEqual(enc(noProto), { o: 1, c: 'Object', k: 'object', p: [['a', 1]], n: 1 });
    const saved = [Object.keys, Map.prototype.entries, Array.prototype.push, Object.getOwnPropertyDescriptor, JSON.stringify];
    try {
      Object.keys = () => { throw new Error('patched'); };
      Map.prototype.entries = () => { throw new Error('patched'); };
      Array.prototype.push = () => { throw new Error('patched'); };
      Object.getOwnPropertyDescriptor = () => { throw new Error('patched'); };
      JSON.stringify = () => { throw new Error('patched'); };
      assert.deepEqual(enc(new Map([['k', 1]])), { o: 1, c: 'Map', k: 'map', p: [['k', 1]], n: 1 });
    } finally {
      const o = Object as unknown as Record<string, unknown>, mp = Map.prototype as unknown as Record<string, unknown>;
      const ap = Array.prototype as unknown as Record<string, unknown>, j = JSON as unknown as Record<string, unknown>;
      o.keys = saved[0]; mp.entries = saved[1]; ap.push = saved[2]; o.getOwnPropertyDescriptor = saved[3]; j.stringify = saved[4];
    }
  });

  it('encodes cycles and shared objects as references, and limits depth', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    assert.deepEqual(enc(a), { o: 1, c: 'Object', k: 'object', n: 2, p: [['name', 'a'], ['self', { r: 1, c: 'Object' }]] });
    const deep = { l1: { l2: { l3: 1 } } };
    assert.deepEqual(enc(deep), { o: 1, c: 'Object', k: 'object', n: 1, p: [['l1', { o: 2, c: 'Object', k: 'object', n: 1, p: [['l2', { r: 3, c: 'Object' }]] }]] });
    const s = snapper();
    const shared = { x: 1 };
    const first = enc({ a: shared, b: shared }, s) as { p: Array<[string, RecordedValue]> };
    assert.deepEqual(first.p[1][1], { r: 2, c: 'Object' });
    // Stable ids across snapshots.
    assert.deepEqual(enc(shared, s), { o: 2, c: 'Object', k: 'object', n: 1, p: [['x', 1]] });
  });

  it('Map, Set, arrays (holes, truncation), typed arrays', () => {
    class MyMap extends Map<unknown, unknown> { override entries(): never { throw new Error('overridden'); } }
    const m = new MyMap();
    m.set({ k: 1 }, 'v'); m.set('password', 'x');
    assert.deepEqual(enc(m), { o: 1, c: 'MyMap', k: 'map', n: 2, p: [[{ o: 2, c: 'Object', k: 'object', n: 1, p: [['k', 1]] }, 'v'], ['password', { x: 'redacted' }]] });
    assert.deepEqual(enc(new Set(['a', 2])), { o: 1, c: 'Set', k: 'set', n: 2, p: [[0, 'a'], [1, 2]] });
    // eslint-disable-next-line no-sparse-arrays
    assert.deepEqual(enc([1, , 3]), { o: 1, c: 'Array', k: 'array', n: 3, p: [['0', 1], ['2', 3]] });
    const big = Array.from({ length: 500 }, (_, i) => i);
    const r = enc(big, snapper({ maxKeys: 3 }));
    assert.deepEqual(r, { o: 1, c: 'Array', k: 'array', n: 500, p: [['0', 0], ['1', 1], ['2', 2]] });
    assert.deepEqual(enc(new Uint8Array([1, 2])), { o: 1, c: 'Uint8Array', k: 'typedarray', n: 2, p: [['0', 1], ['1', 2]] });
    assert.deepEqual(enc(new Float64Array([NaN, -0])), { o: 1, c: 'Float64Array', k: 'typedarray', n: 2, p: [['0', { n: 'NaN' }], ['1', { n: '-0' }]] });
    assert.deepEqual(enc(new BigInt64Array([5n])), { o: 1, c: 'BigInt64Array', k: 'typedarray', n: 1, p: [['0', { b: '5' }]] });
    const manyKeys = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    assert.deepEqual(enc(manyKeys, snapper({ maxKeys: 2 })), { o: 1, c: 'Object', k: 'object', n: 10, p: [['k0', 0], ['k1', 1]] });
  });

  it('BigInt, symbols, functions, Date, RegExp, Error, primitives', () => {
    assert.deepEqual(enc(123n), { b: '123' });
    assert.deepEqual(enc(Symbol('desc')), { y: 'desc' });
    assert.deepEqual(enc(Symbol()), { y: '' });
    function namedFn() { /* */ }
    assert.deepEqual(enc(namedFn), { f: 'namedFn', o: 1 });
    const d = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
    (d as unknown as { toISOString: () => string }).toISOString = () => { throw new Error('patched'); };
    assert.deepEqual(enc(d), { o: 1, c: 'Date', k: 'date', n: 1, p: [['toISOString', { f: '', o: 2 }]], d: '2020-01-02T03:04:05.000Z' });
    assert.deepEqual(enc(new Date(NaN)), { o: 1, c: 'Date', k: 'date', n: 0, p: [], d: 'Invalid Date' });
    // The text is cached by time value: a Date changed in place, or another with a colliding slot, shows its own time.
    const same = snapper();
    const moving = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
    assert.equal((enc(moving, same) as { d: string }).d, '2020-01-02T03:04:05.000Z');
    moving.setTime(moving.getTime() + 256);
    assert.equal((enc(moving, same) as { d: string }).d, '2020-01-02T03:04:05.256Z');
    assert.equal((enc(new Date(moving.getTime() - 256 * 1000), same) as { d: string }).d, '2020-01-02T02:59:49.256Z');
    assert.equal((enc(new Date(-1), same) as { d: string }).d, '1969-12-31T23:59:59.999Z');
    assert.equal((enc(new Date(8.64e15), same) as { d: string }).d, '+275760-09-13T00:00:00.000Z');
    const re = /a+b/gi;
    Object.defineProperty(re, 'flags', { get() { throw new Error('flags getter'); } });
    assert.deepEqual(enc(re), { o: 1, c: 'RegExp', k: 'regexp', n: 0, p: [], d: '/a+b/gi' });
    const err = new RangeError('bad range');
    (err as unknown as { code: string }).code = 'E_X';
    const prev = Error.prepareStackTrace;
    let formatted = false;
    Error.prepareStackTrace = () => { formatted = true; return 'x'; };
    try {
      assert.deepEqual(enc(err), { o: 1, c: 'RangeError', k: 'error', n: 1, p: [['code', 'E_X']], d: 'bad range' });
    } finally { Error.prepareStackTrace = prev; }
    assert.equal(formatted, false, 'the lazy stack must not be formatted');
    // An error's name as Error.prototype.toString (and so the head of its stack) reads it.
    class ValidationError extends Error { field = 'id'; }
    assert.deepEqual(enc(new ValidationError('bad id')), { o: 1, c: 'ValidationError', k: 'error', n: 1, p: [['field', 'id']], d: 'bad id', e: 'Error' });
    class NamedError extends Error { constructor(m: string) { super(m); this.name = 'NamedError'; } }
    assert.deepEqual(enc(new NamedError('x')), { o: 1, c: 'NamedError', k: 'error', n: 1, p: [['name', 'NamedError']], d: 'x' });
    class ProtoNamed extends Error {}
    (ProtoNamed.prototype as { name: string }).name = 'Proto';
    assert.deepEqual(enc(new ProtoNamed('y')), { o: 1, c: 'ProtoNamed', k: 'error', n: 0, p: [], d: 'y', e: 'Proto' });
    class GetterNamed extends Error { override get name(): string { throw new Error('name getter'); } }
    assert.deepEqual(enc(new GetterNamed('z')), { o: 1, c: 'GetterNamed', k: 'error', n: 0, p: [], d: 'z' }, 'an accessor name is not read: the class name stands');
    assert.deepEqual(enc(undefined), { u: 1 });
    assert.deepEqual(enc(NaN), { n: 'NaN' });
    assert.deepEqual(enc(-Infinity), { n: '-Infinity' });
    assert.equal(enc(2.5), 2.5);
    assert.equal(enc('x'.repeat(10), snapper({ maxString: 4 })), 'xxxx\u2026');
    assert.equal(enc('abc\u{1F600}z', snapper({ maxString: 4 })), 'abc\u2026'); // never half a surrogate pair
    assert.deepEqual(enc(Promise.resolve(1)), { o: 1, c: 'Promise', k: 'promise', n: 0, p: [] });
    assert.deepEqual(enc(new WeakMap()), { o: 1, c: 'WeakMap', k: 'other', n: 0, p: [] });
  });

  it('redacts secret-looking keys (defaults, case-insensitive)', () => {
    const r = enc({ user: 'bob', Password: 'p', apiKey: 'k', api_key: 'k', Authorization: 'Bearer', sessionId: 's', nested: { secretThing: 1 } });
    assert.deepEqual(r, {
      o: 1, c: 'Object', k: 'object', n: 7,
      p: [['user', 'bob'], ['Password', { x: 'redacted' }], ['apiKey', { x: 'redacted' }], ['api_key', { x: 'redacted' }],
        ['Authorization', { x: 'redacted' }], ['sessionId', { x: 'redacted' }],
        ['nested', { o: 2, c: 'Object', k: 'object', n: 1, p: [['secretThing', { x: 'redacted' }]] }]],
    });
    const none = new Snapshotter({ maxDepth: 2, maxKeys: 100, maxString: 100, redact: redactRegex([]) });
    assert.deepEqual(JSON.parse(none.encode({ password: 1 })), { o: 1, c: 'Object', k: 'object', n: 1, p: [['password', 1]] });
  });

  it('module namespace objects and objects with throwing descriptors do not throw', () => {
    const target = {};
    // A non-proxy object cannot throw on descriptor reads; a huge key count is bounded.
    const big: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) big[`k${i}`] = i;
    const r = enc(big, snapper({ maxKeys: 1 })) as { n: number; p: unknown[] };
    assert.equal(r.n, 5000);
    assert.equal(r.p.length, 1);
    void target;
  });

  it('a string longer than maxRead (64 Ki units, or 16 * maxString) is truncated without being read', () => {
    const s = snapper();
    assert.equal(s.maxRead, 65536);
    const fits = 'y'.repeat(65536), huge = fits + 'z';
    assert.equal(s.encode(fits), JSON.stringify('y'.repeat(1000) + '\u2026'));
    assert.deepEqual(enc(huge, s), { t: 1 });
    assert.deepEqual((enc({ huge }, s) as { p: unknown[] }).p, [['huge', { t: 1 }]]);
    assert.equal(s.clip(huge), '\u2026');
    assert.equal(snapper({ maxString: 10000 }).maxRead, 160000);
  });

  it('long strings (remembered quoting) and secret keys (one cache with key quoting) encode as before', () => {
    const s = snapper();
    const base = 'a"b\\c\u2028'.repeat(40); // > 256 chars, needs escaping
    const variants = [0, 1, 2, 3, 4, 5].map((i) => base.slice(0, -1) + String(i)); // same length, differ at the end
    for (let round = 0; round < 3; round++) {
      for (const v of [...variants, base, base + 'x'.repeat(2000)]) {
        assert.equal(s.encode(v), JSON.stringify(v.length > 1000 ? v.slice(0, 1000) + '\u2026' : v));
        const holder = { v };
        const text = s.encode(holder);
        assert.equal(text, `{"o":${(JSON.parse(text) as { o: number }).o},"c":"Object","k":"object","p":[["v",${JSON.stringify(v.length > 1000 ? v.slice(0, 1000) + '\u2026' : v)}]],"n":1}`);
      }
    }
    for (let round = 0; round < 2; round++) {
      const r = enc({ password: 'x', 'a"b': 1, token: { t: 1 }, [Symbol('k')]: 2 }, s) as { p: Array<[unknown, unknown]> };
      assert.deepEqual(r.p, [['password', { x: 'redacted' }], ['a"b', 1], ['token', { x: 'redacted' }], [{ y: 'k' }, 2]]);
    }
  });

  it('an object seen again in the same snapshot is a reference, also past the first 32 objects', () => {
    const s = snapper({ maxDepth: 3 });
    const shared = { s: 1 };
    const rows = Array.from({ length: 60 }, (_, i) => ({ i, sh: i === 0 || i === 50 ? shared : { x: i } }));
    for (let round = 0; round < 2; round++) {
      const r = enc(rows, s) as { p: Array<[string, { p: Array<[string, unknown]> }]> };
      const first = r.p[0]![1].p[1]![1] as { o: number; k?: string };
      const later = r.p[50]![1].p[1]![1] as { r?: number; k?: string };
      assert.equal(first.k, 'object');
      assert.deepEqual(later, { r: first.o, c: 'Object' });
      assert.equal((r.p[40]![1].p[1]![1] as { k?: string }).k, 'object');
      // The next snapshot starts with nothing seen.
      assert.equal((enc(shared, s) as { k?: string }).k, 'object');
    }
  });
});
