import { defined } from './_defined.js';
import { median } from './_sort.js';
import { checkArray, checkLength, checkRegressionValues } from './input-checks.js';
import type { RegressionScores } from './types.js';

/** scikit-learn's `mean_absolute_percentage_error` divides by max(|y_true|, float64 eps). */
const EPS = Number.EPSILON;

/**
 * scikit-learn's `_assemble_r2_explained_variance` with `force_finite=True`: 1 - num/den, but
 * 1 for a perfect fit (num = 0) and 0 for an imperfect fit of a constant target (den = 0),
 * instead of nan / -inf.
 */
function forceFinite(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

/**
 * Computes the regression metrics of one logged run so that they agree with scikit-learn (the
 * reference a data scientist checks them against), in two passes over typed arrays plus a
 * linear-time median selection, so 1e6 samples cost a few milliseconds.
 *
 * Definitions, with e = yPred − yTrue (scikit-learn names):
 * - `mae`: `mean_absolute_error`, mean |e|; `mse`: `mean_squared_error`, mean e²; `rmse`: √mse.
 * - `mape`: `mean_absolute_percentage_error`, mean |e| / max(|yTrue|, eps) as a fraction, so
 *   a zero target gives a huge (finite) term, as in scikit-learn.
 * - `mbe`: mean bias error, mean e (positive when the model over-predicts).
 * - `rsquared`: `r2_score`; `explained_variance`: `explained_variance_score` (1 − Var(yTrue −
 *   yPred) / Var(yTrue)). Both with `force_finite`: 1 for a perfect fit, 0 for an imperfect fit
 *   of a constant target. `rsquared` is undefined for a single sample, as scikit-learn gives nan.
 * - `median_absolute_error`: median |e| (mean of the two middle values for an even count);
 *   `max_error`: max |e|.
 *
 * Means are shifted by the first value, so a constant target has exactly zero variance (its
 * r² is then decided by the `force_finite` rule, not by rounding noise). A metric that does not
 * fit in a float64 (only a ratio can, see `defined`) is `undefined`, never `Infinity`.
 *
 * @throws ValidationError when `yTrue` or `yPred` is missing or empty, their lengths differ, or
 *   a value is not a finite number within ±1e100 (larger magnitudes are sentinels for missing
 *   values in practice, and their squared errors would overflow).
 */
export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): RegressionScores {
  checkArray('yTrue', yTrue, 'the actual values');
  checkArray('yPred', yPred, 'the predicted values');
  checkLength('yPred', yPred, yTrue.length, 'yTrue');
  checkRegressionValues('yTrue', yTrue);
  checkRegressionValues('yPred', yPred);
  const n = yTrue.length;
  const absErrors = new Float64Array(n);
  const trueShift = yTrue[0]!;
  const diffShift = trueShift - yPred[0]!;

  let sumAbs = 0;
  let sumSquared = 0;
  let sumError = 0;
  let sumPercentage = 0;
  let maxAbs = 0;
  let sumTrue = 0; // of yTrue - trueShift
  let sumDiff = 0; // of (yTrue - yPred) - diffShift
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    const e = p - t;
    const a = Math.abs(e);
    absErrors[i] = a;
    sumAbs += a;
    sumSquared += e * e;
    sumError += e;
    const scale = Math.abs(t);
    sumPercentage += a / (scale > EPS ? scale : EPS);
    if (a > maxAbs) maxAbs = a;
    sumTrue += t - trueShift;
    sumDiff += t - p - diffShift;
  }
  const meanTrue = trueShift + sumTrue / n;
  const meanDiff = diffShift + sumDiff / n;

  let totalSquares = 0;
  let diffSquares = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    const d = t - meanTrue;
    totalSquares += d * d;
    const r = t - yPred[i]! - meanDiff;
    diffSquares += r * r;
  }

  const mse = sumSquared / n;
  return {
    mae: defined(sumAbs / n),
    mape: defined(sumPercentage / n),
    rmse: defined(Math.sqrt(mse)),
    mse: defined(mse),
    mbe: defined(sumError / n),
    rsquared: n < 2 ? undefined : defined(forceFinite(sumSquared, totalSquares)),
    explained_variance: defined(forceFinite(diffSquares / n, totalSquares / n)),
    median_absolute_error: defined(median(absErrors)),
    max_error: defined(maxAbs),
  };
}
