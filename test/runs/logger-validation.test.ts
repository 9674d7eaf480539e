/*
 * The logger refuses bad input at the call, with a ValidationError naming the parameter, and
 * records nothing of a refused call: the points in the store after finish() prove it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  getRun,
  openStore,
  readScalars,
  startRun,
  ValidationError,
  type ExperimentLogger,
  type JsonValue,
  type Store,
} from '../../src/index.js';
import { countingStore } from './_run-stores.js';

const memory = () => openStore(`memory://${randomUUID()}`);

async function open(store?: Store): Promise<{ run: ExperimentLogger; store: Store }> {
  const opened = store ?? (await memory());
  const run = await startRun({ project: 'validation', store: opened, closeOnExit: false });
  return { run, store: opened };
}

/** Calls `action` and returns its ValidationError (fails the test when there is none). */
function refusal(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

async function pointsOf(store: Store, runId: string): Promise<Record<string, number[]>> {
  const scalars = await readScalars(runId, { store });
  return Object.fromEntries(
    Object.entries(scalars).map(([tag, series]) => [tag, Array.from(series.step)]),
  );
}

describe('addScalar refuses bad input and records nothing of it', () => {
  const cases: [string, (run: ExperimentLogger) => void, string][] = [
    [
      'NaN',
      (run) => {
        run.addScalar('loss', Number.NaN);
      },
      'value',
    ],
    [
      'Infinity',
      (run) => {
        run.addScalar('loss', Number.POSITIVE_INFINITY);
      },
      'value',
    ],
    [
      '-Infinity',
      (run) => {
        run.addScalar('loss', Number.NEGATIVE_INFINITY);
      },
      'value',
    ],
    [
      'a string value',
      (run) => {
        run.addScalar('loss', '1' as unknown as number);
      },
      'value',
    ],
    [
      'an empty tag',
      (run) => {
        run.addScalar('', 1);
      },
      'tag',
    ],
    [
      'a tag of two lines',
      (run) => {
        run.addScalar('loss\nval', 1);
      },
      'tag',
    ],
    [
      'a negative step',
      (run) => {
        run.addScalar('loss', 1, -1);
      },
      'step',
    ],
    [
      'a fractional step',
      (run) => {
        run.addScalar('loss', 1, 1.5);
      },
      'step',
    ],
    [
      'a NaN step',
      (run) => {
        run.addScalar('loss', 1, Number.NaN);
      },
      'step',
    ],
    [
      'an unsafe step',
      (run) => {
        run.addScalar('loss', 1, 2 ** 53);
      },
      'step',
    ],
  ];
  for (const [what, call, parameter] of cases) {
    it(`${what}: ValidationError naming ${parameter}`, async () => {
      const { run, store } = await open();
      run.addScalar('loss', 0.5);
      const error = refusal(() => {
        call(run);
      });
      expect(error.parameter).toBe(parameter);
      expect(error.code).toBe('ERR_VALIDATION');
      // The refused point took no step either: the next one is step 1.
      run.addScalar('loss', 0.25);
      const record = await run.finish();
      expect(record.summary.loss).toMatchObject({ count: 2, last: 0.25, lastStep: 1, min: 0.25 });
      expect(await pointsOf(store, run.id)).toEqual({ loss: [0, 1] });
      expect((await getRun(run.id, { store })).summary.loss?.count).toBe(2);
    });
  }
});

describe('addScalars is all or nothing', () => {
  it('records none of the values when one is not finite', async () => {
    const { run, store } = await open();
    const error = refusal(() => {
      run.addScalars({ accuracy: 0.9, f1: Number.NaN, recall: 0.8 });
    });
    expect(error.parameter).toBe('value');
    expect(error.message).toContain('f1');
    run.addScalars({ accuracy: 0.7 });
    const record = await run.finish();
    expect(Object.keys(record.summary)).toEqual(['accuracy']);
    expect(await pointsOf(store, run.id)).toEqual({ accuracy: [0] });
  });

  it('records none of the values when one step is refused', async () => {
    const { run, store } = await open();
    refusal(() => {
      run.addScalars({ accuracy: 0.9, f1: 0.8 }, -3);
    });
    await run.finish();
    expect(await pointsOf(store, run.id)).toEqual({});
  });

  it('records none of the values when one tag is refused', async () => {
    const { run, store } = await open();
    const error = refusal(() => {
      run.addScalars({ accuracy: 0.9, '': 0.8 });
    });
    expect(error.parameter).toBe('tag');
    const record = await run.finish();
    expect(record.summary).toEqual({});
    expect(await pointsOf(store, run.id)).toEqual({});
  });
});

describe('a finished run', () => {
  it('refuses more points, summaries, predictions and hyperparameters', async () => {
    const { run, store } = await open();
    run.addScalar('loss', 1);
    await run.finish();
    for (const late of [
      () => {
        run.addScalar('loss', 2);
      },
      () => {
        run.addScalars({ loss: 2 });
      },
      () => {
        run.setSummary({ loss: 2 });
      },
      () => {
        run.linkPrediction(randomUUID());
      },
      () => {
        run.setHyperparameters({ lr: 1 });
      },
    ]) {
      expect(refusal(late).message).toContain('has finished');
    }
    // finish() again is the same result, not a second end.
    expect((await run.finish()).status).toBe('finished');
    expect(await pointsOf(store, run.id)).toEqual({ loss: [0] });
  });
});

describe('startRun refuses hyperparameters that JSON cannot hold, and writes nothing', () => {
  const cases: [string, unknown, string][] = [
    ['a function', { lr: 0.1, schedule: () => 0.1 }, 'hyperparameters.schedule'],
    ['NaN', { lr: Number.NaN }, 'hyperparameters.lr'],
    ['Infinity', { lr: Number.POSITIVE_INFINITY }, 'hyperparameters.lr'],
    ['a BigInt', { seed: 10n }, 'hyperparameters'],
    ['undefined', { lr: undefined }, 'hyperparameters.lr'],
    ['an array', [1, 2], 'hyperparameters'],
    // JSON.stringify turns these into null, or drops them, without a word.
    [
      'a nested NaN',
      { optimizer: { name: 'adam', lr: Number.NaN } },
      'hyperparameters.optimizer.lr',
    ],
    ['a function in an array', { callbacks: [() => 1] }, 'hyperparameters.callbacks.0'],
    ['an Infinity in an array', { grid: [1, Number.POSITIVE_INFINITY] }, 'hyperparameters.grid.1'],
    ['a nested undefined', { optimizer: { lr: undefined } }, 'hyperparameters.optimizer.lr'],
  ];
  for (const [what, hyperparameters, parameter] of cases) {
    it(what, async () => {
      const store = countingStore(await memory());
      const error: unknown = await startRun({
        project: 'validation',
        store,
        closeOnExit: false,
        hyperparameters: hyperparameters as Record<string, JsonValue>,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).parameter).toBe(parameter);
      expect(store.calls).toEqual([]);
      expect((await store.list()).objects).toEqual([]);
    });
  }

  it('keeps JSON-able values exactly, nested ones included', async () => {
    const store = await memory();
    const hyperparameters = {
      lr: 1e-3,
      layers: [64, 32],
      optimizer: { name: 'adam', betas: [0.9, 0.999], amsgrad: false },
      note: 'commas, "quotes"\nand lines',
      none: null,
    };
    const run = await startRun({
      project: 'validation',
      store,
      closeOnExit: false,
      hyperparameters,
    });
    await run.finish();
    expect((await getRun(run.id, { store })).hyperparameters).toEqual(hyperparameters);
  });
});

describe('startRun refuses other bad options before writing', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an empty project', { project: '  ' }, 'project'],
    ['an empty name', { project: 'p', name: ' ' }, 'name'],
    ['a name of two lines', { project: 'p', name: 'a\nb' }, 'name'],
    ['a zero heartbeat', { project: 'p', heartbeatIntervalSeconds: 0 }, 'heartbeatIntervalSeconds'],
    [
      'a NaN heartbeat',
      { project: 'p', heartbeatIntervalSeconds: Number.NaN },
      'heartbeatIntervalSeconds',
    ],
  ];
  for (const [what, options, parameter] of cases) {
    it(what, async () => {
      const store = countingStore(await memory());
      const error: unknown = await startRun({
        ...(options as { project: string }),
        store,
        closeOnExit: false,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ValidationError', parameter });
      expect(store.calls).toEqual([]);
    });
  }
});
