import type { Label } from './types.js';

/**
 * Maps a UTF-16 code unit so that comparing mapped units orders strings by code point:
 * surrogates (U+D800–U+DFFF, which encode code points above U+FFFF) move above U+E000–U+FFFF.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/**
 * Orders labels the way NumPy's `np.unique` (and so scikit-learn) does: numbers numerically,
 * strings by Unicode code point (NumPy stores them as UTF-32; plain `<` on JavaScript strings
 * compares UTF-16 code units, which differs for characters above U+FFFF), `false` before `true`.
 * Labels of different types have no order: a run uses one label type.
 */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const ua = a.charCodeAt(i);
      const ub = b.charCodeAt(i);
      if (ua !== ub) return codePointRank(ua) - codePointRank(ub);
    }
    return a.length - b.length;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // The input checks (input-checks.ts) let one label type per run through, as scikit-learn does.
  throw new Error(
    `Internal error: cannot order labels of different types (${typeof a} ${String(a)}, ${typeof b} ${String(b)})`,
  );
}

/** Labels encoded once as integer class indices. */
export interface EncodedLabels {
  /** The classes seen in yTrue or yPred, sorted with {@link compareLabels}. */
  classes: Label[];
  /** Class index of each sample's true label. */
  trueCodes: Int32Array;
  /** Class index of each sample's predicted label. */
  predCodes: Int32Array;
}

/**
 * Encodes both label arrays with one Map lookup per label (indices in order of first
 * appearance), sorts the distinct classes, then remaps the codes to sorted order in a second
 * typed-array pass. Nothing here is K×K: thousands of classes cost what their samples cost.
 */
export function encodeLabels(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): EncodedLabels {
  const n = yTrue.length;
  const index = new Map<Label, number>();
  const seen: Label[] = [];
  const trueCodes = new Int32Array(n);
  const predCodes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    let ct = index.get(t);
    if (ct === undefined) {
      ct = seen.length;
      index.set(t, ct);
      seen.push(t);
    }
    trueCodes[i] = ct;
    const p = yPred[i]!;
    let cp = index.get(p);
    if (cp === undefined) {
      cp = seen.length;
      index.set(p, cp);
      seen.push(p);
    }
    predCodes[i] = cp;
  }

  const classes = seen.slice().sort(compareLabels);
  const k = classes.length;
  const rank = new Int32Array(k);
  for (let r = 0; r < k; r++) rank[index.get(classes[r]!)!] = r;

  for (let i = 0; i < n; i++) {
    trueCodes[i] = rank[trueCodes[i]!]!;
    predCodes[i] = rank[predCodes[i]!]!;
  }
  return { classes, trueCodes, predCodes };
}
