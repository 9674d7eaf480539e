/*
 * Input that used to poison a run (issue 18, defect 4): hyperparameters JSON cannot hold made
 * every later record write fail and finish() reject forever; addScalars(null) and
 * setSummary(null) threw TypeErrors. Each is now refused at the call with a ValidationError
 * naming the parameter, nothing of it is recorded, and the run finishes cleanly afterwards.
 * `__proto__` keys are refused (an object turns them into its prototype wherever one is
 * assigned); `constructor` and `prototype` are kept as data.
 */
import { describe, expect, it } from 'vitest';
import { getRun, startRun, ValidationError, type JsonValue } from '../../src/index.js';
import { openRunStore } from './_run-stores.js';

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

const cyclic = (): Record<string, JsonValue> => {
  const value: Record<string, unknown> = { lr: 0.1 };
  value.self = value;
  return value as Record<string, JsonValue>;
};

const deep = (levels: number): Record<string, JsonValue> => {
  let value: Record<string, JsonValue> = { leaf: 1 };
  for (let level = 0; level < levels; level += 1) value = { next: value };
  return value;
};

const poisoned: [string, Record<string, JsonValue>, string][] = [
  ['a BigInt', { seed: 10n } as unknown as Record<string, JsonValue>, 'hyperparameters'],
  ['NaN', { lr: Number.NaN }, 'hyperparameters.lr'],
  ['a nested Infinity', { optimizer: { lr: Infinity } }, 'hyperparameters.optimizer.lr'],
  ['a cycle', cyclic(), 'hyperparameters'],
  ['nesting 100,000 deep', deep(100_000), 'hyperparameters'],
  ['null', null as unknown as Record<string, JsonValue>, 'hyperparameters'],
  ['undefined', undefined as unknown as Record<string, JsonValue>, 'hyperparameters'],
  ['an array', [1, 2] as unknown as Record<string, JsonValue>, 'hyperparameters'],
  [
    'an own __proto__ key (as JSON.parse makes it)',
    JSON.parse('{"lr": 0.1, "__proto__": {"polluted": true}}') as Record<string, JsonValue>,
    'hyperparameters.__proto__',
  ],
  [
    'a nested __proto__ key',
    { optimizer: JSON.parse('{"__proto__": 1}') as JsonValue },
    'hyperparameters.optimizer.__proto__',
  ],
  [
    'a value set through __proto__ (inherited, which JSON drops)',
    { __proto__: { lr: 0.1 } },
    'hyperparameters.lr',
  ],
];

for (const kind of ['memory', 'local'] as const) {
  describe(`poisoned input on a ${kind} store`, () => {
    for (const [what, values, parameter] of poisoned) {
      it(`setHyperparameters with ${what}: refused naming ${parameter}, and the run finishes`, async () => {
        const subject = await openRunStore(kind);
        const { store } = subject;
        const run = await startRun({
          project: 'poison',
          store,
          closeOnExit: false,
          hyperparameters: { batch: 32 },
        });
        run.addScalar('loss', 1);
        const error = refusal(() => {
          run.setHyperparameters(values);
        });
        expect(error.parameter).toBe(parameter);
        run.setHyperparameters({ lr: 0.01 });
        run.addScalar('loss', 0.5);
        const record = await run.finish();
        expect(record.status).toBe('finished');
        const stored = await getRun(run.id, { store });
        expect(stored.status).toBe('finished');
        expect(stored.hyperparameters).toEqual({ batch: 32, lr: 0.01 });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(stored.summary.loss?.count).toBe(2);
        await subject.close();
      });
    }

    it('addScalars(null) and setSummary(null): refused naming values and summary', async () => {
      const subject = await openRunStore(kind);
      const { store } = subject;
      const run = await startRun({ project: 'poison', store, closeOnExit: false });
      for (const [call, parameter] of [
        [
          () => {
            run.addScalars(null as unknown as Record<string, number>);
          },
          'values',
        ],
        [
          () => {
            run.addScalars(undefined as unknown as Record<string, number>);
          },
          'values',
        ],
        [
          () => {
            run.addScalars(3 as unknown as Record<string, number>);
          },
          'values',
        ],
        [
          () => {
            run.setSummary(null as unknown as Record<string, number>);
          },
          'summary',
        ],
        [
          () => {
            run.setSummary([1] as unknown as Record<string, number>);
          },
          'summary',
        ],
        // As a key of the summary's JSON it would come back as a prototype: the tag would vanish.
        [
          () => {
            run.addScalar('__proto__', 1);
          },
          'tag',
        ],
        [
          () => {
            run.setSummary(JSON.parse('{"__proto__": 1}') as Record<string, number>);
          },
          'summary.__proto__',
        ],
      ] as const) {
        expect(refusal(call).parameter).toBe(parameter);
      }
      run.addScalars({ accuracy: 0.9 });
      run.setSummary({ test_f1: 0.8 });
      expect((await run.finish()).status).toBe('finished');
      const stored = await getRun(run.id, { store });
      expect(Object.keys(stored.summary).sort()).toEqual(['accuracy', 'test_f1']);
      await subject.close();
    });

    it('keeps "constructor" and "prototype" as hyperparameters like any other name', async () => {
      const subject = await openRunStore(kind);
      const { store } = subject;
      const run = await startRun({
        project: 'poison',
        store,
        closeOnExit: false,
        hyperparameters: { constructor: 'resnet' },
      });
      run.setHyperparameters({ prototype: 2, constructor: 'vit' });
      await run.finish();
      const { hyperparameters } = await getRun(run.id, { store });
      expect(Object.entries(hyperparameters)).toEqual([
        ['constructor', 'vit'],
        ['prototype', 2],
      ]);
      await subject.close();
    });

    it('keeps a copy: changing the object afterwards cannot poison the record', async () => {
      const subject = await openRunStore(kind);
      const { store } = subject;
      const run = await startRun({ project: 'poison', store, closeOnExit: false });
      const values = { optimizer: { lr: 0.1 } } as Record<string, Record<string, unknown>>;
      run.setHyperparameters(values as Record<string, JsonValue>);
      values.optimizer!.lr = 10n;
      expect((await run.finish()).status).toBe('finished');
      expect((await getRun(run.id, { store })).hyperparameters).toEqual({
        optimizer: { lr: 0.1 },
      });
      await subject.close();
    });
  });
}

describe('startRun refuses a __proto__ key with the same check', () => {
  it('names hyperparameters.__proto__ and writes nothing', async () => {
    const subject = await openRunStore('memory');
    const { store } = subject;
    const error: unknown = await startRun({
      project: 'poison',
      store,
      closeOnExit: false,
      hyperparameters: JSON.parse('{"__proto__": {"x": 1}}') as Record<string, JsonValue>,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'ValidationError',
      parameter: 'hyperparameters.__proto__',
    });
    expect((await store.list()).objects).toEqual([]);
    await subject.close();
  });
});
