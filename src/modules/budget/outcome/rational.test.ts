import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  add,
  compare,
  div,
  equals,
  fromDouble,
  gcd,
  max,
  min,
  mul,
  mulInt,
  neg,
  parseDecimal,
  parseRational,
  rational,
  sign,
  sub,
  sum,
  toDecimalString,
  toExactDecimal,
  toFractionString,
  toNumber,
  ZERO,
} from './rational.ts';

test('fractions are kept in lowest terms with a positive denominator', () => {
  assert.deepEqual(rational(6n, 8n), { n: 3n, d: 4n });
  assert.deepEqual(rational(6n, -8n), { n: -3n, d: 4n });
  assert.deepEqual(rational(-6, -8), { n: 3n, d: 4n });
  assert.deepEqual(rational(0n, -5n), { n: 0n, d: 1n });
  assert.deepEqual(rational(7), { n: 7n, d: 1n });
  assert.throws(() => rational(1n, 0n), RangeError);
  assert.throws(() => rational(0.5), RangeError, 'a float is not silently truncated');
  assert.equal(gcd(-12n, 18n), 6n);
  assert.equal(gcd(0n, 0n), 0n);
});

test('arithmetic is exact', () => {
  const third = rational(1n, 3n);
  const sixth = rational(1n, 6n);
  assert.ok(equals(add(third, sixth), rational(1n, 2n)));
  assert.ok(equals(sub(third, sixth), sixth));
  assert.ok(equals(mul(third, rational(3n, 5n)), rational(1n, 5n)));
  assert.ok(equals(div(third, sixth), rational(2n)));
  assert.ok(equals(mulInt(sixth, 4n), rational(2n, 3n)));
  assert.ok(equals(neg(third), rational(-1n, 3n)));
  assert.throws(() => div(third, ZERO), RangeError);
  // 0.1 + 0.2 is 0.3 here, unlike in floating point.
  assert.ok(equals(add(parseDecimal('0.1')!, parseDecimal('0.2')!), parseDecimal('0.3')!));
  // Ten thousand thirds add up to exactly 10000/3.
  assert.ok(equals(sum(Array.from({ length: 10000 }, () => third)), rational(10000n, 3n)));
  // Huge numbers stay exact.
  const big = rational(10n ** 40n + 1n, 10n ** 39n);
  assert.ok(equals(sub(mulInt(big, 10n ** 39n), rational(1n)), rational(10n ** 40n)));
});

test('comparison orders by value, whatever the denominators', () => {
  assert.equal(compare(rational(1n, 3n), rational(1n, 2n)), -1);
  assert.equal(compare(rational(2n, 4n), rational(1n, 2n)), 0);
  assert.equal(compare(rational(-1n, 2n), rational(-2n, 3n)), 1);
  assert.equal(compare(rational(10n ** 30n + 1n, 10n ** 30n), rational(1n)), 1);
  assert.ok(equals(min(rational(1n, 3n), rational(1n, 4n)), rational(1n, 4n)));
  assert.ok(equals(max(rational(1n, 3n), rational(1n, 4n)), rational(1n, 3n)));
  assert.equal(sign(rational(-3n, 7n)), -1);
  assert.equal(sign(ZERO), 0);
});

test('decimals are read exactly, with a point or a comma, and nothing else is a number', () => {
  assert.deepEqual(parseDecimal('2572946,76'), rational(257294676n, 100n));
  assert.deepEqual(parseDecimal('2572946.76'), rational(257294676n, 100n));
  assert.deepEqual(parseDecimal('400000.0'), rational(400000n));
  assert.deepEqual(parseDecimal('.5'), rational(1n, 2n));
  assert.deepEqual(parseDecimal('5.'), rational(5n));
  assert.deepEqual(parseDecimal('007'), rational(7n));
  assert.deepEqual(parseDecimal('-1.5', true), rational(-3n, 2n));
  for (const bad of ['', '.', '-', '-1.5', '1e5', '1 000', '1.000.000', '1,5,0', 'NaN', 'abc', '+3', '0x10', ' 1']) {
    assert.equal(parseDecimal(bad), null, bad);
  }
});

test('values print exactly, as decimals when they have one and as fractions otherwise', () => {
  assert.equal(toExactDecimal(rational(257294676n, 100n)), '2572946.76');
  assert.equal(toExactDecimal(rational(-1n, 8n)), '-0.125');
  assert.equal(toExactDecimal(rational(3n)), '3');
  assert.equal(toExactDecimal(rational(1n, 3n)), null);
  assert.equal(toFractionString(rational(-2n, 6n)), '-1/3');
  assert.equal(toFractionString(rational(4n)), '4');
  assert.deepEqual(parseRational('-1/3'), rational(-1n, 3n));
  assert.deepEqual(parseRational('12'), rational(12n));
  assert.throws(() => parseRational('1.5'), SyntaxError);
  assert.equal(toDecimalString(rational(2n, 3n), 4), '0.6667');
  assert.equal(toDecimalString(rational(-2n, 3n), 4), '-0.6667');
  assert.equal(toDecimalString(rational(1n, 8n), 2), '0.13', 'half away from zero');
  assert.equal(toDecimalString(rational(1n, 4n), 6), '0.25');
});

test('conversion to and from doubles is exact one way and within two ulps the other', () => {
  assert.deepEqual(fromDouble(0.1), rational(3602879701896397n, 36028797018963968n));
  assert.deepEqual(fromDouble(-2.5), rational(-5n, 2n));
  assert.equal(toNumber(rational(1n, 3n)), 1 / 3);
  const huge = rational(10n ** 400n + 7n, 3n * 10n ** 380n);
  const approx = toNumber(huge);
  assert.ok(Math.abs(approx - 1e20 / 3) <= 2 * Number.EPSILON * approx);
  const tiny = rational(1n, 10n ** 300n);
  assert.ok(Math.abs(toNumber(tiny) - 1e-300) <= 2 * Number.EPSILON * 1e-300);
});
