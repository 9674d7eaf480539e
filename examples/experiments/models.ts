/**
 * The two models of the example, behind the registry's common `Model` interface (`fit`,
 * `predict`, `params`): a random forest from ml.js and a nearest-centroid classifier written out
 * in full, to show that any class with those three methods can be registered.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import type { Model, Samples } from 'ml-tracking';

type Rows = Samples['x'];
type Labels = Samples['y'];
type Label = Labels[number];

/** Rows of features as numbers: both models measure, so a text feature is a mistake. */
function numericRows(x: Rows, model: string): number[][] {
  return x.map((row, index) =>
    row.map((value, column) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(
          `${model}: feature ${column} of row ${index} is ${JSON.stringify(value)}, not a number`,
        );
      }
      return value;
    }),
  );
}

/** Parameters of {@link RandomForestModel}: its hyperparameters, recorded with every run. */
export interface RandomForestParams {
  /** Trees in the forest. @default 25 */
  nEstimators?: number;
  /** The share of features each tree sees (0–1). @default 0.75 */
  maxFeatures?: number;
  /** Seed of the trees' feature and sample draws: the same seed trains the same forest. @default 42 */
  seed?: number;
}

/**
 * `RandomForestClassifier` of `ml-random-forest`, seeded, so that training twice on the same
 * data gives the same forest (reproducing a run gives the same metrics). The forest learns class
 * numbers; the model maps them to and from the labels it was given.
 * @example registry.model('random-forest', RandomForestModel);
 */
export class RandomForestModel implements Model {
  private readonly settings: Required<RandomForestParams>;
  private readonly forest: RandomForestClassifier;
  private classes: Label[] = [];

  constructor(params: RandomForestParams = {}) {
    this.settings = {
      nEstimators: params.nEstimators ?? 25,
      maxFeatures: params.maxFeatures ?? 0.75,
      seed: params.seed ?? 42,
    };
    // Out-of-bag estimates cost time and are not used: the held-out test part scores the model.
    this.forest = new RandomForestClassifier({ ...this.settings, noOOB: true });
  }

  fit(x: Rows, y: Labels): void {
    this.classes = [...new Set(y)].sort((a, b) => String(a).localeCompare(String(b)));
    this.forest.train(
      numericRows(x, 'RandomForestModel'),
      y.map((label) => this.classes.indexOf(label)),
    );
  }

  predict(x: Rows): Label[] {
    return this.forest
      .predict(numericRows(x, 'RandomForestModel'))
      .map((index) => this.classes[index]!);
  }

  params(): Required<RandomForestParams> {
    return { ...this.settings };
  }

  /** The same, under the name `logExperiment` reads a model's hyperparameters by. */
  getParams(): Required<RandomForestParams> {
    return this.params();
  }
}

/** Parameters of {@link NearestCentroidModel}. */
export interface NearestCentroidParams {
  /** How distance to a centroid is measured. @default 'euclidean' */
  metric?: 'euclidean' | 'manhattan';
}

/**
 * Each class is the mean of its training rows (its centroid); a row is predicted as the class of
 * the nearest centroid. No randomness: the same data always gives the same model.
 * @example registry.model('nearest-centroid', NearestCentroidModel);
 */
export class NearestCentroidModel implements Model {
  private readonly metric: 'euclidean' | 'manhattan';
  private centroids: { label: Label; centre: number[] }[] = [];

  constructor(params: NearestCentroidParams = {}) {
    this.metric = params.metric ?? 'euclidean';
  }

  fit(x: Rows, y: Labels): void {
    const rows = numericRows(x, 'NearestCentroidModel');
    const sums = new Map<Label, { total: number[]; count: number }>();
    rows.forEach((row, index) => {
      const label = y[index]!;
      const sum = sums.get(label) ?? { total: row.map(() => 0), count: 0 };
      row.forEach((value, column) => {
        sum.total[column] = sum.total[column]! + value;
      });
      sum.count += 1;
      sums.set(label, sum);
    });
    this.centroids = [...sums]
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([label, { total, count }]) => ({ label, centre: total.map((value) => value / count) }));
  }

  predict(x: Rows): Label[] {
    if (this.centroids.length === 0) throw new Error('NearestCentroidModel: predict before fit');
    return numericRows(x, 'NearestCentroidModel').map((row) => {
      let best = this.centroids[0]!;
      let bestDistance = Infinity;
      for (const centroid of this.centroids) {
        const distance = this.distance(row, centroid.centre);
        // Strictly nearer: a tie keeps the first class in label order, the same on every run.
        if (distance < bestDistance) {
          best = centroid;
          bestDistance = distance;
        }
      }
      return best.label;
    });
  }

  params(): Required<NearestCentroidParams> {
    return { metric: this.metric };
  }

  /** The same, under the name `logExperiment` reads a model's hyperparameters by. */
  getParams(): Required<NearestCentroidParams> {
    return this.params();
  }

  /** The centroids by label, e.g. to keep them as a run's output. */
  toJSON(): { metric: string; centroids: { label: Label; centre: number[] }[] } {
    return { metric: this.metric, centroids: this.centroids };
  }

  private distance(row: number[], centre: number[]): number {
    let total = 0;
    for (let column = 0; column < row.length; column++) {
      const difference = row[column]! - centre[column]!;
      total += this.metric === 'manhattan' ? Math.abs(difference) : difference * difference;
    }
    return this.metric === 'manhattan' ? total : Math.sqrt(total);
  }
}
