/**
 * Which metric columns a project's experiments table shows. A kind has a dozen metrics and the
 * table scrolled sideways at 1280 px before reaching `log_loss` and `roc_auc`: it shows a few
 * headline metrics unless the user chose (`columns=` in the URL), the kind's headline first.
 */
import type { ExperimentsResponse } from '../api.js';

/** Shown before the user chooses, after the kind's headline metric. */
const DEFAULT_COLUMNS: Readonly<Record<ExperimentsResponse['kind'], readonly string[]>> = {
  classification: ['overall_accuracy', 'balanced_accuracy', 'log_loss', 'roc_auc'],
  regression: ['mae', 'rsquared', 'mape', 'mbe'],
};

/** The kind's metrics, its headline metric first, then in the tracker's column order. */
export function metricOrder(data: ExperimentsResponse): string[] {
  return [
    ...data.metrics.filter((metric) => metric === data.headlineMetric),
    ...data.metrics.filter((metric) => metric !== data.headlineMetric),
  ];
}

/**
 * The metric columns to show, in {@link metricOrder}: the `chosen` ones (unknown names ignored),
 * or by default the headline metrics that some experiment has a value of; `always` (the metric
 * rows are ranked or sorted by) is shown whatever was chosen.
 */
export function shownMetrics(
  data: ExperimentsResponse,
  chosen: readonly string[],
  always: readonly (string | null)[],
): string[] {
  const wanted = new Set(
    chosen.length > 0
      ? chosen
      : [data.headlineMetric, ...DEFAULT_COLUMNS[data.kind]].filter((metric) =>
          // A column no experiment has a value in (log_loss without scores) only takes room.
          data.experiments.some((item) => (item.metrics[metric] ?? null) !== null),
        ),
  );
  for (const metric of always) if (metric !== null) wanted.add(metric);
  return metricOrder(data).filter((metric) => wanted.has(metric));
}
