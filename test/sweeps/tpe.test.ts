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

  it('models the hyperparameters jointly: good where two of them agree, bad where they differ', () => {
    const sweep = parseSweepConfig({
      main_script_name: 'train.py',
      hyperparameters: {
        x: { type: 'uniform', min: 0, max: 1 },
        y: { type: 'uniform', min: 0, max: 1 },
      },
      max_runs: 30,
      early_stopping: false,
      method: 'tpe',
      optimization_metric: 'Accuracy',
      optimization_goal: 'max',
    });
    // Each value of x (and of y) is as common among good trials as among bad ones: only the pair
    // tells them apart, so one estimator per hyperparameter sees no difference at all.
    const history: TrialHistoryEntry[] = Array.from({ length: 20 }, (_, trial) => {
      const low = 0.1 + 0.01 * (trial % 5);
      const high = 0.9 - 0.01 * (trial % 5);
      if (trial < 2)
        return { trial, values: { x: [low, high][trial]!, y: [low, high][trial]! }, value: 1 };
      const values = trial % 2 === 0 ? { x: low, y: high } : { x: high, y: low };
      return { trial, values, value: 0 };
    });
    for (let seed = 0; seed < 10; seed += 1) {
      const { x, y } = suggestTrial(sweep, seed, 20, history) as { x: number; y: number };
      // On the diagonal, where the good trials are (an independent model suggested x 0.3, y 0.7).
      expect(Math.abs(x - y)).toBeLessThan(0.15);
    }
  });

  it('halves random search regret on a noisy objective with a categorical, over 16 seeds', () => {
    const sweep = (method: 'tpe' | 'random') =>
      parseSweepConfig({
        main_script_name: 'train.py',
        hyperparameters: {
          lr: { type: 'log_uniform', min: 1e-5, max: 1 },
          layers: { type: 'int_uniform', min: 1, max: 8 },
          optimizer: { type: 'choice', candidates: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
        },
        max_runs: 24,
        early_stopping: false,
        method,
        optimization_metric: 'Accuracy',
        optimization_goal: 'max',
      });
    // The optimum 1 is at lr 1e-3, 3 layers, adam; each trial's metric is off by up to ±0.02.
    const truth = (values: Record<string, HyperparameterValue>) => {
      const lr = (Math.log10(values.lr as number) + 3) / 5;
      const layers = ((values.layers as number) - 3) / 7;
      const optimizer = { adam: 0, rmsprop: 0.1 }[values.optimizer as string] ?? 0.3;
      return 1 - lr * lr - layers * layers - optimizer;
    };
    const regret = (method: 'tpe' | 'random', seed: number) => {
      const history: (TrialHistoryEntry & { truth: number })[] = [];
      for (let trial = 0; trial < 24; trial += 1) {
        const values = suggestTrial(sweep(method), seed, trial, history);
        const noise = 0.02 * Math.sin(seed * 7919 + trial * 104729);
        history.push({ trial, values, value: truth(values) + noise, truth: truth(values) });
      }
      // What the user gets: the trial the noisy metric ranked best, at its true value.
      const chosen = history.reduce((best, entry) => (entry.value! > best.value! ? entry : best));
      return 1 - chosen.truth;
    };
    const seeds = Array.from({ length: 16 }, (_, index) => 200 + index);
    const mean = (method: 'tpe' | 'random') =>
      seeds.reduce((sum, seed) => sum + regret(method, seed), 0) / seeds.length;
    expect(mean('tpe')).toBeLessThan(0.5 * mean('random'));
  });
});
