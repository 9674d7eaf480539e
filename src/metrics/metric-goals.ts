/**
 * Which way each metric the core computes gets better: the one source for `ml-tracking compare`,
 * `listExperiments`' default sort, the dashboard's experiments table and its runs comparison.
 * Pure and without imports, so the dashboard's page (bundled by esbuild) can import it too.
 */

/**
 * Which way a metric gets better, hence the order a sort on it takes by default (best first):
 * `higher` descending, `lower` ascending, `zero` by distance from zero (a bias), `none`
 * ascending (a count such as `n_classes`, neither good nor bad).
 */
export type MetricGoal = 'higher' | 'lower' | 'zero' | 'none';

const METRIC_GOALS: Readonly<Record<string, MetricGoal>> = {
  overall_accuracy: 'higher',
  balanced_accuracy: 'higher',
  precision_macro: 'higher',
  recall_macro: 'higher',
  f1_macro: 'higher',
  f1_weighted: 'higher',
  true_positive_rate: 'higher',
  true_negative_rate: 'higher',
  mcc: 'higher',
  cohen_kappa: 'higher',
  log_loss: 'lower',
  roc_auc: 'higher',
  n_classes: 'none',
  mae: 'lower',
  mape: 'lower',
  rmse: 'lower',
  mse: 'lower',
  mbe: 'zero',
  rsquared: 'higher',
  explained_variance: 'higher',
  median_absolute_error: 'lower',
  max_error: 'lower',
};

/**
 * The goal of a metric the core computes, or `undefined` for any other name (a user's own tag),
 * for callers that judge such names themselves.
 */
export const coreMetricGoal = (metric: string): MetricGoal | undefined =>
  Object.hasOwn(METRIC_GOALS, metric) ? METRIC_GOALS[metric] : undefined;

/** Which way a metric gets better; `none` for a metric the core does not compute. */
export const metricGoal = (metric: string): MetricGoal => coreMetricGoal(metric) ?? 'none';
