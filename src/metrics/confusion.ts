/**
 * How a run's confusion matrix is counted and kept: as its non-zero cells (compressed sparse
 * rows), counted in O(n + K), with the dense K×K `counts` built only when a caller reads them.
 * `classificationMetrics` fills it; the confusion table and plot read its cells.
 */
import { ConfusionMatrix } from 'ml-confusion-matrix';
import type { ConfusionCounts, Label } from './types.js';

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
 * `classificationMetrics`; counts built elsewhere are read cell by cell.
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
export function sparseConfusion(
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
export function lazyConfusionCounts(sparse: SparseConfusion): ConfusionCounts {
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
