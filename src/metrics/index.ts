export { classificationMetrics } from './classification.js';
export { toConfusionMatrix } from './confusion.js';
export { regressionMetrics } from './regression.js';
export { compareLabels } from './_labels.js';
export type {
  ClassificationOptions,
  ClassificationOverall,
  ClassificationScores,
  ConfusionCounts,
  Label,
  PerClassScores,
  RegressionScores,
} from './types.js';
