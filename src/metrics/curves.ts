/**
 * ROC, precision–recall and calibration curves, computed here for the plots of a classification
 * run. The areas are exact (scikit-learn's `roc_auc_score` and `average_precision_score` over
 * every distinct score); the curves drawn are thinned to at most {@link MAX_CURVE_POINTS}
 * points that keep their shape, so a plot of a million samples costs what one of a thousand
 * does. Inputs are trusted: `logExperiment` validated them (finite scores, probabilities in
 * [0, 1], one column per class).
 */
import { compareLabels } from './_labels.js';
import { sortByHighWord, sortRange } from './_sort.js';
import type { Label } from './types.js';

/** A curve drawn has at most about this many points, whatever the number of samples. */
export const MAX_CURVE_POINTS = 500;

/** Bins of a calibration curve: 10 of equal width over [0, 1], as scikit-learn's default. */
export const CALIBRATION_BINS = 10;

/** Points of a curve, in drawing order. */
export interface CurvePoints {
  x: Float64Array;
  y: Float64Array;
}

/** The curves of one class against the rest. */
export interface BinaryCurves {
  /** Samples of the class, and of every other class. */
  positives: number;
  negatives: number;
  /** False positive rate (x) against true positive rate (y), from (0, 0) to (1, 1). */
  roc: CurvePoints;
  /** scikit-learn's `roc_auc_score`: the trapezoidal area under the full curve. */
  rocAuc: number;
  /**
   * Recall (x) against precision (y), from (0, 1) through every threshold, as
   * `precision_recall_curve` gives it (in reverse); drawn as steps (precision holds up to each
   * point's recall).
   */
  precisionRecall: CurvePoints;
  /** scikit-learn's `average_precision_score`: Σ (Rₖ − Rₖ₋₁) Pₖ over the thresholds. */
  averagePrecision: number;
}

/**
 * The curves of scores where higher means "positive", given the scores of the positive and of
 * the negative samples; `undefined` when either group is empty (the curves are not defined).
 * Both arrays are sorted in place. Cost: two sorts, O(n log n); memory: two arrays as long as
 * the distinct scores.
 */
export function binaryCurves(
  positiveScores: Float64Array,
  negativeScores: Float64Array,
  maxPoints = MAX_CURVE_POINTS,
): BinaryCurves | undefined {
  const positives = positiveScores.length;
  const negatives = negativeScores.length;
  if (positives === 0 || negatives === 0) return undefined;
  sortScores(positiveScores);
  sortScores(negativeScores);

  // Walk the thresholds from the highest score down, every tie taken in one step.
  const truePositives = new Float64Array(positives + negatives + 1);
  const falsePositives = new Float64Array(positives + negatives + 1);
  let points = 1; // (0, 0) first
  let i = positives - 1;
  let j = negatives - 1;
  let tp = 0;
  let fp = 0;
  // Pairs (positive, negative) the scores order rightly, ties counting one half: an integer or
  // a half, exact in a double, divided as the metrics divide it so the AUC is the same number.
  let pairs = 0;
  let precisionSum = 0;
  while (i >= 0 || j >= 0) {
    const threshold = Math.max(
      i >= 0 ? positiveScores[i]! : -Infinity,
      j >= 0 ? negativeScores[j]! : -Infinity,
    );
    let dtp = 0;
    while (i >= 0 && positiveScores[i] === threshold) {
      i -= 1;
      dtp += 1;
    }
    let dfp = 0;
    while (j >= 0 && negativeScores[j] === threshold) {
      j -= 1;
      dfp += 1;
    }
    pairs += dfp * (tp + dtp / 2);
    tp += dtp;
    fp += dfp;
    if (dtp > 0) precisionSum += dtp * (tp / (tp + fp));
    truePositives[points] = tp;
    falsePositives[points] = fp;
    points += 1;
  }

  const rocX = new Float64Array(points);
  const rocY = new Float64Array(points);
  for (let k = 0; k < points; k += 1) {
    rocX[k] = falsePositives[k]! / negatives;
    rocY[k] = truePositives[k]! / positives;
  }
  // The (0, 1) start, then every threshold, as precision_recall_curve gives them (reversed).
  const recall = new Float64Array(points);
  const precision = new Float64Array(points);
  precision[0] = 1;
  for (let k = 1; k < points; k += 1) {
    recall[k] = truePositives[k]! / positives;
    // Every threshold takes at least one sample, so no 0/0 here.
    precision[k] = truePositives[k]! / (truePositives[k]! + falsePositives[k]!);
  }
  return {
    positives,
    negatives,
    roc: thin({ x: rocX, y: rocY }, maxPoints),
    rocAuc: pairs / positives / negatives,
    precisionRecall: thin({ x: recall, y: precision }, maxPoints),
    averagePrecision: precisionSum / positives,
  };
}

/**
 * Sorts scores ascending. Probabilities (no value below 0, no `-0`) go through a radix sort on
 * their high 32 bits, about 4× faster than the built-in sort at a million values, and then the
 * runs that share a high word (values within about 1e-6 of each other) are sorted in full.
 */
function sortScores(values: Float64Array): void {
  const n = values.length;
  let nonNegative = true;
  for (let k = 0; k < n && nonNegative; k += 1) {
    nonNegative = values[k]! > 0 || Object.is(values[k], 0);
  }
  if (!nonNegative || n < 1024) {
    values.sort();
    return;
  }
  sortByHighWord(values, new Float64Array(n));
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const high = LITTLE_ENDIAN ? 1 : 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && words[2 * end + high] === words[2 * start + high]) end += 1;
    if (end - start > 1) sortRange(values, start, end);
    start = end;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * At most about `maxPoints` points of a curve in the unit square, keeping its shape: a point is
 * kept when it lies at least 1/maxPoints of the curve's length from the last one kept, and the
 * first and last points always are. Nothing drawn moves by more than that step (under 2 px on
 * a 400 px plot at 500 points).
 */
export function thin(curve: CurvePoints, maxPoints: number): CurvePoints {
  const { x, y } = curve;
  const count = x.length;
  if (count <= maxPoints) return curve;
  // Math.hypot is several times slower than this, and a million points are walked.
  const distance = (dx: number, dy: number) => Math.sqrt(dx * dx + dy * dy);
  let length = 0;
  for (let k = 1; k < count; k += 1) length += distance(x[k]! - x[k - 1]!, y[k]! - y[k - 1]!);
  const step = length / maxPoints;
  const keptX = [x[0]!];
  const keptY = [y[0]!];
  for (let k = 1; k < count - 1; k += 1) {
    if (distance(x[k]! - keptX.at(-1)!, y[k]! - keptY.at(-1)!) >= step) {
      keptX.push(x[k]!);
      keptY.push(y[k]!);
    }
  }
  keptX.push(x[count - 1]!);
  keptY.push(y[count - 1]!);
  return { x: Float64Array.from(keptX), y: Float64Array.from(keptY) };
}

/** One non-empty bin of a calibration curve. */
export interface CalibrationBin {
  /** The bin is `(lower, upper]` (the first one includes 0). */
  lower: number;
  upper: number;
  /** Samples whose predicted probability falls in the bin. */
  count: number;
  /** Their mean predicted probability (scikit-learn's `prob_pred`). */
  meanPredicted: number;
  /** The fraction of them that are positive (scikit-learn's `prob_true`). */
  fractionPositive: number;
}

/** A reliability curve: how often what was predicted with probability p happened. */
export interface Calibration {
  /** The non-empty bins, in order. */
  bins: CalibrationBin[];
  /** Expected calibration error: Σ (count / n) · |fraction positive − mean predicted|. */
  expectedCalibrationError: number;
  samples: number;
}

/**
 * scikit-learn's `calibration_curve(y, p, n_bins=bins, strategy='uniform')` (edges as
 * `np.linspace(0, 1, bins + 1)`; a probability on an edge goes to the lower bin, as
 * `np.searchsorted` puts it), with the counts and the expected calibration error. One pass.
 */
export function calibrationCurve(
  probabilities: ArrayLike<number>,
  outcomes: ArrayLike<number | boolean>,
  bins = CALIBRATION_BINS,
): Calibration {
  // np.linspace's edges to the last bit: b × step, the last one exactly 1.
  const edges = Float64Array.from({ length: bins + 1 }, (_, b) =>
    b === bins ? 1 : b * (1 / bins),
  );
  const count = new Float64Array(bins);
  const sum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const n = probabilities.length;
  for (let k = 0; k < n; k += 1) {
    const p = probabilities[k]!;
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    while (b > 0 && p <= edges[b]!) b -= 1;
    while (b < bins - 1 && p > edges[b + 1]!) b += 1;
    count[b] = count[b]! + 1;
    sum[b] = sum[b]! + p;
    if (outcomes[k]) hits[b] = hits[b]! + 1;
  }
  const result: CalibrationBin[] = [];
  let error = 0;
  for (let b = 0; b < bins; b += 1) {
    const c = count[b]!;
    if (c === 0) continue;
    const bin = {
      lower: edges[b]!,
      upper: edges[b + 1]!,
      count: c,
      meanPredicted: sum[b]! / c,
      fractionPositive: hits[b]! / c,
    };
    error += (c / n) * Math.abs(bin.fractionPositive - bin.meanPredicted);
    result.push(bin);
  }
  return { bins: result, expectedCalibrationError: error, samples: n };
}

/** Input of {@link classificationCurves}: a run's labels and probabilities. */
export interface ClassificationCurvesInput {
  yTrue: ArrayLike<Label>;
  /** One probability per sample (binary: the positive class's), or one row per sample. */
  yScore: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** The classes seen in yTrue or yPred, sorted (`ClassificationScores.classes`). */
  classes: readonly Label[];
  /** The class of each yScore column. @default the problem's classes, sorted */
  columns?: readonly Label[] | undefined;
  /** The positive class of a binary problem. @default the greater of the two */
  positiveLabel?: Label | undefined;
  /** Most classes given a curve of their own (the most frequent in yTrue). @default 10 */
  maxClasses?: number;
  /** @default {@link MAX_CURVE_POINTS} */
  maxPoints?: number;
}

/** The curves of one class (against the rest). */
export interface ClassCurves extends BinaryCurves {
  label: Label;
}

/** Every curve of a run, as its plots show them. */
export interface ClassificationCurves {
  /**
   * `binary`: one curve, of the positive class. `multiclass`: one per class, one-vs-rest, for
   * the most frequent classes of yTrue (see `classesWithCurves`).
   */
  kind: 'binary' | 'multiclass';
  /** The positive class of a binary problem (`undefined` for multiclass). */
  positive: Label | undefined;
  /** In the order of the yScore columns. Classes absent from yTrue, or all of it, have none. */
  curves: ClassCurves[];
  /** Classes that could have a curve (in yTrue, not all of it); more than `curves` when capped. */
  classesWithCurves: number;
  /**
   * Binary: the positive class's probability against its occurrence. Multiclass: the top-label
   * confidence (the highest probability of a sample) against whether that class is the true one.
   */
  calibration: Calibration;
}

/**
 * ROC and precision–recall curves (one-vs-rest per class for more than two classes) and a
 * calibration curve of a classification run's probabilities. The class of a binary problem is
 * chosen as `classificationMetrics` chooses it, so the binary ROC AUC is the `roc_auc` metric
 * to the last bit, and the mean of every class's AUC is the multiclass (macro) one.
 */
export function classificationCurves(input: ClassificationCurvesInput): ClassificationCurves {
  const { yTrue, yScore, classes, positiveLabel } = input;
  const maxPoints = input.maxPoints ?? MAX_CURVE_POINTS;
  const n = yTrue.length;
  // A binary run that shows one class is still binary when the positive class is named.
  const problem =
    positiveLabel === undefined || classes.length >= 2 || classes.includes(positiveLabel)
      ? [...classes]
      : [...classes, positiveLabel].sort(compareLabels);
  const columns = input.columns ?? problem;

  if (isOneDimensional(yScore)) {
    const positive = positiveLabel ?? [...columns].sort(compareLabels)[1]!;
    const outcomes = Uint8Array.from({ length: n }, (_, k) => (yTrue[k] === positive ? 1 : 0));
    const curve = oneVsRest(yScore, outcomes, 1, maxPoints);
    return {
      kind: 'binary',
      positive,
      curves: curve ? [{ label: positive, ...curve }] : [],
      classesWithCurves: curve ? 1 : 0,
      calibration: calibrationCurve(yScore, outcomes),
    };
  }
  const rows = yScore;
  if (problem.length === 2) {
    const positive = positiveLabel ?? problem[1]!;
    const column = columns.indexOf(positive);
    const probabilities = Float64Array.from({ length: n }, (_, k) => rows[k]![column]!);
    const outcomes = Uint8Array.from({ length: n }, (_, k) => (yTrue[k] === positive ? 1 : 0));
    const curve = oneVsRest(probabilities, outcomes, 1, maxPoints);
    return {
      kind: 'binary',
      positive,
      curves: curve ? [{ label: positive, ...curve }] : [],
      classesWithCurves: curve ? 1 : 0,
      calibration: calibrationCurve(probabilities, outcomes),
    };
  }

  // The column of each sample's true class (-1: none), once; a class absent from yTrue (or all
  // of it) has no curve.
  const columnOf = new Map<Label, number>();
  columns.forEach((label, column) => columnOf.set(label, column));
  const trueColumn = new Int32Array(n);
  const support = new Float64Array(columns.length);
  for (let k = 0; k < n; k += 1) {
    const column = columnOf.get(yTrue[k]!) ?? -1;
    trueColumn[k] = column;
    if (column >= 0) support[column] = support[column]! + 1;
  }
  const eligible = columns
    .map((_, column) => column)
    .filter((column) => support[column]! > 0 && support[column]! < n);
  const maxClasses = input.maxClasses ?? 10;
  const drawn = [...eligible]
    .sort((a, b) => support[b]! - support[a]! || a - b)
    .slice(0, maxClasses)
    .sort((a, b) => a - b);
  const curves: ClassCurves[] = [];
  const scores = new Float64Array(n);
  for (const column of drawn) {
    for (let k = 0; k < n; k += 1) scores[k] = rows[k]![column]!;
    const curve = oneVsRest(scores, trueColumn, column, maxPoints);
    if (curve) curves.push({ label: columns[column]!, ...curve });
  }

  // Top-label calibration: the highest probability of each row, and whether it names the truth.
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let k = 0; k < n; k += 1) {
    const row = rows[k]!;
    let best = 0;
    for (let column = 1; column < row.length; column += 1) {
      if (row[column]! > row[best]!) best = column;
    }
    confidence[k] = row[best]!;
    correct[k] = best === trueColumn[k] ? 1 : 0;
  }
  return {
    kind: 'multiclass',
    positive: undefined,
    curves,
    classesWithCurves: eligible.length,
    calibration: calibrationCurve(confidence, correct),
  };
}

/**
 * The curves of one class against the rest: `scores[k]` is sample k's score for the class, and
 * the sample is of the class when `classOf[k] === positive`.
 */
function oneVsRest(
  scores: ArrayLike<number>,
  classOf: ArrayLike<number>,
  positive: number,
  maxPoints: number,
): BinaryCurves | undefined {
  const n = scores.length;
  let positives = 0;
  for (let k = 0; k < n; k += 1) if (classOf[k] === positive) positives += 1;
  const positiveScores = new Float64Array(positives);
  const negativeScores = new Float64Array(n - positives);
  let p = 0;
  let q = 0;
  for (let k = 0; k < n; k += 1) {
    // + 0 turns -0 into +0, so that a sort puts every zero together.
    if (classOf[k] === positive) positiveScores[p++] = scores[k]! + 0;
    else negativeScores[q++] = scores[k]! + 0;
  }
  return binaryCurves(positiveScores, negativeScores, maxPoints);
}

function isOneDimensional(
  yScore: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
): yScore is ArrayLike<number> {
  return yScore.length === 0 || typeof yScore[0] === 'number';
}
