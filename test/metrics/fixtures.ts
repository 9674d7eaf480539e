import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Label } from '../../src/metrics/types.js';

/** Agreement required with scikit-learn: relative above 1, absolute below. */
export const TOLERANCE = 1e-9;

/** A value from the fixtures: `null` where scikit-learn raises or returns nan. */
export type Expected = number | null;

export interface ClassificationCase {
  name: string;
  yTrue: Label[];
  yPred: Label[];
  options: { yScore?: number[] | number[][]; classes?: Label[]; positiveLabel?: Label };
  expected: {
    classes: Label[];
    overall: Record<string, Expected>;
    perClass: { label: Label; precision: number; recall: number; f1: number; support: number }[];
    confusion: { labels: Label[]; counts: number[][] };
  };
}

export interface RegressionCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  expected: Record<string, Expected>;
}

interface FixtureFile<T> {
  sklearn: string;
  cases: T[];
}

function load<T>(name: string): FixtureFile<T> {
  const url = new URL(`../fixtures/metrics/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as FixtureFile<T>;
}

export const classificationFixtures = (): FixtureFile<ClassificationCase> =>
  load<ClassificationCase>('classification.json');
export const regressionFixtures = (): FixtureFile<RegressionCase> =>
  load<RegressionCase>('regression.json');

/** `actual` agrees with scikit-learn's `expected` (undefined where it is null). */
export function expectClose(actual: number | undefined, expected: Expected, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeUndefined();
    return;
  }
  expect(actual, what).toBeTypeOf('number');
  const error = Math.abs(actual! - expected);
  expect(
    error,
    `${what}: ${String(actual)} vs scikit-learn ${String(expected)}`,
  ).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(expected)));
}
