/**
 * Edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * neighbours each count one (optimal string alignment), so `--modle` is one typo from `--model`.
 * Flag and command names are short: the quadratic table costs nothing.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        rows[i - 1]![j]! + 1,
        rows[i]![j - 1]! + 1,
        rows[i - 1]![j - 1]! + substitution,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate the input most likely misspells, or `undefined` when none is close: at most
 * one typo in three characters (one for short names), or the input is the start of exactly one
 * candidate (`--dataset` for `--dataset-uri`). Ties go to the earlier candidate.
 *
 * @param candidates spelt as the input is (both with their dashes, or both without).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  const core = typed.replace(/^-+/, '');
  if (core.length < 2) return undefined;
  const allowed = Math.max(1, Math.floor(core.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance))
      best = { candidate, distance };
  }
  if (best !== undefined) return best.candidate;
  const extended = candidates.filter((candidate) => candidate.startsWith(typed));
  return extended.length === 1 && core.length >= 3 ? extended[0] : undefined;
}
