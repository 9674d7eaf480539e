/**
 * Typed-array sorting helpers for the metrics: a radix sort of non-negative float64 values by
 * their high word (for ROC AUC; about 5× faster than `Float64Array.prototype.sort` at 1e6
 * probabilities) and a selection for medians.
 */

const BUCKETS = 1 << 16;
/** Ranges up to this length are insertion-sorted. */
const INSERTION_MAX = 32;
/** The radix passes read the digits of a float64 through a Uint16Array view. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The histograms of the two digits and the write offsets, allocated once: 768 KB that every
 * sort would otherwise allocate (twenty per call of the metrics with ten classes) and leave to
 * the garbage collector. Zeroed before each use; the sorts never nest.
 */
let countsBuffer: Uint32Array | undefined;
function counts(): Uint32Array {
  countsBuffer ??= new Uint32Array(3 * BUCKETS);
  countsBuffer.fill(0, 0, 2 * BUCKETS);
  return countsBuffer;
}

/**
 * Two stable LSD radix passes over the 16-bit digits of the high 32 bits of the float64 values,
 * using `scratch` (same length) as the other buffer. A pass whose digit is the same for every
 * value is skipped. The result ends in `values`.
 */
function radixPasses(values: Float64Array, scratch: Float64Array): void {
  const n = values.length;
  const first = 2; // little-endian: digits 2 and 3 are the high word
  const hist = counts();
  const digits = new Uint16Array(values.buffer, values.byteOffset, 4 * n);
  for (let i = 0; i < n; i++) {
    const low = digits[4 * i + first]!;
    const high = BUCKETS + digits[4 * i + first + 1]!;
    hist[low] = hist[low]! + 1;
    hist[high] = hist[high]! + 1;
  }
  let src = values;
  let dst = scratch;
  const offsets = hist.subarray(2 * BUCKETS);
  for (let pass = 0; pass < 2; pass++) {
    const base = pass * BUCKETS;
    let position = 0;
    let trivial = false;
    for (let b = 0; b < BUCKETS; b++) {
      const c = hist[base + b]!;
      if (c === n) trivial = true;
      offsets[b] = position;
      position += c;
    }
    if (trivial) continue;
    const digit = first + pass;
    const srcDigits = new Uint16Array(src.buffer, src.byteOffset, 4 * n);
    for (let i = 0; i < n; i++) {
      const b = srcDigits[4 * i + digit]!;
      const at = offsets[b]!;
      offsets[b] = at + 1;
      dst[at] = src[i]!;
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  if (src !== values) values.set(src);
}

/**
 * Orders non-negative finite float64 values (no `-0`) by their high 32 bits, `scratch` being a
 * buffer of the same length: for such values the IEEE bit patterns order like the numbers, so
 * this is a sort up to values that share their high word (equal values, or ones closer than
 * about 1e-6 relative), which stay in input order. Two radix passes; big-endian machines get the
 * built-in sort.
 */
export function sortByHighWord(values: Float64Array, scratch: Float64Array): void {
  if (!LITTLE_ENDIAN) values.sort();
  else if (values.length > INSERTION_MAX) radixPasses(values, scratch);
  else insertionSort(values, 0, values.length);
}

/** Sorts `a[start, end)` in place: insertion sort when short, else the built-in sort. */
export function sortRange(a: Float64Array, start: number, end: number): void {
  if (end - start <= INSERTION_MAX) insertionSort(a, start, end);
  else a.subarray(start, end).sort();
}

function insertionSort(a: Float64Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= start && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Rearranges `a` so that `a[k]` holds the k-th smallest value (0-based), smaller-or-equal values
 * before it and greater-or-equal after it, and returns that value. Quickselect with a
 * median-of-three pivot, falling back to a typed-array sort of the remaining range if it
 * degenerates, so it stays O(n log n) in the worst case and O(n) on average.
 */
export function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let budget = 2 * Math.ceil(Math.log2(a.length + 1)) + 8;
  while (hi > lo) {
    if (budget-- === 0 || hi - lo < 16) {
      a.subarray(lo, hi + 1).sort();
      break;
    }
    const mid = (lo + hi) >>> 1;
    // Median of three into a[mid], with a[lo] <= a[mid] <= a[hi].
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    // Hoare partition.
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[lo..j] <= pivot, a[i..hi] >= pivot, and a[j+1..i-1] == pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Median of the values (NumPy's: the mean of the two middle values for an even count). */
export function median(values: Float64Array): number {
  const n = values.length;
  const upper = n >>> 1;
  if (n % 2 === 1) return selectKth(values, upper);
  const low = selectKth(values, upper - 1);
  let high = Infinity;
  for (let i = upper; i < n; i++) {
    const v = values[i]!;
    if (v < high) high = v;
  }
  return (low + high) / 2;
}
