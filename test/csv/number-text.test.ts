import { describe, expect, it } from 'vitest';
import { NUMBER_TEXT_MAX_BYTES, writeNumberText } from '../../src/csv/number-text.js';

// The data contract: every number in a table is String(value), byte for byte.
const bytes = new Uint8Array(64);
const written = (value: number) =>
  Buffer.from(bytes.subarray(0, writeNumberText(bytes, 0, value))).toString('latin1');

/** Values whose text differs from String(value), at most 10 (an empty list is a pass). */
function mismatches(values: Iterable<number>): string[] {
  const wrong: string[] = [];
  for (const value of values) {
    if (written(value) !== String(value) && wrong.length < 10) {
      wrong.push(`${String(value)} written as ${written(value)}`);
    }
  }
  return wrong;
}

// Deterministic, so that a failure can be replayed.
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next32 = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0);
  };
  return { next32, unit: () => next32() / 2 ** 32 };
}

const words = new Uint32Array(2);
const fromBits = (high: number, low: number) => {
  words[0] = low;
  words[1] = high;
  return new Float64Array(words.buffer)[0]!;
};
/** The double `steps` representable values away from `value` (positive values only). */
function nextDoubles(value: number, steps: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(steps));
  return view.getFloat64(0);
}

function* edgeValues(): Generator<number> {
  const plain = [
    0,
    -0,
    Number.NaN,
    Infinity,
    -Infinity,
    5e-324,
    2.2250738585072014e-308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    1e-7,
    1e-6,
    1.0000000000000002e-6,
    1e15,
    999999999999999.9,
    1e15 + 0.5,
    1e16,
    1e17,
    1e20,
    1e21,
    1e21 + 2 ** 20,
    1e22,
    2 ** 52,
    2 ** 52 + 0.5,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    0.1,
    0.2,
    0.3,
    0.1 + 0.2,
    1 / 3,
    2 / 3,
    Math.PI,
    Math.E,
    4.35,
    0.5,
    1.5,
    2.5,
    9.5,
    0.95,
    123456789012345.6,
    0.000001234567890123456,
  ];
  for (const value of plain) {
    yield value;
    yield -value;
  }
  // Around powers of two (the rounding interval is lopsided there) and of ten.
  for (let exponent = -1074; exponent <= 1023; exponent += 1) {
    for (let steps = -2; steps <= 2; steps += 1) yield nextDoubles(2 ** exponent, steps);
  }
  for (let exponent = -30; exponent <= 30; exponent += 1) {
    for (let steps = -2; steps <= 2; steps += 1) yield nextDoubles(10 ** exponent, steps);
  }
}

describe('writeNumberText', () => {
  it('writes what String(value) writes for ±0, NaN, ±Infinity, subnormals, integers, 1e21 and up, below 1e-6, and around powers of two and ten', () => {
    expect(mismatches(edgeValues())).toEqual([]);
  });

  it('writes what String(value) writes for 200,000 doubles of every bit pattern', () => {
    const random = randomSource(1);
    const values = function* () {
      for (let index = 0; index < 2e5; index += 1) yield fromBits(random.next32(), random.next32());
    };
    expect(mismatches(values())).toEqual([]);
  });

  it('writes what String(value) writes for 400,000 values such as models predict (1e-6 to 1e15, and their differences)', () => {
    const random = randomSource(2);
    const values = function* () {
      for (let index = 0; index < 1e5; index += 1) {
        const actual = random.unit() * 10 ** Math.floor(random.unit() * 24 - 8);
        const predicted = actual + (random.unit() - 0.5) * actual;
        yield actual;
        yield predicted;
        yield predicted - actual;
        yield -actual;
      }
    };
    expect(mismatches(values())).toEqual([]);
  });

  it('writes what String(value) writes for short decimals and the doubles next to them', () => {
    const random = randomSource(3);
    const values = function* () {
      for (let index = 0; index < 5e4; index += 1) {
        const digits = Math.floor(random.unit() * 1e6) + 1;
        const exponent = Math.floor(random.unit() * 26) - 12;
        const value = exponent >= 0 ? digits * 10 ** exponent : digits / 10 ** -exponent;
        for (let steps = -2; steps <= 2; steps += 1) yield nextDoubles(value, steps);
      }
    };
    expect(mismatches(values())).toEqual([]);
  });

  it('never writes more than NUMBER_TEXT_MAX_BYTES', () => {
    for (const value of [-0.0000012345678901234567, -1.7976931348623157e308, -(2 ** 53)]) {
      expect(writeNumberText(bytes, 0, value)).toBeLessThanOrEqual(NUMBER_TEXT_MAX_BYTES);
    }
    expect(String(-0.0000012345678901234567)).toHaveLength(NUMBER_TEXT_MAX_BYTES);
  });
});
