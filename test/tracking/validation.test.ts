import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  logExperiment,
  openStore,
  ValidationError,
  type LogExperimentOptions,
} from '../../src/index.js';

class FakeModel {
  getParams() {
    return { depth: 3 };
  }
}

function classification(overrides: Partial<LogExperimentOptions> = {}): LogExperimentOptions {
  return {
    kind: 'classification',
    project: 'validation',
    parameters: {
      datasetUri: 'gs://b/data.csv',
      targetColumn: 'label',
      testSet: ['s1', 's2', 's3'],
      model: new FakeModel(),
    },
    yTrue: ['a', 'b', 'a'],
    yPred: ['a', 'b', 'b'],
    ...overrides,
  };
}

function regression(overrides: Partial<LogExperimentOptions> = {}): LogExperimentOptions {
  return {
    ...classification(),
    kind: 'regression',
    yTrue: [1, 2, 3],
    yPred: [1.5, 2, 2.5],
    ...overrides,
  };
}

const parameters = (overrides: object) => ({ ...classification().parameters, ...overrides });
const cycle: Record<string, unknown> = {};
cycle.self = cycle;
const untyped = (value: unknown) => value as never;

/** A fitted-model look-alike whose property getter throws when read. */
class ModelWithThrowingGetter {
  get featureImportances(): number[] {
    throw new TypeError('Cannot read properties of undefined (reading "trees")');
  }
}
/** A model that cannot be read at all. */
const hostileModel = new Proxy(
  {},
  {
    get() {
      throw new Error('revoked');
    },
  },
);

const cases: [string, LogExperimentOptions, string, RegExp][] = [
  [
    'an unknown kind',
    classification({ kind: 'clustering' as never }),
    'kind',
    /classification.*regression/,
  ],
  ['a missing project', classification({ project: undefined as never }), 'project', /Pass a name/],
  [
    'a project that slugifies to nothing',
    classification({ project: '___' }),
    'project',
    /letter or digit/,
  ],
  [
    'missing parameters',
    classification({ parameters: undefined as never }),
    'parameters',
    /datasetUri/,
  ],
  [
    'an empty datasetUri',
    classification({ parameters: parameters({ datasetUri: ' ' }) }),
    'parameters.datasetUri',
    /URI of the data set/,
  ],
  [
    'a missing targetColumn',
    classification({ parameters: parameters({ targetColumn: undefined }) }),
    'parameters.targetColumn',
    /column the model predicts/,
  ],
  [
    'a missing testSet',
    classification({ parameters: parameters({ testSet: undefined }) }),
    'parameters.testSet',
    /list of sample ids that make up the test set/,
  ],
  [
    'an empty testSet',
    classification({ parameters: parameters({ testSet: [] }) }),
    'parameters.testSet',
    /list of sample ids/,
  ],
  [
    'a missing model',
    classification({ parameters: parameters({ model: undefined }) }),
    'parameters.model',
    /model object/,
  ],
  [
    'a model given by name',
    classification({ parameters: parameters({ model: 'RandomForest' }) }),
    'parameters.model',
    /model object, not its name/,
  ],
  [
    'a model given as a number',
    classification({ parameters: parameters({ model: 42 }) }),
    'parameters.model',
    /model object/,
  ],
  [
    'yTrue shorter than the test set',
    classification({ yTrue: ['a', 'b'] }),
    'yTrue',
    /one value per test sample/,
  ],
  [
    'yPred longer than the test set',
    classification({ yPred: ['a', 'b', 'a', 'b'] }),
    'yPred',
    /one value per test sample/,
  ],
  ['an empty yTrue', classification({ yTrue: [] }), 'yTrue', /actual values/],
  ['a regression NaN', regression({ yPred: [1, Number.NaN, 2] }), 'yPred', /finite numbers/],
  [
    'a regression Infinity',
    regression({ yTrue: [1, Number.POSITIVE_INFINITY, 2] }),
    'yTrue',
    /finite numbers/,
  ],
  ['a regression string', regression({ yTrue: [1, '2', 3] }), 'yTrue', /finite numbers/],
  [
    'a fractional class label',
    classification({ yTrue: [1.5, 2, 1] }),
    'yTrue',
    /strings, integers or booleans/,
  ],
  [
    'an object as class label',
    classification({ yPred: ['a', {} as never, 'a'] }),
    'yPred',
    /strings, integers or booleans/,
  ],
  ['mixed label types', classification({ yPred: ['a', 1, 'a'] }), 'yPred', /one type of label/],
  [
    'yScore of the wrong length',
    classification({ yScore: [0.1, 0.2] }),
    'yScore',
    /one probability \(row\) per test sample/,
  ],
  [
    'yScore rows of the wrong width',
    classification({
      yScore: [
        [0.5, 0.5],
        [0.5, 0.5, 0],
        [1, 0],
      ],
    }),
    'yScore',
    /one probability per class/,
  ],
  [
    'a probability above 1',
    classification({ yScore: [0.2, 1.2, 0.3] }),
    'yScore',
    /between 0 and 1/,
  ],
  [
    'a negative probability',
    classification({
      yScore: [
        [0.2, 0.8],
        [-0.1, 1],
        [1, 0],
      ],
    }),
    'yScore',
    /between 0 and 1/,
  ],
  [
    'extraParameters with a cycle',
    classification({ extraParameters: cycle }),
    'extraParameters',
    /JSON/,
  ],
  [
    'extraParameters with a BigInt',
    classification({ extraParameters: { n: 1n } }),
    'extraParameters',
    /BigInt/,
  ],
  [
    'extraParameters with a function',
    classification({ extraParameters: { f: () => 1 } }),
    'extraParameters',
    /function/,
  ],
  [
    'BigInt labels',
    classification({ yTrue: untyped([1n, 2n, 1n]), yPred: untyped([1n, 2n, 2n]) }),
    'yTrue',
    /yTrue\[0\] is the BigInt 1n.*strings, integers or booleans/,
  ],
  [
    'a BigInt regression value',
    regression({ yPred: untyped([1, 2n, 3]) }),
    'yPred',
    /the BigInt 2n.*finite numbers/,
  ],
  [
    'a BigInt sample id',
    classification({ parameters: parameters({ testSet: ['a', 2n, 'c'] }) }),
    'parameters.testSet',
    /the BigInt 2n/,
  ],
  [
    'a model given as a BigInt',
    classification({ parameters: parameters({ model: 3n }) }),
    'parameters.model',
    /the BigInt 3n.*not its name/,
  ],
  [
    'a model whose getter throws',
    classification({ parameters: parameters({ model: new ModelWithThrowingGetter() }) }),
    'parameters.model',
    /threw \(Cannot read properties.*describe it as \{ name, params \}/,
  ],
  [
    'a model that throws on every read',
    classification({ parameters: parameters({ model: hostileModel }) }),
    'parameters.model',
    /threw \(revoked\)/,
  ],
  [
    'a null first row in yScore',
    classification({ yScore: untyped([null, [0.5, 0.5], [1, 0]]) }),
    'yScore',
    /row 0 is null/,
  ],
  [
    'a null later row in yScore',
    classification({ yScore: untyped([[0.5, 0.5], null, [1, 0]]) }),
    'yScore',
    /row 1 is null/,
  ],
  [
    'a null probability in 1-D yScore',
    classification({ yScore: untyped([0.5, null, 1]) }),
    'yScore',
    /yScore\[1\] is null.*between 0 and 1/,
  ],
  [
    'classes: {}',
    classification({ classes: untyped({}) }),
    'classes',
    /\{\} \(object\), not an array/,
  ],
  ['classes: 5', classification({ classes: untyped(5) }), 'classes', /5, not an array/],
  ['classes listed twice', classification({ classes: ['a', 'b', 'a'] }), 'classes', /twice/],
  [
    'classes that lack a label',
    classification({ classes: ['a'] }),
    'classes',
    /lacks the label "b"/,
  ],
  [
    'a positiveLabel of another type',
    classification({ yTrue: [0, 1, 0], yPred: [0, 1, 1], positiveLabel: '1' }),
    'positiveLabel',
    /the string "1" but the labels are numbers/,
  ],
  [
    'a positiveLabel that is not one of the two classes',
    classification({ positiveLabel: 'z' }),
    'positiveLabel',
    /z is not one of the classes a, b/,
  ],
  [
    'regression values of 1e308, whose differences overflow',
    regression({ yTrue: [1e308, -1e308, 0], yPred: [-1e308, 1e308, 0] }),
    'yTrue',
    /yTrue\[0\] is 1e\+308.*±1e100/,
  ],
];

describe('logExperiment validation', () => {
  it.each(cases)(
    'rejects %s, naming the parameter and the fix, and writes nothing',
    async (_, options, parameter, fix) => {
      const store = await openStore(`memory://${randomUUID()}`);
      const error = await logExperiment({ ...options, store }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ parameter, code: 'ERR_VALIDATION' });
      expect((error as Error).message).toMatch(fix);
      expect((await store.list()).objects).toEqual([]);
    },
  );

  it('rejects an unknown store scheme before writing', async () => {
    await expect(logExperiment(classification({ store: 's3://bucket' }))).rejects.toMatchObject({
      parameter: 'store',
    });
  });

  it('writes only finite residuals and metrics for values at the ±1e100 bound', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    const logged = await logExperiment(
      regression({ yTrue: [1e100, -1e100, 0], yPred: [-1e100, 1e100, 0], plots: false, store }),
    );
    for (const [metric, value] of Object.entries(logged.scores)) {
      expect(Number.isFinite(value), `${metric} = ${String(value)}`).toBe(true);
    }
    const predictions = await store.readText(logged.files.predictions.path);
    const residuals = predictions
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',').at(-1)));
    expect(residuals).toEqual([-2e100, 2e100, 0]);
    for (const file of [logged.files.scoring, logged.files.tracker]) {
      expect(await store.readText(file.path)).not.toMatch(/Infinity|NaN/);
    }
  });

  it('accepts typed arrays, integer and boolean labels', async () => {
    const store = await openStore(`memory://${randomUUID()}`);
    await expect(
      logExperiment(
        regression({
          yTrue: Float64Array.from([1, 2, 3]),
          yPred: Float32Array.from([1, 2, 4]),
          store,
        }),
      ),
    ).resolves.toBeDefined();
    await expect(
      logExperiment(classification({ yTrue: [1, 0, 1], yPred: [1, 1, 1], store })),
    ).resolves.toBeDefined();
    await expect(
      logExperiment(
        classification({ yTrue: [true, false, true], yPred: [true, true, false], store }),
      ),
    ).resolves.toBeDefined();
  });
});
