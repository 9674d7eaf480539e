import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseSweepConfig, sweepConfigToJson } from '../../src/sweeps/sweep-config.js';

/** A valid TPE + hyperband configuration (issue 24's example), fresh for each test. */
function smart(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    main_script_name: 'train.py',
    hyperparameters: {
      lr: { type: 'log_uniform', min: 1e-5, max: 1e-1 },
      layers: { type: 'int_uniform', min: 1, max: 4 },
      optimizer: { type: 'choice', candidates: ['adam', 'sgd'] },
    },
    max_runs: 24,
    early_stopping: false,
    method: 'tpe',
    early_terminate: { type: 'hyperband', min_iter: 3, eta: 3, max_iter: 27 },
    optimization_metric: 'Accuracy',
    optimization_goal: 'max',
    ...extra,
  };
}

function rejection(value: unknown): ValidationError {
  try {
    parseSweepConfig(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('parseSweepConfig accepted an invalid configuration');
}

describe('method tpe and early_terminate (issue 24)', () => {
  it('reads the issue example and writes it back to an equal config', () => {
    const config = parseSweepConfig(smart());
    expect(config.method).toBe('tpe');
    expect(config.earlyTerminate).toEqual({ type: 'hyperband', minIter: 3, eta: 3, maxIter: 27 });
    expect(parseSweepConfig(sweepConfigToJson(config))).toEqual(config);
  });

  it('stores "bayes", W&B\'s name, as "tpe"', () => {
    expect(parseSweepConfig(smart({ method: 'bayes' })).method).toBe('tpe');
  });

  it('reads median, and hyperband without eta as eta 3', () => {
    const median = parseSweepConfig(smart({ early_terminate: { type: 'median', min_iter: 5 } }));
    expect(median.earlyTerminate).toEqual({ type: 'median', minIter: 5 });
    const band = parseSweepConfig(smart({ early_terminate: { type: 'hyperband', min_iter: 2 } }));
    expect(band.earlyTerminate).toEqual({ type: 'hyperband', minIter: 2, eta: 3 });
  });

  it('reads hyperband brackets (1 is the plain rule) and writes them back', () => {
    const rule = { type: 'hyperband', min_iter: 3, eta: 3, max_iter: 27 };
    const three = parseSweepConfig(smart({ early_terminate: { ...rule, brackets: 3 } }));
    expect(three.earlyTerminate).toEqual({
      type: 'hyperband',
      minIter: 3,
      eta: 3,
      maxIter: 27,
      brackets: 3,
    });
    expect(parseSweepConfig(sweepConfigToJson(three))).toEqual(three);
    const one = parseSweepConfig(smart({ early_terminate: { ...rule, brackets: 1 } }));
    expect(one.earlyTerminate).toEqual(parseSweepConfig(smart()).earlyTerminate);
  });

  it('composes with patience-based early_stopping', () => {
    const config = parseSweepConfig(smart({ early_stopping: true, early_stopping_patience: 4 }));
    expect(config.earlyStopping).toBe(true);
    expect(config.earlyTerminate?.type).toBe('hyperband');
  });

  it.each([
    [{ type: 'hyperbnd', min_iter: 3 }, 'early_terminate.type', /Did you mean "hyperband"\?/],
    [{ type: 'asha', min_iter: 3 }, 'early_terminate.type', /not "hyperband" or "median"/],
    [{ type: 'hyperband', min_iter: 3, eta: 1 }, 'early_terminate.eta', /at least 2/],
    [{ type: 'hyperband', min_iter: 0 }, 'early_terminate.min_iter', /at least 1/],
    [{ type: 'median', min_iter: 2.5 }, 'early_terminate.min_iter', /at least 1/],
    [
      { type: 'hyperband', min_iter: 9, max_iter: 3 },
      'early_terminate.max_iter',
      /at least min_iter \(9\)/,
    ],
    [{ type: 'median', min_iter: 3, eta: 3 }, 'early_terminate.eta', /not a key of a "median"/],
    [{ type: 'hyperband', min_iters: 3 }, 'early_terminate.min_iters', /Did you mean "min_iter"/],
    ['hyperband', 'early_terminate', /not an object/],
    [
      { type: 'hyperband', min_iter: 3, brackets: 2 },
      'early_terminate.brackets',
      /need "max_iter"/,
    ],
    [
      { type: 'hyperband', min_iter: 3, max_iter: 27, brackets: 4 },
      'early_terminate.brackets',
      /more than the 3 rungs.*at most 3/s,
    ],
    [
      { type: 'hyperband', min_iter: 3, max_iter: 27, brackets: 0 },
      'early_terminate.brackets',
      /at least 1/,
    ],
    [{ type: 'median', min_iter: 3, brackets: 2 }, 'early_terminate.brackets', /not a key/],
  ])('rejects early_terminate %j with one error at its key', (rule, key, fix) => {
    const error = rejection(smart({ early_terminate: rule }));
    expect(error.parameter).toBe(`experiment_cfg.json: ${key}`);
    expect(error.message).toMatch(fix);
  });

  it('refuses tpe, and early_terminate, without an optimization_metric to rank by', () => {
    const noMetric = { optimization_metric: undefined, optimization_goal: undefined };
    const tpe = rejection(smart({ ...noMetric, early_terminate: undefined }));
    expect(tpe.parameter).toBe('experiment_cfg.json: optimization_metric');
    expect(tpe.message).toMatch(/method is "tpe".*set method to "random"/s);
    const band = rejection(smart({ ...noMetric, method: 'random' }));
    expect(band.message).toMatch(/early_terminate is set.*remove early_terminate/s);
  });

  it('suggests early_terminate for a misspelt key', () => {
    const error = rejection(smart({ early_terminte: { type: 'median', min_iter: 2 } }));
    expect(error.message).toMatch(/Did you mean "early_terminate"\?/);
  });
});
