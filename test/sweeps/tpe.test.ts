import { describe, expect, it } from 'vitest';
import { sampleTrial, type HyperparameterValue } from '../../src/sweeps/sampling.js';
import { parseSweepConfig, type SweepConfig } from '../../src/sweeps/sweep-config.js';
import { TPE_STARTUP_TRIALS, suggestTrial, type TrialHistoryEntry } from '../../src/sweeps/tpe.js';

function config(method: 'tpe' | 'random'): SweepConfig {
  return parseSweepConfig({
    main_script_name: 'train.py',
    hyperparameters: {
      lr: { type: 'log_uniform', min: 1e-5, max: 1 },
      dropout: { type: 'uniform', min: 0, max: 0.8 },
      layers: { type: 'int_uniform', min: 1, max: 8 },
      optimizer: { type: 'choice', candidates: ['sgd', 'adam', 'rmsprop'] },
    },
    max_runs: 30,
    early_stopping: false,
    method,
    optimization_metric: 'Accuracy',
    optimization_goal: 'max',
  });
}

/** A toy accuracy with its optimum 1 at lr 1e-3, dropout 0.2, 5 layers, adam. */
function accuracy(values: Record<string, HyperparameterValue>): number {
  const lr = Math.log10(values.lr as number) + 3;
  const dropout = ((values.dropout as number) - 0.2) / 0.8;
  const layers = ((values.layers as number) - 5) / 7;
  const optimizer = values.optimizer === 'adam' ? 0 : 0.3;
  return 1 - 0.05 * lr * lr - dropout * dropout - layers * layers - optimizer;
}

/** Runs `trials` trials one after another, each suggested from all the finished ones. */
function search(method: 'tpe' | 'random', seed: number, trials: number): TrialHistoryEntry[] {
  const sweep = config(method);
  const history: TrialHistoryEntry[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    const values = suggestTrial(sweep, seed, trial, history);
    history.push({ trial, values, value: accuracy(values) });
  }
  return history;
}

const bestOf = (history: TrialHistoryEntry[]) =>
  Math.max(...history.map((entry) => entry.value ?? -Infinity));

describe('TPE suggestions', () => {
  it('draws the start-up trials as a random sweep does: a function of seed and trial alone', () => {
    const history = search('tpe', 7, TPE_STARTUP_TRIALS);
    for (const entry of history) {
      expect(entry.values).toEqual(sampleTrial(config('random'), 7, entry.trial));
    }
  });

  it('suggests the same values for the same seed and history, in whatever order it is listed', () => {
    const history = search('tpe', 11, 15);
    const next = suggestTrial(config('tpe'), 11, 15, history);
    expect(suggestTrial(config('tpe'), 11, 15, [...history].reverse())).toEqual(next);
    // The model, not the random draw, chose it: another history gives another suggestion.
    expect(next).not.toEqual(sampleTrial(config('random'), 11, 15));
    const worse = history.map((entry) => ({ ...entry, value: -(entry.value ?? 0) }));
    expect(suggestTrial(config('tpe'), 11, 15, worse)).not.toEqual(next);
  });

  it('keeps every suggestion inside its range, integers whole and choices among the candidates', () => {
    for (const entry of search('tpe', 3, 30).slice(TPE_STARTUP_TRIALS)) {
      const { lr, dropout, layers, optimizer } = entry.values;
      expect(lr).toBeGreaterThanOrEqual(1e-5);
      expect(lr).toBeLessThanOrEqual(1);
      expect(dropout).toBeGreaterThanOrEqual(0);
      expect(dropout).toBeLessThanOrEqual(0.8);
      expect(Number.isInteger(layers)).toBe(true);
      expect(['sgd', 'adam', 'rmsprop']).toContain(optimizer);
    }
  });

  it('spreads agents that start together: a running trial steers the next suggestion away', () => {
    const history = search('tpe', 5, 14);
    const first = suggestTrial(config('tpe'), 5, 14, history);
    const alongside = suggestTrial(config('tpe'), 5, 15, [
      ...history,
      { trial: 14, values: first, pending: true },
    ]);
    expect(alongside).not.toEqual(first);
  });

  it('finds a better trial than random search on a toy objective, on average over 12 seeds', () => {
    const seeds = Array.from({ length: 12 }, (_, index) => 100 + index);
    const regret = (method: 'tpe' | 'random') =>
      seeds.reduce((sum, seed) => sum + (1 - bestOf(search(method, seed, 30))), 0) / seeds.length;
    const tpe = regret('tpe');
    const random = regret('random');
    // Measured: about a fifth; the issue asks for at most half.
    expect(tpe).toBeLessThan(random * 0.5);
  });
});
