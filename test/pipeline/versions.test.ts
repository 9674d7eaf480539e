// A model script's versions: the checks that name the script, the version and the field of any
// mistake (checkVersions, and defineVersions in the script itself), the order they run in, and
// what a version records as its run's hyperparameters.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  checkVersions,
  DataLoader,
  defineVersions,
  isDataLoader,
  runOrder,
  versionParameters,
  type PipelineVersion,
} from '../../src/pipeline/versions.js';

class Numbers extends DataLoader<number[]> {
  getTrainSampleCount() {
    return 8;
  }
  getTestSampleCount() {
    return 4;
  }
  getTrainInput() {
    return [1, 2, 3, 4, 5, 6, 7, 8];
  }
  getTestInput() {
    return [9, 10, 11, 12];
  }
}

const version = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'small',
  dataLoader: new Numbers(),
  batchSize: 16,
  epochCount: 5,
  ...fields,
});

/** The ValidationError checkVersions throws for `value` as script `iris`'s versions (`null`: no script). */
function rejection(value: unknown, script: string | null = 'iris'): ValidationError {
  try {
    checkVersions(value, script ?? undefined);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`checkVersions accepted ${JSON.stringify(value)}`);
}

describe('checkVersions', () => {
  it('accepts versions as they are, extra parameters included', () => {
    const versions = [
      version(),
      version({ name: 'large', modelDirSuffix: 'large', order: 1, learningRate: 0.1 }),
    ];
    const checked = checkVersions(versions, 'iris');
    expect(checked).toEqual(versions);
    expect(checked[1]).toBe(versions[1]);
  });

  it('rejects anything but a non-empty array, naming the script', () => {
    for (const value of [undefined, {}, 'small', []]) {
      const error = rejection(value);
      expect(error.parameter).toBe('iris: versions');
      expect(error.message).toMatch(/defineVersions/);
    }
    expect(rejection([]).message).toContain('the list is empty');
  });

  it('names the version by its index when it is no object or has no name', () => {
    expect(rejection([version(), 'large']).parameter).toBe('iris: versions[1]');
    expect(rejection([version(), null]).parameter).toBe('iris: versions[1]');
    const missing = rejection([version({ name: undefined })]);
    expect(missing.parameter).toBe('iris: versions[0].name');
    expect(missing.message).toContain('is missing');
  });

  it('rejects names that cannot name a store folder, and a name used twice', () => {
    for (const name of ['', '-small', 'a b', 'a/b', '../x', 'x'.repeat(101), 7]) {
      expect(rejection([version({ name })]).parameter).toBe('iris: versions[0].name');
    }
    const twice = rejection([version(), version({ batchSize: 4 })]);
    expect(twice.parameter).toBe('iris: versions[1] "small".name');
    expect(twice.message).toContain('another version has this name');
    expect(checkVersions([version({ name: 'v1.2_final-B' })], 'iris')).toHaveLength(1);
  });

  it('names the script, the version and the field of a missing or wrong batchSize and epochCount', () => {
    for (const field of ['batchSize', 'epochCount']) {
      const missing = rejection([version(), version({ name: 'large', [field]: undefined })]);
      expect(missing.parameter).toBe(`iris: versions[1] "large".${field}`);
      expect(missing.message).toContain('is missing');
      expect(missing.message).toContain(`Set ${field} to a whole number of 1 or more`);
      for (const wrong of [0, -1, 1.5, '16', Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = rejection([version({ [field]: wrong })]);
        expect(error.parameter).toBe(`iris: versions[0] "small".${field}`);
        expect(error.message).toContain('is not a positive integer');
      }
    }
  });

  it('wants a DataLoader instance: of this copy, or of another copy of ml-tracking', () => {
    const missing = rejection([version({ dataLoader: undefined })]);
    expect(missing.parameter).toBe('iris: versions[0] "small".dataLoader');
    expect(missing.message).toContain('is missing');
    // The four methods without the class is not enough: the brand is what the pipeline checks.
    const lookalike = {
      getTrainSampleCount: () => 8,
      getTestSampleCount: () => 4,
      getTrainInput: () => [],
      getTestInput: () => [],
    };
    expect(rejection([version({ dataLoader: lookalike })]).message).toContain(
      'is not a DataLoader',
    );
    expect(rejection([version({ dataLoader: Numbers })]).message).toContain('is not a DataLoader');
    // Another copy's DataLoader carries the same registered symbol.
    const foreign = { ...lookalike, [Symbol.for('ml-tracking.DataLoader')]: true };
    expect(isDataLoader(foreign)).toBe(true);
    expect(checkVersions([version({ dataLoader: foreign })], 'iris')).toHaveLength(1);
  });

  it('checks modelDirSuffix and order when they are given', () => {
    for (const modelDirSuffix of ['', 'a/b', '.hidden', 3]) {
      expect(rejection([version({ modelDirSuffix })]).parameter).toBe(
        'iris: versions[0] "small".modelDirSuffix',
      );
    }
    for (const order of ['1', Number.NaN, Number.NEGATIVE_INFINITY, null]) {
      expect(rejection([version({ order })]).parameter).toBe('iris: versions[0] "small".order');
    }
    expect(
      checkVersions(
        [version({ order: -2.5 }), version({ name: 'b', order: 0, modelDirSuffix: 'b-1' })],
        'iris',
      ),
    ).toHaveLength(2);
  });

  it('leaves the script out of the parameter when it has none', () => {
    expect(rejection([version({ batchSize: 0 })], null).parameter).toBe(
      'versions[0] "small".batchSize',
    );
  });
});

describe('defineVersions', () => {
  it('returns the versions, typed as given, with their own parameters', () => {
    const versions = defineVersions([
      { name: 'small', dataLoader: new Numbers(), batchSize: 16, epochCount: 5, seed: 11 },
    ]);
    expect(versions).toHaveLength(1);
    expect(versions[0]!.seed).toBe(11);
  });

  it('throws the field-naming ValidationError as the script is imported', () => {
    expect(() =>
      defineVersions([
        version() as PipelineVersion,
        { name: 'large', dataLoader: new Numbers(), epochCount: 5 } as unknown as PipelineVersion,
      ]),
    ).toThrow(/versions\[1\] "large"\.batchSize: is missing/);
  });
});

describe('runOrder', () => {
  it('runs versions with an order first, lowest first (ties as defined), then the rest as defined', () => {
    const versions = [
      { name: 'a' },
      { name: 'b', order: 2 },
      { name: 'c' },
      { name: 'd', order: -1 },
      { name: 'e', order: 2 },
      { name: 'f', order: 0.5 },
    ];
    expect(runOrder(versions).map((each) => each.name)).toEqual(['d', 'f', 'b', 'e', 'a', 'c']);
    // The script's own list is left as it was.
    expect(versions.map((each) => each.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('keeps the defined order when no version has one', () => {
    const versions: { name: string; order?: number }[] = [
      { name: 'z' },
      { name: 'a' },
      { name: 'm' },
    ];
    expect(runOrder(versions)).toEqual(versions);
  });
});

describe('versionParameters', () => {
  it('records what JSON can hold, and the data loader by its class name', () => {
    const [checked] = checkVersions(
      [
        version({
          modelDirSuffix: 'large',
          order: 1,
          learningRate: 0.1,
          tags: ['a', 1, true, null],
          optimizer: { name: 'adam', betas: [0.9, 0.999] },
          note: null,
        }),
      ],
      'iris',
    );
    expect(versionParameters(checked!)).toEqual({
      name: 'small',
      dataLoader: 'Numbers',
      batchSize: 16,
      epochCount: 5,
      modelDirSuffix: 'large',
      order: 1,
      learningRate: 0.1,
      tags: ['a', 1, true, null],
      optimizer: { name: 'adam', betas: [0.9, 0.999] },
      note: null,
    });
  });

  it('leaves out what JSON cannot hold, whole', () => {
    const [checked] = checkVersions(
      [
        version({
          callback: () => 1,
          missing: undefined,
          notANumber: Number.NaN,
          infinite: Number.POSITIVE_INFINITY,
          when: new Date(0),
          table: new Map([['a', 1]]),
          big: 10n,
          mixed: [1, () => 2],
          nested: { fine: 1, bad: Number.NaN },
          kept: 'yes',
        }),
      ],
      'iris',
    );
    expect(versionParameters(checked!)).toEqual({
      name: 'small',
      dataLoader: 'Numbers',
      batchSize: 16,
      epochCount: 5,
      kept: 'yes',
    });
  });
});
