/**
 * `log_loss` and `roc_auc` of a classification run, from its predicted probabilities (`yScore`),
 * with scikit-learn's definitions (see `classificationMetrics`): the scores every other metric
 * of the run does without, and the only ones that read `yScore`.
 */
import { rocAuc } from './_auc.js';
import { defined } from './_defined.js';
import { compareLabels, type EncodedLabels } from './_labels.js';
import { labelList } from './input-checks.js';
import type { Label } from './types.js';

/** scikit-learn's `log_loss` clips probabilities to [eps, 1 - eps] with float64's eps. */
const EPS = Number.EPSILON;

function isOneDimensional(
  score: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
): score is ArrayLike<number> {
  return typeof score[0] === 'number';
}

function clip(p: number): number {
  return p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
}

export interface ScoreResult {
  logLoss: number | undefined;
  rocAuc: number | undefined;
}

/** At most this many yScore values (64 MiB) are copied column-wise at once for ROC AUC. */
const COLUMN_BLOCK_VALUES = 1 << 23;

/** `log_loss` and `roc_auc` from the predicted probabilities. */
export function probabilityMetrics(
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
