/**
 * `log_loss` and `roc_auc` of a classification run, from its predicted probabilities (`yScore`),
 * with scikit-learn's definitions (see `classificationMetrics`): the scores every other metric
 * of the run does without, and the only ones that read `yScore`.
 */
import { rocAuc } from './_auc.js';
import { defined } from './_defined.js';
import { compareLabels, type EncodedLabels } from './_labels.js';
import { labelList, throwBadScoreRow } from './input-checks.js';
import { borrowFloat64, giveBack } from './_scratch.js';
import { readRows, type BlockColumns, type RowPassInput } from './_score-rows.js';
import type { Label } from './types.js';

/** scikit-learn's `log_loss` clips probabilities to [eps, 1 - eps] with float64's eps. */
const EPS = Number.EPSILON;

function isOneDimensional(
  score: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
): score is ArrayLike<number> {
  return typeof score[0] === 'number';
}

function clip(p: number): number {
  return Math.min(Math.max(p, EPS), 1 - EPS);
}

export interface ScoreResult {
  logLoss: number | undefined;
  rocAuc: number | undefined;
}

/**
 * At most this many yScore values (128 MiB) are copied column-wise at once for ROC AUC: ten
 * classes at a million samples in one pass over the rows (each further pass costs about as much
 * as all the label metrics).
 */
const COLUMN_BLOCK_VALUES = 1 << 24;

/**
 * `log_loss` and `roc_auc` from the predicted probabilities. Rows of `yScore` are checked here,
 * in the pass that reads them (see `RowValueCheck`): a bad one throws the ValidationError the
 * input checks would have thrown, naming `yScoreName`.
 */
export function probabilityMetrics(
  yScoreName: string,
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
  const context: ScoreContext = { encoded, trueCodes, support, trueColumn };

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

  // One pass over the rows sums the log loss and copies the first block of scored columns; more
  // blocks (another pass each) only when n × scored classes exceeds COLUMN_BLOCK_VALUES.
  const rows = yScore;
  const block = Math.min(aucColumns.length, Math.max(1, Math.floor(COLUMN_BLOCK_VALUES / n)));
  const buffer = borrowFloat64((block + 1) * n);
  const parts = buffer.subarray(0, block * n);
  const scratch = buffer.subarray(block * n);
  const blockColumns = (start: number): BlockColumns => {
    const entries = aucColumns.slice(start, start + block);
    return {
      columns: Int32Array.from(entries, (entry) => entry.column),
      codes: Int32Array.from(entries, (entry) => entry.code),
    };
  };
  const first = readRows(rows, width, context, blockColumns(0), parts, trueColumn, true);
  if (first.badRow >= 0) {
    giveBack(buffer);
    throwBadScoreRow(yScoreName, rows, first.badRow, scoreLabels, 'scores');
  }
  const logLoss = width >= 2 ? defined(first.lossSum / n) : undefined;
  if (aucColumns.length === 0) {
    giveBack(buffer);
    return { logLoss, rocAuc: undefined };
  }

  let aucSum = 0;
  for (let start = 0; start < aucColumns.length; start += block) {
    const columns = blockColumns(start);
    const { nonNegative } =
      start === 0
        ? first.block
        : readRows(rows, width, context, columns, parts, undefined, false).block;
    columns.codes.forEach((code, b) => {
      const values = parts.subarray(b * n, (b + 1) * n);
      aucSum += rocAuc(values, support[code]!, scratch, nonNegative[b] === 1);
    });
  }
  giveBack(buffer);
  return { logLoss, rocAuc: defined(aucSum / aucColumns.length) };
}

interface ScoreContext extends RowPassInput {
  encoded: EncodedLabels;
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
    const buffer = borrowFloat64(2 * n);
    const parts = buffer.subarray(0, n);
    let nextPositive = 0;
    let nextNegative = positives;
    let nonNegative = true;
    for (let i = 0; i < n; i++) {
      const v = yScore[i]! + 0; // + 0 turns -0 into +0
      if (v < 0) nonNegative = false;
      if (trueCodes[i] === positiveCode) parts[nextPositive++] = v;
      else parts[nextNegative++] = v;
    }
    rocAucValue = defined(rocAuc(parts, positives, buffer.subarray(n), nonNegative));
    giveBack(buffer);
  }
  return { logLoss: defined(total / n), rocAuc: rocAucValue };
}
