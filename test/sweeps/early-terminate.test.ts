import { describe, expect, it } from 'vitest';
import {
  bracketOf,
  decideTermination,
  decisionPoint,
  explainStop,
} from '../../src/sweeps/early-terminate.js';
import type { EarlyTerminateConfig } from '../../src/sweeps/sweep-config.js';
import { rungValues, type TrialProgress } from '../../src/sweeps/sweep-progress.js';

const hyperband: EarlyTerminateConfig = { type: 'hyperband', minIter: 3, eta: 3, maxIter: 27 };
const median: EarlyTerminateConfig = { type: 'median', minIter: 2 };

describe('decision points', () => {
  it('puts hyperband rungs at min_iter × eta^k reports, up to max_iter', () => {
    const rungs = Array.from({ length: 100 }, (_, step) => [step, decisionPoint(hyperband, step)]);
    expect(rungs.filter(([, rung]) => rung !== undefined)).toEqual([
      [3, 0],
      [9, 1],
      [27, 2],
    ]);
  });

  it('has the median rule look every min_iter reports, from min_iter on', () => {
    const points = [1, 2, 3, 4, 6].map((step) => decisionPoint(median, step));
    expect(points).toEqual([undefined, 0, undefined, 1, 2]);
  });
});

describe('hyperband (asynchronous successive halving)', () => {
  const decide = (own: number, others: number[], step = 9, goal: 'max' | 'min' = 'max') =>
    decideTermination(hyperband, goal, 'Accuracy', step, own, others);

  it('keeps every trial while fewer than eta trials reached the rung: no top 1/eta yet', () => {
    expect(decide(0.1, [])).toEqual({ stop: false });
    expect(decide(0.3, [0.4])).toEqual({ stop: false });
    expect(decide(0.3, [0.4, 0.5]).stop).toBe(true);
  });

  it('keeps the top 1/eta of the values recorded at the rung, this trial included', () => {
    const others = [0.9, 0.8, 0.7, 0.6, 0.5]; // with this one, 6 trials: the top 2 continue
    expect(decide(0.85, others)).toEqual({ stop: false });
    expect(decide(0.8, others)).toEqual({ stop: false }); // ties with the 2nd best
    const stopped = decide(0.75, others);
    expect(stopped).toEqual({
      stop: true,
      reason:
        'stopped by hyperband at step 9 (rung 1): Accuracy 0.75 is not in the top 2 of the 6 trials at this rung (needed ≥ 0.8)',
    });
  });

  it('reads lower as better for goal min', () => {
    expect(decide(0.1, [0.2, 0.3, 0.4, 0.5, 0.6], 3, 'min')).toEqual({ stop: false });
    expect(decide(0.5, [0.2, 0.3, 0.4, 0.5, 0.6], 3, 'min').stop).toBe(true);
  });

  it('decides nothing between rungs or past max_iter', () => {
    expect(decide(0, [1, 1, 1, 1], 10)).toEqual({ stop: false });
    expect(decide(0, [1, 1, 1, 1], 81)).toEqual({ stop: false });
  });
});

describe('hyperband brackets', () => {
  const brackets: EarlyTerminateConfig = { ...hyperband, brackets: 3 };

  it("deals trials to brackets by Hyperband's allocation, 9 : 5 : 3 in every 17, interleaved", () => {
    const deal = Array.from({ length: 34 }, (_, trial) => bracketOf(brackets, trial));
    const count = (from: number, bracket: number) =>
      deal.slice(from, from + 17).filter((each) => each === bracket).length;
    expect([0, 1, 2].map((bracket) => count(0, bracket))).toEqual([9, 5, 3]);
    expect(deal.slice(17)).toEqual(deal.slice(0, 17));
    // Every bracket early on, not 9 trials of bracket 0 first: a small sweep has them all.
    expect(new Set(deal.slice(0, 4))).toEqual(new Set([0, 1, 2]));
    // One bracket keeps today's rule: every trial in bracket 0.
    expect(bracketOf(hyperband, 3)).toBe(0);
  });

  it("starts each bracket's decisions at its own rung: min_iter × eta^bracket", () => {
    const points = (bracket: number) =>
      [3, 9, 27].filter((step) => decisionPoint(brackets, step, bracket) !== undefined);
    expect(points(0)).toEqual([3, 9, 27]);
    expect(points(1)).toEqual([9, 27]);
    expect(points(2)).toEqual([27]);
    expect(decisionPoint(brackets, 9, 1)).toBe(1); // rungs keep their number in every bracket
    expect(decideTermination(brackets, 'max', 'Accuracy', 3, 0, [1, 1, 1, 1], 1)).toEqual({
      stop: false,
    });
  });

  it('compares a trial only with the trials of its own bracket, and says which', () => {
    const record = (trial: number, value: number): TrialProgress => ({
      trial,
      runId: `run-${trial}`,
      values: {},
      steps: { '9': value },
      state: 'running',
    });
    // Trials 1 and 5 are in bracket 1, the others in bracket 0.
    const records = [0, 1, 2, 4, 5, 6].map((trial) => record(trial, trial / 10));
    expect(rungValues(records, brackets, 1, 9)).toEqual([0.5]);
    expect(rungValues(records, brackets, 0, 9)).toEqual([0.2, 0.4, 0.6]);
    expect(rungValues(records, hyperband, 0, 9)).toEqual([0.1, 0.2, 0.4, 0.5, 0.6]);
    const stopped = decideTermination(brackets, 'max', 'Accuracy', 9, 0.1, [0.5, 0.6], 1);
    expect(stopped).toEqual({
      stop: true,
      reason:
        'stopped by hyperband at step 9 (rung 1, bracket 1): Accuracy 0.1 is not in the top 1 of the 3 trials of its bracket at this rung (needed ≥ 0.6)',
    });
    expect(stopped.stop && explainStop(stopped.reason)).toMatchObject({
      rule: 'hyperband',
      step: 9,
      rung: 1,
      bracket: 1,
    });
  });
});

describe('median', () => {
  const decide = (own: number, others: number[], step = 4) =>
    decideTermination(median, 'max', 'Accuracy', step, own, others);

  it('waits until three other trials reached the step', () => {
    expect(decide(0, [1, 1])).toEqual({ stop: false });
    expect(decide(0, [1, 1, 1]).stop).toBe(true);
  });

  it('stops a trial worse than the median of the others at the same step, and only then', () => {
    expect(decide(0.7, [0.4, 0.5, 0.9, 1])).toEqual({ stop: false }); // equal to the median 0.7
    expect(decide(0.69, [0.4, 0.5, 0.9, 1])).toEqual({
      stop: true,
      reason:
        'stopped by median at step 4: best Accuracy 0.69 is worse than the median 0.7 of 4 other trials at this step',
    });
    expect(decide(0, [1, 1, 1], 5)).toEqual({ stop: false }); // not a decision point
  });
});

describe('explainStop', () => {
  it('reads back the rule, step and rung of every stop the agent writes', () => {
    const band = decideTermination(hyperband, 'max', 'Accuracy', 9, 0.1, [0.5, 0.6]);
    const middle = decideTermination(median, 'max', 'Accuracy', 4, 0.1, [0.5, 0.6, 0.7]);
    expect(band.stop && explainStop(band.reason)).toMatchObject({
      rule: 'hyperband',
      step: 9,
      rung: 1,
    });
    expect(middle.stop && explainStop(middle.reason)).toMatchObject({ rule: 'median', step: 4 });
    expect(
      explainStop('stopped by early_stopping at step 7: Accuracy has not improved for 3 values'),
    ).toMatchObject({ rule: 'early_stopping', step: 7 });
    expect(explainStop('out of memory')).toBeUndefined();
    expect(explainStop(undefined)).toBeUndefined();
  });
});
