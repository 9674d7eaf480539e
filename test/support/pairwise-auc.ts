/**
 * ROC AUC by its definition, as an independent oracle for tests: the share of (positive,
 * negative) pairs ranked right, ties counting half.
 */
export function pairwiseAuc(positive: boolean[], scores: number[]): number {
  let pairs = 0;
  let right = 0;
  positive.forEach((isPositive, i) => {
    if (!isPositive) return;
    positive.forEach((isOther, j) => {
      if (isOther) return;
      pairs += 1;
      right += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return right / pairs;
}
