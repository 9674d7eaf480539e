import { describe, expect, it } from 'vitest';
import { Registry, registry, type Samples } from '../../src/experiments/registry.js';
import { ValidationError } from '../../src/errors.js';

class Forest {
  constructor(readonly options: { trees: number }) {}
  fit(): void {
    // nothing to learn
  }
  predict(x: number[][]): number[] {
    return x.map(() => this.options.trees);
  }
}
class Boost {
  fit(): void {
    // nothing to learn
  }
  predict(x: number[][]): number[] {
    return x.map(() => 0);
  }
}
class Csv {
  load(): Promise<Samples> {
    return Promise.resolve({ x: [[1], [2]], y: [1, 2] });
  }
}
class Identity {
  transform(data: Samples): Samples {
    return data;
  }
}

describe('Registry', () => {
  it('registers classes per kind and constructs them with their params', async () => {
    const scoped = new Registry()
      .model('forest', Forest)
      .model('boost', Boost)
      .dataset('csv', Csv)
      .featureGenerator('identity', Identity);
    expect(scoped.names('model')).toEqual(['boost', 'forest']);
    expect(scoped.get('model', 'forest')).toBe(Forest);
    const model = scoped.create('model', 'forest', { trees: 3 });
    expect(model).toBeInstanceOf(Forest);
    expect(await model.predict([[0], [0]])).toEqual([3, 3]);
    // Kinds are separate: a dataset name is not a model name.
    expect(() => scoped.get('model', 'csv')).toThrow(ValidationError);
  });

  it('accepts the same class twice under a name, but never another one', () => {
    const scoped = new Registry().model('forest', Forest);
    expect(() => scoped.model('forest', Forest)).not.toThrow();
    const error = captured(() => scoped.model('forest', Boost));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ parameter: 'model' });
    expect(error.message).toMatch(/"forest" is already registered to the class Forest/);
    expect(scoped.get('model', 'forest')).toBe(Forest);
  });

  it('says which names are registered and suggests the closest for an unknown one', () => {
    const scoped = new Registry().model('random-forest', Forest).model('boost', Boost);
    const error = captured(() => scoped.get('model', 'random-forst'));
    expect(error).toMatchObject({ parameter: 'model' });
    expect(error.message).toContain('registered: boost, random-forest');
    expect(error.message).toContain('Did you mean "random-forest"?');
    const none = captured(() => scoped.get('featureGenerator', 'pca'));
    expect(none).toMatchObject({ parameter: 'featureGenerator' });
    expect(none.message).toMatch(
      /no feature generators are registered.*registry\.featureGenerator/,
    );
    expect(captured(() => scoped.get('dataset', 'x'))).toMatchObject({ parameter: 'dataset' });
  });

  it('rejects a bad name or something that is not a class', () => {
    const scoped = new Registry();
    expect(captured(() => scoped.model('', Forest))).toMatchObject({ parameter: 'name' });
    expect(captured(() => scoped.model(' forest', Forest))).toMatchObject({ parameter: 'name' });
    expect(captured(() => scoped.dataset('csv', {} as unknown as typeof Csv))).toMatchObject({
      parameter: 'Class',
    });
    expect(scoped.names('dataset')).toEqual([]);
  });

  it('clear() forgets everything; the shared registry is one Registry', () => {
    const scoped = new Registry().model('forest', Forest).dataset('csv', Csv);
    scoped.clear();
    expect([scoped.names('model'), scoped.names('dataset')]).toEqual([[], []]);
    expect(registry).toBeInstanceOf(Registry);
  });
});

function captured(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
