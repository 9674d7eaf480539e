/**
 * The passes over `yScore`'s rows (one object per sample): at a million samples, reading them is
 * most of what the probability metrics cost, so each pass reads every row once, in one loop with
 * no call or allocation per row or per value (a closure per row made the young generation collect
 * every few thousand rows), and copies what the ROC AUC needs into one typed array.
 */

/** scikit-learn's `log_loss` clips probabilities to [EPS, 1 - EPS] (float64's eps). */
const EPS = Number.EPSILON;
const ONE_MINUS_EPS = 1 - EPS;

/** What one pass reads besides the rows. */
export interface RowPassInput {
  /** Class index of each sample's true label. */
  trueCodes: Int32Array;
  /** Samples of each class in yTrue. */
  support: Float64Array;
}

/**
 * The scores of a block of columns, copied one-vs-rest as {@link rocAuc} wants them: segment `b`
 * of `parts` (`n` values from `b × n`) holds column `columns[b]`, the scores of samples of class
 * `codes[b]` first, the others after them, `-0` written as `+0`.
 */
export interface ScoreBlock {
  parts: Float64Array;
  /** `nonNegative[b]` is 1 when segment `b` holds no negative score. */
  nonNegative: Uint8Array;
}

/** Which columns a pass copies: the yScore column and the class index of each segment. */
export interface BlockColumns {
  columns: Int32Array;
  codes: Int32Array;
}

/**
 * Copies the block's columns from every row into `parts` (see {@link ScoreBlock}) and, when
 * `trueColumn` is given, returns Σ −log(p_true / Σ p) over the rows, each probability clipped as
 * scikit-learn's `log_loss` clips it (0 otherwise). With `check`, it is also the check of the
 * rows (the only time they are read, so a million rows are read once, not twice): `badRow` is
 * the first row that is not an array of `width` finite numbers (`-1`: none), and the pass stops
 * there.
 *
 * @param trueColumn the yScore column of each class, or undefined to skip the log loss.
 */
export function readRows(
  rows: ArrayLike<unknown>,
  width: number,
  input: RowPassInput,
  block: BlockColumns,
  parts: Float64Array,
  trueColumn: Int32Array | undefined,
  check: boolean,
): { block: ScoreBlock; lossSum: number; badRow: number } {
  const { trueCodes, support } = input;
  const n = trueCodes.length;
  const { columns, codes } = block;
  const count = columns.length;
  // The segment each class's samples are positives of (-1: none in this block).
  const segmentOf = new Int32Array(support.length).fill(-1);
  codes.forEach((code, b) => {
    if (code >= 0) segmentOf[code] = b;
  });
  const target: CopyTarget = {
    nextPositive: Int32Array.from(columns, (_, b) => b * n),
    nextNegative: Int32Array.from(codes, (code, b) => b * n + support[code]!),
    nonNegative: new Uint8Array(count).fill(1),
    parts,
    badRow: -1,
    touched: 0,
  };
  const lossSum = copyRows(
    rows,
    width,
    trueCodes,
    trueColumn ?? NO_LOSS,
    segmentOf,
    columns,
    target,
    check,
  );
  return { block: { parts, nonNegative: target.nonNegative }, lossSum, badRow: target.badRow };
}

/** Passed as `trueColumn` to {@link copyRows} to skip the log loss. */
const NO_LOSS = new Int32Array(0);

/**
 * How many rows ahead {@link copyRows} touches: rows live apart in memory, and a row read only
 * after the previous row's values were stored waits for memory each time (Float64Array rows:
 * copied about 4× slower without it).
 */
const AHEAD = 3;

interface CopyTarget {
  nextPositive: Int32Array;
  nextNegative: Int32Array;
  nonNegative: Uint8Array;
  parts: Float64Array;
  /** Set by {@link copyRows}: the first bad row, or -1. */
  badRow: number;
  /** What the touches of rows ahead read, kept so that the compiler keeps the reads. */
  touched: number;
}

/**
 * The loop of {@link readRows}, alone in its function: V8 optimizes a small function with plain
 * parameters as a whole, where the same loop inside the set-up code ran in on-stack-replaced
 * code that was left at every exit (three times slower at a million rows).
 */
function copyRows(
  rows: ArrayLike<unknown>,
  width: number,
  trueCodes: Int32Array,
  trueColumn: Int32Array,
  segmentOf: Int32Array,
  columns: Int32Array,
  target: CopyTarget,
  check: boolean,
): number {
  const { nextPositive, nextNegative, nonNegative, parts } = target;
  const n = trueCodes.length;
  const count = columns.length;
  const withLoss = trueColumn.length > 0;
  const last = width - 1;
  let lossSum = 0;
  let touched = 0;
  for (let i = 0; i < n; i++) {
    const ahead = rows[i + AHEAD < n ? i + AHEAD : i] as ArrayLike<unknown> | null | undefined;
    if (ahead != null) {
      const first = ahead[0];
      const end = ahead[last];
      if (typeof first === 'number' && typeof end === 'number') touched += first + end;
    }
    const value = rows[i];
    const isRow = Array.isArray(value) || ArrayBuffer.isView(value);
    if (check && !(isRow && (value as ArrayLike<unknown>).length === width)) {
      target.badRow = i;
      return lossSum;
    }
    const row = value as ArrayLike<number>;
    if (check || withLoss) {
      let sum = 0;
      for (let j = 0; j < width; j++) {
        const p = row[j]!;
        // NaN and ±Infinity give NaN; a value that is no number fails the typeof.
        if (check && (typeof p !== 'number' || p - p !== 0)) {
          target.badRow = i;
          return lossSum;
        }
        // np.clip's min(max(p, eps), 1 - eps); the same values as comparisons (NaN, -0
        // included), in a third of the time: conditional moves, not branches.
        sum += Math.min(Math.max(p, EPS), ONE_MINUS_EPS);
      }
      if (withLoss) {
        const p = Math.min(Math.max(row[trueColumn[trueCodes[i]!]!]!, EPS), ONE_MINUS_EPS);
        lossSum -= Math.log(p / sum);
      }
    }
    const positiveOf = segmentOf[trueCodes[i]!]!;
    for (let b = 0; b < count; b++) {
      const v = row[columns[b]!]! + 0; // + 0 turns -0 into +0
      if (v < 0) nonNegative[b] = 0;
      let at: number;
      if (b === positiveOf) {
        at = nextPositive[b]!;
        nextPositive[b] = at + 1;
      } else {
        at = nextNegative[b]!;
        nextNegative[b] = at + 1;
      }
      parts[at] = v;
    }
  }
  target.touched = touched;
  return lossSum;
}
