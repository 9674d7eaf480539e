import { sortByHighWord, sortRange } from './_sort.js';

/**
 * Area under the ROC curve of the scores in `values`: positives in `[0, positives)`, negatives
 * after them, none of them `-0` (the caller writes `v + 0`). Equal to scikit-learn's
 * trapezoidal `roc_auc_score`: the probability that a random positive outscores a random
 * negative, ties counting one half. `values` is reordered; `scratch` is a buffer as long.
 *
 * When every score is non-negative (probabilities), both groups are radix-sorted by their high
 * 32 bits only, then merged by high word: a negative with a lower high word is lower, and only
 * the (usually tiny) groups of positives and negatives sharing a high word are fully sorted and
 * compared value by value. Otherwise both groups get the built-in sort.
 */
export function rocAuc(
  values: Float64Array,
  positives: number,
  scratch: Float64Array,
  nonNegative: boolean,
): number {
  const n = values.length;
  const pos = values.subarray(0, positives);
  const neg = values.subarray(positives, n);
  let area: number;
  if (nonNegative) {
    sortByHighWord(pos, scratch.subarray(0, positives));
    sortByHighWord(neg, scratch.subarray(positives, n));
    area = mergeByHighWord(pos, neg);
  } else {
    pos.sort();
    neg.sort();
    area = mergeSorted(pos, 0, pos.length, neg, 0, neg.length);
  }
  return area / positives / (n - positives);
}

/**
 * Σ over positives of (negatives below + ½ negatives equal), for sorted `pos[p0, p1)` and
 * `neg[n0, n1)`, counting only the negatives of that range.
 */
function mergeSorted(
  pos: Float64Array,
  p0: number,
  p1: number,
  neg: Float64Array,
  n0: number,
  n1: number,
): number {
  let area = 0;
  let below = n0; // first negative not below the current positive value
  let i = p0;
  while (i < p1) {
    const v = pos[i]!;
    let run = i + 1;
    while (run < p1 && pos[run] === v) run++;
    while (below < n1 && neg[below]! < v) below++;
    let equal = below;
    while (equal < n1 && neg[equal] === v) equal++;
    area += (run - i) * (below - n0 + (equal - below) / 2);
    below = equal;
    i = run;
  }
  return area;
}

/** {@link mergeSorted} for groups ordered by high word only (see {@link rocAuc}). */
function mergeByHighWord(pos: Float64Array, neg: Float64Array): number {
  const posWords = new Uint32Array(pos.buffer, pos.byteOffset, 2 * pos.length);
  const negWords = new Uint32Array(neg.buffer, neg.byteOffset, 2 * neg.length);
  const p = pos.length;
  const m = neg.length;
  let area = 0;
  let below = 0; // negatives whose high word is below the current positives'
  let i = 0;
  while (i < p) {
    const hi = posWords[2 * i + 1]!;
    let run = i + 1;
    while (run < p && posWords[2 * run + 1] === hi) run++;
    while (below < m && negWords[2 * below + 1]! < hi) below++;
    let same = below;
    while (same < m && negWords[2 * same + 1] === hi) same++;
    if (same === below) {
      area += (run - i) * below;
    } else {
      // Positives and negatives share this high word: compare their full values.
      sortRange(pos, i, run);
      sortRange(neg, below, same);
      area += (run - i) * below + mergeSorted(pos, i, run, neg, below, same);
    }
    below = same;
    i = run;
  }
  return area;
}
