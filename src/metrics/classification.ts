import { ConfusionMatrix } from 'ml-confusion-matrix';
import { rocAuc } from './_auc.js';
import { compareLabels, encodeLabels, type EncodedLabels } from './_labels.js';
import {
  checkArray,
  checkClassificationOptions,
  checkLabels,
  checkLength,
  labelList,
  problemClasses,
} from './input-checks.js';
import type {
  ClassificationOptions,
  ClassificationOverall,
  ClassificationScores,
  ConfusionCounts,
  Label,
  PerClassScores,
} from './types.js';

/** scikit-learn's `log_loss` clips probabilities to [eps, 1 - eps] with float64's eps. */
const EPS = Number.EPSILON;

const defined = (x: number): number | undefined => (Number.isFinite(x) ? x : undefined);

function isOneDimensional(
  score: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
): score is ArrayLike<number> {
  return typeof score[0] === 'number';
}

function clip(p: number): number {
  return p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
}

/**
 * Computes the classification metrics of one logged run so that they agree with scikit-learn
 * (to ~1e-12 in practice), the reference a data scientist checks them against, while staying
 * fast on millions of samples: labels are encoded to class indices once, every count-based
 * metric comes from the per-class counts (support, predicted, hits), the confusion matrix is
 * counted sparsely (no K×K work, so 10,000 classes are cheap), and ROC AUC radix-sorts typed
 * arrays. `confusion.counts` is built on first read: K² numbers, so avoid it for many classes
 * and read the non-zero cells with `confusionCells`.
 *
 * Classes are the labels seen in `yTrue` or `yPred`, sorted like `np.unique`. Definitions
 * (scikit-learn names, with `labels` = those classes and `zero_division=0`):
 * - `overall_accuracy`: `accuracy_score`; `balanced_accuracy`: `balanced_accuracy_score` (the
 *   mean recall over the classes present in `yTrue`).
 * - `precision_macro`, `recall_macro`, `f1_macro`, `f1_weighted` and `perClass`:
 *   `precision_recall_fscore_support`.
 * - `mcc`: `matthews_corrcoef` (0 when a marginal is constant, as scikit-learn returns);
 *   `cohen_kappa`: `cohen_kappa_score` (undefined where it is 0/0).
 * - `true_positive_rate` / `true_negative_rate`: for a binary problem (two classes, or one plus
 *   a different `options.positiveLabel`), those of the positive class (`options.positiveLabel`,
 *   else the greater label); otherwise their mean over the classes one-vs-rest, skipping
 *   classes where the rate is 0/0 (so the multiclass TPR equals `balanced_accuracy`).
 *   Undefined when no class has one.
 * - `log_loss`: `log_loss(labels=options.classes)`, probabilities clipped to [eps, 1-eps] and
 *   each row renormalized. Needs `yScore`, and at least two classes.
 * - `roc_auc`: binary: `roc_auc_score` of the positive class's probabilities (the 1-D `yScore`,
 *   or that class's column, even when `options.classes` lists more classes than the run shows,
 *   where scikit-learn would go one-vs-rest and raise). Otherwise
 *   `roc_auc_score(multi_class='ovr', average='macro')` over the columns, undefined (as
 *   scikit-learn raises) unless every column's class occurs in `yTrue` and no class is the
 *   whole of it.
 * - `n_classes`: the number of classes.
 *
 * A metric is `undefined` where scikit-learn raises or returns nan for the same input.
 *
 * @throws ValidationError before any work when an input is wrong: `yTrue` / `yPred` missing,
 *   empty, of different lengths, or holding values that are not labels (strings, integers,
 *   booleans) of one type; `options.classes` not distinct labels of that type covering every
 *   label of the run; `options.positiveLabel` not one of the two classes of a binary run;
 *   `options.yScore` not one finite number (or one row with a number per class) per sample.
 */
export function classificationMetrics(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ClassificationOptions = {},
): ClassificationScores {
  const labelType = checkLabels('yTrue', checkArray('yTrue', yTrue, 'the actual labels'));
  checkLength('yPred', checkArray('yPred', yPred, 'the predicted labels'), yTrue.length, 'yTrue');
  checkLabels('yPred', yPred, labelType);
  const n = yTrue.length;
  const encoded = encodeLabels(yTrue, yPred);
  const { classes, trueCodes, predCodes } = encoded;
  const k = classes.length;
  const scoreLabels = checkClassificationOptions(
    options,
    { seen: classes, labelType, n },
    OPTION_NAMES,
    'scores',
  );

  // The marginals and the diagonal in one pass over the samples: O(n + K), never O(K²).
  const support = new Float64Array(k); // row sums: samples of each class in yTrue
  const predicted = new Float64Array(k); // column sums
  const hits = new Float64Array(k); // diagonal
  for (let i = 0; i < n; i++) {
    const a = trueCodes[i]!;
    const p = predCodes[i]!;
    support[a] = support[a]! + 1;
    predicted[p] = predicted[p]! + 1;
    if (a === p) hits[a] = hits[a]! + 1;
  }

  const perClass: PerClassScores[] = [];
  let precisionSum = 0;
  let recallSum = 0;
  let f1Sum = 0;
  let f1WeightedSum = 0;
  let balancedSum = 0;
  let balancedCount = 0;
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = hits[c]!;
    const s = support[c]!;
    const pc = predicted[c]!;
    const precision = pc > 0 ? tp / pc : 0;
    const recall = s > 0 ? tp / s : 0;
    const denominator = precision + recall;
    const f1 = denominator > 0 ? (2 * precision * recall) / denominator : 0;
    perClass.push({ label: classes[c]!, precision, recall, f1, support: s });
    precisionSum += precision;
    recallSum += recall;
    f1Sum += f1;
    f1WeightedSum += f1 * s;
    if (s > 0) {
      balancedSum += recall;
      balancedCount++;
    }
    correct += tp;
  }

  // matthews_corrcoef, with scikit-learn's float64 operations.
  let dotTruePred = 0;
  let dotPredPred = 0;
  let dotTrueTrue = 0;
  for (let c = 0; c < k; c++) {
    const t = support[c]!;
    const p = predicted[c]!;
    dotTruePred += t * p;
    dotPredPred += p * p;
    dotTrueTrue += t * t;
  }
  const covTruePred = correct * n - dotTruePred;
  const covPredPred = n * n - dotPredPred;
  const covTrueTrue = n * n - dotTrueTrue;
  const mcc =
    covPredPred * covTrueTrue === 0 ? 0 : covTruePred / Math.sqrt(covTrueTrue * covPredPred);

  // cohen_kappa_score: 1 - observed disagreement / disagreement expected by chance.
  const expectedDisagreement = (n * n - dotTruePred) / n;
  const kappa = 1 - (n - correct) / expectedDisagreement;

  const problem = problemClasses(classes, options.positiveLabel);
  const positive = problem.length === 2 ? (options.positiveLabel ?? problem[1]!) : undefined;
  const rates = positiveRates(classes, hits, support, predicted, problem, positive);
  const scores =
    options.yScore === undefined
      ? { logLoss: undefined, rocAuc: undefined }
      : scoreMetrics(
          encoded,
          options.yScore,
          scoreLabels,
          problem,
          positive,
          options.positiveLabel,
        );

  const overall: ClassificationOverall = {
    overall_accuracy: correct / n,
    balanced_accuracy: balancedCount > 0 ? balancedSum / balancedCount : undefined,
    precision_macro: precisionSum / k,
    recall_macro: recallSum / k,
    f1_macro: f1Sum / k,
    f1_weighted: f1WeightedSum / n,
    true_positive_rate: rates.tpr,
    true_negative_rate: rates.tnr,
    mcc: defined(mcc),
    cohen_kappa: defined(kappa),
    log_loss: scores.logLoss,
    roc_auc: scores.rocAuc,
    n_classes: k,
  };
  const sparse = sparseConfusion(classes.slice(), trueCodes, predCodes, support);
  return { classes, overall, perClass, confusion: lazyConfusionCounts(sparse) };
}

/**
 * The non-zero cells of a confusion matrix, row by row (compressed sparse rows), classes indexed
 * like `labels`: the cells of actual class `a` sit at positions `rowStart[a]` to
 * `rowStart[a + 1] - 1` of `predicted` (the predicted class) and `count`, in increasing order of
 * predicted class. Its size is the number of distinct (actual, predicted) pairs, at most the
 * number of samples, however many classes there are.
 */
export interface SparseConfusion {
  labels: Label[];
  /** K + 1 offsets into `predicted` and `count`. */
  rowStart: Int32Array;
  predicted: Int32Array;
  count: Float64Array;
}

const sparseOf = new WeakMap<ConfusionCounts, SparseConfusion>();

/**
 * The non-zero cells of confusion counts, without building the K×K matrix when they come from
 * {@link classificationMetrics}; counts built elsewhere are read cell by cell.
 */
export function confusionCells(confusion: ConfusionCounts): SparseConfusion {
  const known = sparseOf.get(confusion);
  if (known !== undefined) return known;
  const { labels, counts } = confusion;
  const rowStart = new Int32Array(labels.length + 1);
  const predicted: number[] = [];
  const count: number[] = [];
  labels.forEach((_, a) => {
    counts[a]?.forEach((value, p) => {
      if (value !== 0) {
        predicted.push(p);
        count.push(value);
      }
    });
    rowStart[a + 1] = predicted.length;
  });
  return {
    labels,
    rowStart,
    predicted: Int32Array.from(predicted),
    count: Float64Array.from(count),
  };
}

/** Up to this many classes, pairs are counted in one K×K typed array (8 MB at most): one pass. */
const DENSE_COUNT_MAX_CLASSES = 1024;

/** {@link sparseConfusion} for few classes: a dense count, then its non-zero cells. */
function denseConfusion(
  labels: Label[],
  trueCodes: Int32Array,
  predCodes: Int32Array,
): SparseConfusion {
  const k = labels.length;
  const dense = new Float64Array(k * k);
  for (let i = 0; i < trueCodes.length; i++) {
    const cell = trueCodes[i]! * k + predCodes[i]!;
    dense[cell] = dense[cell]! + 1;
  }
  let cells = 0;
  for (const value of dense) if (value !== 0) cells++;
  const rowStart = new Int32Array(k + 1);
  const predicted = new Int32Array(cells);
  const count = new Float64Array(cells);
  let at = 0;
  for (let a = 0; a < k; a++) {
    for (let p = 0; p < k; p++) {
      const value = dense[a * k + p]!;
      if (value !== 0) {
        predicted[at] = p;
        count[at++] = value;
      }
    }
    rowStart[a + 1] = at;
  }
  return { labels, rowStart, predicted, count };
}

/**
 * Counts the (actual, predicted) pairs in O(n + K) time and O(n + K) memory: a counting sort
 * groups the samples by actual class, then each group is tallied over one scratch row of K
 * counts that is cleared after it. Dense counting would need K² cells: 800 MB at 10,000 classes.
 */
function sparseConfusion(
  labels: Label[],
  trueCodes: Int32Array,
  predCodes: Int32Array,
  support: Float64Array,
): SparseConfusion {
  const n = trueCodes.length;
  const k = labels.length;
  if (k <= DENSE_COUNT_MAX_CLASSES) return denseConfusion(labels, trueCodes, predCodes);
  const groupEnd = new Int32Array(k);
  for (let a = 1; a < k; a++) groupEnd[a] = groupEnd[a - 1]! + support[a - 1]!;
  const grouped = new Int32Array(n); // predicted codes, grouped by actual class
  for (let i = 0; i < n; i++) {
    const a = trueCodes[i]!;
    grouped[groupEnd[a]!] = predCodes[i]!;
    groupEnd[a] = groupEnd[a]! + 1;
  }

  const tally = new Float64Array(k);
  const touched = new Int32Array(k);
  // Calls `emit` with each row's distinct predicted classes, sorted, and leaves `tally` clear.
  const tallyRows = (emit: (a: number, columns: Int32Array) => void) => {
    let start = 0;
    for (let a = 0; a < k; a++) {
      const end = groupEnd[a]!;
      let distinct = 0;
      for (let j = start; j < end; j++) {
        const p = grouped[j]!;
        if (tally[p] === 0) touched[distinct++] = p;
        tally[p] = tally[p]! + 1;
      }
      const columns = touched.subarray(0, distinct).sort();
      emit(a, columns);
      for (const p of columns) tally[p] = 0;
      start = end;
    }
  };

  // Twice over the groups: once to size the arrays exactly, once to fill them.
  const rowStart = new Int32Array(k + 1);
  tallyRows((a, columns) => {
    rowStart[a + 1] = rowStart[a]! + columns.length;
  });
  const cells = rowStart[k]!;
  const predicted = new Int32Array(cells);
  const count = new Float64Array(cells);
  tallyRows((a, columns) => {
    let at = rowStart[a]!;
    for (const p of columns) {
      predicted[at] = p;
      count[at] = tally[p]!;
      at++;
    }
  });
  return { labels, rowStart, predicted, count };
}

/**
 * `ConfusionCounts` whose dense `counts` are built from the sparse cells on first read only, so
 * a run of thousands of classes never allocates K² numbers unless a caller asks for them.
 */
function lazyConfusionCounts(sparse: SparseConfusion): ConfusionCounts {
  const { labels, rowStart, predicted, count } = sparse;
  const confusion = { labels } as ConfusionCounts;
  Object.defineProperty(confusion, 'counts', {
    enumerable: true,
    configurable: true,
    get(): number[][] {
      const counts = labels.map((_, a) => {
        const row = new Array<number>(labels.length).fill(0);
        for (let at = rowStart[a]!; at < rowStart[a + 1]!; at++) row[predicted[at]!] = count[at]!;
        return row;
      });
      Object.defineProperty(confusion, 'counts', {
        value: counts,
        enumerable: true,
        writable: true,
      });
      return counts;
    },
  });
  sparseOf.set(confusion, sparse);
  return confusion;
}

/**
 * True positive / true negative rates from the confusion marginals, one-vs-rest: for class c,
 * TPR = TP / support and TNR = TN / (n − support), with TN = n − support − predicted + TP.
 * O(K), so thousands of classes stay cheap (ml-confusion-matrix's per-label getters are O(K²)
 * each; {@link toConfusionMatrix} gives them to callers who want its wider API).
 */
function positiveRates(
  classes: Label[],
  hits: Float64Array,
  support: Float64Array,
  predicted: Float64Array,
  problem: Label[],
  positive: Label | undefined,
): { tpr: number | undefined; tnr: number | undefined } {
  const n = support.reduce((sum, s) => sum + s, 0);
  // A Map, not indexOf: one indexOf per class would make thousands of classes O(K²).
  const codeOf = new Map(classes.map((label, c) => [label, c]));
  const rates = (label: Label): [number, number] => {
    const c = codeOf.get(label) ?? -1;
    // A positive label absent from this run: no true, predicted or hit samples.
    const tp = c < 0 ? 0 : hits[c]!;
    const s = c < 0 ? 0 : support[c]!;
    const p = c < 0 ? 0 : predicted[c]!;
    return [tp / s, (n - s - p + tp) / (n - s)];
  };
  if (positive !== undefined) {
    if (!problem.includes(positive)) {
      throw new Error(
        `Internal error: ${String(positive)} is not one of the classes ${labelList(problem)}, after the input checks`,
      );
    }
    const [tpr, tnr] = rates(positive);
    return { tpr: defined(tpr), tnr: defined(tnr) };
  }
  let tprSum = 0;
  let tprCount = 0;
  let tnrSum = 0;
  let tnrCount = 0;
  for (const label of problem) {
    const [tpr, tnr] = rates(label);
    if (Number.isFinite(tpr)) {
      tprSum += tpr;
      tprCount++;
    }
    if (Number.isFinite(tnr)) {
      tnrSum += tnr;
      tnrCount++;
    }
  }
  return {
    tpr: tprCount > 0 ? tprSum / tprCount : undefined,
    tnr: tnrCount > 0 ? tnrSum / tnrCount : undefined,
  };
}

/**
 * The confusion counts of a run as an ml-confusion-matrix `ConfusionMatrix`, for its per-class
 * API (negative predictive value, false discovery rate, informedness, …) beyond the metrics
 * computed here.
 */
export function toConfusionMatrix(confusion: ConfusionCounts): ConfusionMatrix<Label> {
  return new ConfusionMatrix<Label>(
    confusion.counts.map((row) => row.slice()),
    confusion.labels.slice(),
  );
}

interface ScoreResult {
  logLoss: number | undefined;
  rocAuc: number | undefined;
}

/** At most this many yScore values (64 MiB) are copied column-wise at once for ROC AUC. */
const COLUMN_BLOCK_VALUES = 1 << 23;

/** The names of the options in error messages. */
const OPTION_NAMES = {
  yScore: 'options.yScore',
  classes: 'options.classes',
  positiveLabel: 'options.positiveLabel',
};

/** `log_loss` and `roc_auc` from the predicted probabilities. */
function scoreMetrics(
  encoded: EncodedLabels,
  yScore: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  scoreLabels: readonly Label[],
  problem: Label[],
  positive: Label | undefined,
  positiveLabel: Label | undefined,
): ScoreResult {
  const { classes, trueCodes } = encoded;
  const n = trueCodes.length;
  if (yScore.length !== n) {
    throw new Error(
      `Internal error: yScore has ${yScore.length} entries for ${n} samples, after the input checks`,
    );
  }
  // The yScore column of each class's true samples; every class of yTrue needs one.
  const columnOf = new Map<Label, number>();
  scoreLabels.forEach((label, column) => columnOf.set(label, column));
  const support = new Float64Array(classes.length);
  for (let i = 0; i < n; i++) {
    const c = trueCodes[i]!;
    support[c] = support[c]! + 1;
  }
  const trueColumn = new Int32Array(classes.length);
  classes.forEach((label, c) => {
    const column = columnOf.get(label);
    if (column === undefined && support[c]! > 0) {
      throw new Error(
        `Internal error: yTrue holds ${String(label)}, which is not among the yScore columns (${labelList(scoreLabels)}), after the input checks`,
      );
    }
    trueColumn[c] = column ?? -1;
  });
  const context: ScoreContext = { encoded, support, trueColumn };

  if (isOneDimensional(yScore)) {
    return binaryScoreMetrics(context, yScore, scoreLabels, positiveLabel);
  }

  // Columns to score one-vs-rest, with the class each stands for; none if AUC is undefined.
  const width = scoreLabels.length;
  let aucColumns: { column: number; code: number }[] = [];
  if (positive !== undefined) {
    const column = columnOf.get(positive);
    if (column === undefined) {
      throw new Error(
        `Internal error: the positive class ${String(positive)} has no yScore column (${labelList(scoreLabels)}), after the input checks`,
      );
    }
    aucColumns = [{ column, code: classes.indexOf(positive) }];
  } else if (problem.length > 2) {
    aucColumns = scoreLabels.map((label, column) => ({ column, code: classes.indexOf(label) }));
  }
  // scikit-learn raises when a scored class is absent from yTrue, or is all of it.
  for (const { code } of aucColumns) {
    const s = code < 0 ? 0 : support[code]!;
    if (s === 0 || s === n) aucColumns = [];
  }

  // One pass over the rows checks their widths, sums the log loss and copies the scores of the
  // first block of scored columns, positives first (see partitionColumns).
  const block = Math.min(aucColumns.length, Math.max(1, Math.floor(COLUMN_BLOCK_VALUES / n)));
  const parts = new Float64Array(block * n);
  const first = partitionColumns(parts, aucColumns.slice(0, block), context);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = yScore[i]!;
    if (row.length !== width) {
      throw new Error(
        `Internal error: row ${i} has ${row.length} probabilities for ${width} classes (${labelList(scoreLabels)}), after the input checks`,
      );
    }
    let sum = 0;
    for (let j = 0; j < width; j++) sum += clip(row[j]!);
    total -= Math.log(clip(row[trueColumn[trueCodes[i]!]!]!) / sum);
    first.add(i, row);
  }
  const logLoss = width >= 2 ? defined(total / n) : undefined;
  if (aucColumns.length === 0) return { logLoss, rocAuc: undefined };

  const scratch = new Float64Array(n);
  let aucSum = 0;
  for (let start = 0; start < aucColumns.length; start += block) {
    const columns = aucColumns.slice(start, start + block);
    let partition = first;
    if (start > 0) {
      // Only when n × scored classes exceeds COLUMN_BLOCK_VALUES: another pass over the rows.
      partition = partitionColumns(parts, columns, context);
      for (let i = 0; i < n; i++) partition.add(i, yScore[i]!);
    }
    columns.forEach(({ code }, b) => {
      const positives = context.support[code]!;
      const values = parts.subarray(b * n, (b + 1) * n);
      aucSum += rocAuc(values, positives, scratch, partition.nonNegative[b] === 1);
    });
  }
  return { logLoss, rocAuc: defined(aucSum / aucColumns.length) };
}

/**
 * Copies score columns, row by row, into consecutive segments of `parts` (one of n values per
 * column), each segment holding the scores of its class's true samples first and the others
 * after, as {@link rocAuc} wants them; `nonNegative[b]` stays 1 while column b has no negative
 * score.
 */
function partitionColumns(
  parts: Float64Array,
  columns: readonly { column: number; code: number }[],
  context: ScoreContext,
) {
  const { trueCodes } = context.encoded;
  const n = trueCodes.length;
  const count = columns.length;
  const column = Int32Array.from(columns, (entry) => entry.column);
  const code = Int32Array.from(columns, (entry) => entry.code);
  // Write positions: positives from the start of each segment, the others after them.
  const nextPositive = Int32Array.from(columns, (_, b) => b * n);
  const nextNegative = Int32Array.from(columns, (entry, b) => b * n + context.support[entry.code]!);
  const nonNegative = new Uint8Array(count).fill(1);
  return {
    nonNegative,
    add(i: number, row: ArrayLike<number>): void {
      const t = trueCodes[i]!;
      for (let b = 0; b < count; b++) {
        const v = row[column[b]!]! + 0; // + 0 turns -0 into +0
        if (v < 0) nonNegative[b] = 0;
        if (code[b] === t) {
          const at = nextPositive[b]!;
          nextPositive[b] = at + 1;
          parts[at] = v;
        } else {
          const at = nextNegative[b]!;
          nextNegative[b] = at + 1;
          parts[at] = v;
        }
      }
    },
  };
}

interface ScoreContext {
  encoded: EncodedLabels;
  /** Samples of each class in yTrue. */
  support: Float64Array;
  /** The yScore column of each class (-1: none). */
  trueColumn: Int32Array;
}

/** Scores given as the positive class's probability per sample. */
function binaryScoreMetrics(
  context: ScoreContext,
  yScore: ArrayLike<number>,
  scoreLabels: readonly Label[],
  positiveLabel: Label | undefined,
): ScoreResult {
  if (scoreLabels.length > 2) {
    throw new Error(
      `Internal error: yScore holds one probability per sample, but there are ${scoreLabels.length} classes, after the input checks`,
    );
  }
  if (scoreLabels.length < 2) return { logLoss: undefined, rocAuc: undefined };
  const sorted = [...scoreLabels].sort(compareLabels);
  const positive = positiveLabel ?? sorted[1]!;
  if (!scoreLabels.includes(positive)) {
    throw new Error(
      `Internal error: ${String(positive)} is not one of the classes ${labelList(scoreLabels)}, after the input checks`,
    );
  }
  const { classes, trueCodes } = context.encoded;
  const n = trueCodes.length;
  const positiveCode = classes.indexOf(positive);

  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = clip(yScore[i]!);
    const q = 1 - p;
    total -= Math.log((trueCodes[i] === positiveCode ? p : q) / (q + p));
  }
  const positives = positiveCode < 0 ? 0 : context.support[positiveCode]!;
  let rocAucValue: number | undefined;
  if (positives > 0 && positives < n) {
    // The scores, those of the positive class's samples first (as rocAuc wants them).
    const parts = new Float64Array(n);
    let nextPositive = 0;
    let nextNegative = positives;
    let nonNegative = true;
    for (let i = 0; i < n; i++) {
      const v = yScore[i]! + 0; // + 0 turns -0 into +0
      if (v < 0) nonNegative = false;
      if (trueCodes[i] === positiveCode) parts[nextPositive++] = v;
      else parts[nextNegative++] = v;
    }
    rocAucValue = defined(rocAuc(parts, positives, new Float64Array(n), nonNegative));
  }
  return { logLoss: defined(total / n), rocAuc: rocAucValue };
}
