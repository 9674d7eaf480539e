import { describe, expect, it } from 'vitest';
import { downsampleSeries } from '../../src/runs/downsample.js';
import type { ScalarSeries } from '../../src/runs/scalar-table.js';

/** A series of `length` points at steps 0, 1, 2…, its values from `valueAt`. */
function series(length: number, valueAt: (index: number) => number): ScalarSeries {
  const step = new Float64Array(length);
  const value = new Float64Array(length);
  const wallTime = new Float64Array(length);
  for (let index = 0; index < length; index += 1) {
    step[index] = index;
    value[index] = valueAt(index);
    wallTime[index] = 1_800_000_000_000 + index * 10;
  }
  return { step, value, wallTime };
}

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const noise = (seed: number) => {
  const next = random(seed);
  return () => next() - 0.5;
};

/** The lowest and highest value, by a loop: a million arguments would overflow the stack. */
const extremes = (values: Float64Array) => [
  values.reduce((low, value) => Math.min(low, value), Infinity),
  values.reduce((high, value) => Math.max(high, value), -Infinity),
];

describe('downsampleSeries', () => {
  it('keeps a single spike of 1e9 in a million points of noise', () => {
    const next = noise(1);
    const input = series(1_000_000, (index) => (index === 612_345 ? 1e9 : next()));
    const output = downsampleSeries(input, 2000);
    expect([...output.value]).toContain(1e9);
    expect(output.step[output.value.indexOf(1e9)]).toBe(612_345);
  });

  it('keeps at most maxPoints points, the first and last, and the extremes, in step order', () => {
    for (const [length, maxPoints, seed] of [
      [1_000_000, 2000, 2],
      [10_001, 2, 3],
      [10_001, 3, 4],
      [10_001, 7, 5],
      [5000, 4999, 6],
      [3, 2, 7],
    ] as const) {
      const next = noise(seed);
      const input = series(length, () => next());
      // Steps with gaps, so that some buckets are empty and others crowded.
      for (let index = 0; index < length; index += 1) input.step[index] = index * index;
      const output = downsampleSeries(input, maxPoints);
      expect(output.step.length).toBeLessThanOrEqual(maxPoints);
      expect(output.value.length).toBe(output.step.length);
      expect(output.wallTime.length).toBe(output.step.length);
      expect(output.step[0]).toBe(input.step[0]);
      expect(output.step.at(-1)).toBe(input.step.at(-1));
      expect(output.value.at(-1)).toBe(input.value.at(-1));
      // Below 4 points there is no room for the extremes beside the first and last point.
      if (maxPoints >= 4) expect(extremes(output.value)).toEqual(extremes(input.value));
      else expect(output.step.length).toBe(2);
      for (let index = 1; index < output.step.length; index += 1) {
        expect(output.step[index]).toBeGreaterThan(output.step[index - 1]!);
      }
      // Every point kept is a point of the series, whole.
      for (let index = 0; index < output.step.length; index += 1) {
        const at = Math.sqrt(output.step[index]!);
        expect(output.value[index]).toBe(input.value[at]);
        expect(output.wallTime[index]).toBe(input.wallTime[at]);
      }
    }
  });

  it('fills its bound when every bucket holds points: two per bucket, plus first and last', () => {
    const next = noise(8);
    const output = downsampleSeries(
      series(100_000, () => next()),
      1000,
    );
    expect(output.step.length).toBe(1000);
  });

  it('keeps one point where a bucket has the same lowest and highest point', () => {
    const output = downsampleSeries(
      series(101, () => 1),
      10,
    );
    // 4 buckets of one value each, plus the first and last point.
    expect(output.step.length).toBe(6);
    expect([...output.value]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('gives back a series of maxPoints points or fewer as it is', () => {
    const input = series(2000, (index) => index);
    expect(downsampleSeries(input, 2000)).toBe(input);
    expect(downsampleSeries(input, 5000)).toBe(input);
    const empty = series(0, () => 0);
    expect(downsampleSeries(empty, 2)).toBe(empty);
  });

  it('keeps every step the same within its bound, and NaN only when nothing else is there', () => {
    const input = series(1000, (index) => (index % 2 === 0 ? Number.NaN : index));
    input.step.fill(7);
    const output = downsampleSeries(input, 100);
    expect(output.step.length).toBeLessThanOrEqual(100);
    expect([...output.value.subarray(1, -1)]).toEqual([1, 997]);
  });

  it('rejects a maxPoints below 2 or not an integer', () => {
    const input = series(10, (index) => index);
    for (const maxPoints of [1, 0, -5, 2.5, Number.NaN, Infinity]) {
      expect(() => downsampleSeries(input, maxPoints)).toThrow(RangeError);
    }
  });
});
