/** The feature generator of the example: standardised measurements. */
import type { FeatureGenerator, Samples } from 'ml-tracking';

/** Parameters of {@link Standardize}. */
export interface StandardizeParams {
  /** Divide by the standard deviation too (z-scores); `false` only centres. @default true */
  scale?: boolean;
}

/**
 * Centres every column on its mean and divides it by its standard deviation, so that no
 * measurement dominates a distance (the nearest-centroid model measures distances; the forest
 * does not care). The means are those of all the samples it is given: `trainModel` transforms
 * before it splits, which on a fixed, clean data set such as Iris moves nothing that matters,
 * and keeps a transform a pure function of the data set (what reproducing a run needs).
 * @example registry.featureGenerator('standardize', Standardize);
 */
export class Standardize implements FeatureGenerator {
  private readonly scale: boolean;

  constructor(params: StandardizeParams = {}) {
    this.scale = params.scale ?? true;
  }

  transform(data: Samples): Samples {
    const rows = data.x.map((row) => row.map(Number));
    const width = rows[0]?.length ?? 0;
    const means: number[] = [];
    const deviations: number[] = [];
    for (let column = 0; column < width; column++) {
      const values = rows.map((row) => row[column]!);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
      means.push(mean);
      // A constant column stays at zero rather than becoming NaN.
      deviations.push(this.scale && variance > 0 ? Math.sqrt(variance) : 1);
    }
    return {
      ...data,
      x: rows.map((row) =>
        row.map((value, column) => (value - means[column]!) / deviations[column]!),
      ),
    };
  }
}
