/**
 * A metric that comes out NaN or infinite is reported as `undefined`, never `NaN` or `Infinity`:
 * where scikit-learn raises or returns nan for the same input (0/0, the log of 0), and where a
 * ratio overflows although no sum does (r² of a target whose variance is a hair above zero).
 */
export const defined = (x: number): number | undefined => (Number.isFinite(x) ? x : undefined);
