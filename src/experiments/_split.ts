/**
 * The seeded train/test split of `trainModel`: a pure function of (sample count, test fraction,
 * seed), bit for bit the same in every process and Node version, so that reproducing a run
 * trains and tests on exactly the samples the original did.
 */
import { createHash } from 'node:crypto';
import { sfc32 } from '../_sfc32.js';

/** Row numbers of the two parts, each in ascending order (the data set's own order). */
export interface Split {
  train: number[];
  test: number[];
}

/** How many samples of `count` go to the test part: at least one, and never all of them. */
export function testCount(count: number, testFraction: number): number {
  return Math.min(count - 1, Math.max(1, Math.round(count * testFraction)));
}

/**
 * Splits `count` samples (at least 2): a Fisher–Yates shuffle driven by sfc32 seeded from the
 * SHA-256 of the seed (Math.random cannot be seeded, and its algorithm may change between Node
 * versions), whose first `testCount` rows make the test part.
 */
export function seededSplit(count: number, testFraction: number, seed: number): Split {
  const random = splitRandom(seed);
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const cut = testCount(count, testFraction);
  const ascending = (a: number, b: number) => a - b;
  return { test: order.slice(0, cut).sort(ascending), train: order.slice(cut).sort(ascending) };
}

/** The split's random stream: sfc32 seeded from SHA-256 of the seed's label. */
function splitRandom(seed: number): () => number {
  const state = createHash('sha256').update(`ml-tracking split:${seed}`, 'utf8').digest();
  return sfc32(
    [0, 4, 8, 12].map((at) => state.readUInt32LE(at)) as [number, number, number, number],
  );
}
