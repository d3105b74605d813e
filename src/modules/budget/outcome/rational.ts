// Exact rational numbers on BigInt, as plain functions over a frozen {n, d} pair.
//
// Why not floats: a participatory budget is decided by comparisons such as "does this project
// still fit?" or "which price per vote is the lowest?". A float rounding the wrong way changes
// the winners, and a citizen recomputing the result must get the same answer. Every value a
// rule decides on is therefore exact; floats are only used as a fast guess that is then
// certified (see mes.ts).
//
// Invariant of every Rational built here: d > 0 and gcd(|n|, d) = 1, so equal numbers have
// equal fields and `equals` can compare fields.

export type Rational = { readonly n: bigint; readonly d: bigint };

export const ZERO: Rational = Object.freeze({ n: 0n, d: 1n });
export const ONE: Rational = Object.freeze({ n: 1n, d: 1n });

function absBig(x: bigint): bigint {
  return x < 0n ? -x : x;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = absBig(a);
  b = absBig(b);
  while (b !== 0n) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/** n/d reduced to lowest terms; throws on a zero denominator. */
export function rational(n: bigint | number, d: bigint | number = 1n): Rational {
  let num = typeof n === 'number' ? integerToBigInt(n) : n;
  let den = typeof d === 'number' ? integerToBigInt(d) : d;
  if (den === 0n) throw new RangeError('Division by zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  if (den === 1n) return Object.freeze({ n: num, d: 1n });
  const g = gcd(num, den);
  return g === 1n ? Object.freeze({ n: num, d: den }) : Object.freeze({ n: num / g, d: den / g });
}

function integerToBigInt(x: number): bigint {
  if (!Number.isSafeInteger(x)) throw new RangeError(`Not a safe integer: ${x}`);
  return BigInt(x);
}

export function fromBigInt(n: bigint): Rational {
  return Object.freeze({ n, d: 1n });
}

export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return rational(a.n + b.n, a.d);
  return rational(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function sub(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return rational(a.n - b.n, a.d);
  return rational(a.n * b.d - b.n * a.d, a.d * b.d);
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.n * b.n, a.d * b.d);
}

export function mulInt(a: Rational, k: bigint): Rational {
  return rational(a.n * k, a.d);
}

export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('Division by zero');
  return rational(a.n * b.d, a.d * b.n);
}

export function neg(a: Rational): Rational {
  return Object.freeze({ n: -a.n, d: a.d });
}

export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function equals(a: Rational, b: Rational): boolean {
  return a.n === b.n && a.d === b.d;
}

export function sign(a: Rational): -1 | 0 | 1 {
  return a.n < 0n ? -1 : a.n > 0n ? 1 : 0;
}

export function isZero(a: Rational): boolean {
  return a.n === 0n;
}

export function isInteger(a: Rational): boolean {
  return a.d === 1n;
}

export function min(a: Rational, b: Rational): Rational {
  return compare(a, b) <= 0 ? a : b;
}

export function max(a: Rational, b: Rational): Rational {
  return compare(a, b) >= 0 ? a : b;
}

export function sum(values: Iterable<Rational>): Rational {
  let total = ZERO;
  for (const v of values) total = add(total, v);
  return total;
}

/** "n" for integers, "n/d" otherwise: exact, and what `parseRational` reads back. */
export function toFractionString(a: Rational): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}

export function parseRational(text: string): Rational {
  const match = /^(-?\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!match) throw new SyntaxError(`Not a rational number: ${JSON.stringify(text)}`);
  return rational(BigInt(match[1]!), match[2] === undefined ? 1n : BigInt(match[2]));
}

/**
 * The exact decimal expansion when there is one (the denominator has no prime factor other
 * than 2 and 5), else null. Costs and budgets read from decimals always have one.
 */
export function toExactDecimal(a: Rational): string | null {
  let d = a.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d !== 1n) return null;
  const digits = Math.max(twos, fives);
  const scaled = (a.n * 10n ** BigInt(digits)) / a.d;
  return formatScaled(scaled, digits);
}

function formatScaled(scaled: bigint, digits: number): string {
  const negative = scaled < 0n;
  const text = absBig(scaled).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A decimal rendering for people, rounded half away from zero to `digits` places, trailing
 * zeros removed. Display only: decisions never use it.
 */
export function toDecimalString(a: Rational, digits = 6): string {
  const exact = toExactDecimal(a);
  if (exact !== null && (exact.split('.')[1]?.length ?? 0) <= digits) return exact;
  const scale = 10n ** BigInt(digits);
  const numerator = absBig(a.n) * scale * 2n + a.d;
  const rounded = numerator / (2n * a.d);
  return formatScaled(a.n < 0n ? -rounded : rounded, digits);
}

/**
 * Reads a plain decimal: digits, optionally one decimal separator ('.' or, as in many
 * European files, ',') and more digits; an optional leading minus when `allowNegative`.
 * Returns null for anything else (exponents, thousands separators, spaces, "NaN"…), so the
 * caller can report where the bad number was.
 */
export function parseDecimal(text: string, allowNegative = false): Rational | null {
  const match = /^(-?)(\d*)(?:[.,](\d*))?$/.exec(text);
  if (!match) return null;
  const negative = match[1] === '-';
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  if (whole === '' && fraction === '') return null;
  if (negative && !allowNegative) return null;
  const digits = `${whole}${fraction}`;
  const n = BigInt(digits === '' ? '0' : digits);
  const value = rational(negative ? -n : n, 10n ** BigInt(fraction.length));
  return value;
}

/** The exact value of a finite double (doubles are dyadic rationals). */
export function fromDouble(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`Not a finite number: ${x}`);
  if (Number.isInteger(x)) return fromBigInt(BigInt(x));
  let exponent = 0;
  let mantissa = x;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    exponent++;
  }
  return rational(BigInt(mantissa), 1n << BigInt(exponent));
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * The nearest double, within two units in the last place. Used to seed the floating-point
 * search and for display; exactness never depends on it.
 */
export function toNumber(a: Rational): number {
  const absN = absBig(a.n);
  if (absN <= 9007199254740991n && a.d <= 9007199254740991n) return Number(a.n) / Number(a.d);
  // Keep about 64 significant bits of the quotient, then scale back by a power of two.
  const shift = bitLength(a.d) - bitLength(absN) + 64;
  const quotient = shift >= 0 ? (absN << BigInt(shift)) / a.d : absN / a.d >> BigInt(-shift);
  const value = scaleByPowerOfTwo(Number(quotient), -shift);
  return a.n < 0n ? -value : value;
}

// 2 ** e alone overflows or underflows long before x * 2 ** e does; step in safe chunks.
function scaleByPowerOfTwo(x: number, e: number): number {
  let value = x;
  let remaining = e;
  while (remaining > 1000) {
    value *= 2 ** 1000;
    remaining -= 1000;
  }
  while (remaining < -1000) {
    value *= 2 ** -1000;
    remaining += 1000;
  }
  return value * 2 ** remaining;
}
