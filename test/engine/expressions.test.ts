import assert from 'node:assert/strict';
import type { RecordedValue } from '../../protocol/values';
import { parseHitCondition } from '../../adapter/engine/breaks';
import { readIdentifiers } from '../../adapter/engine/dataflow';
import { EvaluationError, evaluateExpression, isTruthy } from '../../adapter/engine/expression';
import { renderValue } from '../../adapter/engine/render';

const order: RecordedValue = { o: 7, c: 'Object', k: 'object', n: 3, p: [['id', 3], ['status', 'refunded'], ['tags', { o: 8, c: 'Array', k: 'array', n: 2, p: [['0', 'a'], ['1', 'b']] }]] };
const scope = (vars: Record<string, RecordedValue>) => ({ lookup: (name: string) => vars[name] });
const ev = (expr: string, vars: Record<string, RecordedValue> = { order, n: 4, s: 'hi', u: { u: 1 } }) => renderValue(evaluateExpression(expr, scope(vars)));

describe('expressions over recorded values', () => {
  it('reads names, members, indexes and lengths', () => {
    assert.equal(ev('order.id'), '3');
    assert.equal(ev('order["status"]'), '"refunded"');
    assert.equal(ev('order.tags[1]'), '"b"');
    assert.equal(ev('order.tags.length'), '2');
    assert.equal(ev('order.missing'), 'undefined');
    assert.equal(ev('u?.x'), 'undefined');
  });

  it('computes with operators, templates and pure built-ins', () => {
    assert.equal(ev('n * 2 + 1'), '9');
    assert.equal(ev('n > 3 && order.status === "refunded"'), 'true');
    assert.equal(ev('`#${order.id}: ${s}`'), '"#3: hi"');
    assert.equal(ev('Math.max(n, 10)'), '10');
    assert.equal(ev('s.toUpperCase()'), '"HI"');
    assert.equal(ev('order.tags.includes("a")'), 'true');
    assert.equal(ev('n / 0'), 'Infinity');
    assert.equal(ev('typeof order'), '"object"');
  });

  it('refuses anything that would run program code or change state', () => {
    for (const expr of ['order.save()', 'n = 5', 'n++', 'new Date()', '(() => 1)()', 'order + 1']) {
      assert.throws(() => ev(expr), EvaluationError, expr);
    }
    assert.throws(() => ev('missing'), /missing is not recorded at this time/);
    assert.throws(() => ev('n +'), /cannot parse/);
    assert.throws(() => ev('secret', { secret: { x: 'redacted' } }), /redacted/);
  });

  it('decides truthiness as JavaScript does', () => {
    assert.equal(isTruthy(0), false);
    assert.equal(isTruthy(''), false);
    assert.equal(isTruthy({ u: 1 }), false);
    assert.equal(isTruthy({ n: 'NaN' }), false);
    assert.equal(isTruthy(order), true);
    assert.equal(isTruthy({ b: '0' }), false);
  });
});

describe('hit conditions', () => {
  it('follows the DAP operators, a bare number meaning the Nth hit', () => {
    const hits = (text: string) => [1, 2, 3, 4, 5, 6].filter(parseHitCondition(text));
    assert.deepEqual(hits('3'), [3]);
    assert.deepEqual(hits('== 3'), [3]);
    assert.deepEqual(hits('>= 5'), [5, 6]);
    assert.deepEqual(hits('<2'), [1]);
    assert.deepEqual(hits('% 2'), [2, 4, 6]);
    assert.throws(() => parseHitCondition('sometimes'), /invalid hit condition/);
  });
});

describe('dataflow: what a statement reads', () => {
  it('separates the written variable from its inputs', () => {
    assert.deepEqual(readIdentifiers('balance -= charge;', 'balance'), ['balance', 'charge']);
    assert.deepEqual(readIdentifiers('const charge = order.amount - fee(order.amount);', 'charge'), ['order']);
    assert.deepEqual(readIdentifiers('let x: number = a ? b : c;', 'x'), ['a', 'b', 'c']);
    assert.deepEqual(readIdentifiers('const o = { a: y, "b": z };', 'o'), ['y', 'z']);
    assert.deepEqual(readIdentifiers('log("total = " + total)', ''), ['total']);
  });
});
