import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { runColors } from './run-colors.js';
import { positiveOnly, smoothValues } from './smoothing.js';
import { StepChart, type ChartLine, type XAxis } from './step-chart.js';
import type { RunScalars } from './use-scalars.js';

export interface ChartSettings {
  xAxis: XAxis;
  /** 0 (none) to 0.99. */
  smoothing: number;
  logScale: boolean;
}

interface ScalarChartsProps {
  /** Runs in legend order. */
  runIds: readonly string[];
  runs: Map<string, RunScalars>;
  /** A run's legend label; its id when absent. */
  labelOf: (runId: string) => string;
  settings: ChartSettings;
  /** Only these tags, in this order; every tag any run has (sorted) when absent. */
  tags?: readonly string[];
  dashed?: (runId: string) => boolean;
  testId?: string;
}

/** One chart per tag, the runs overlaid, each run in its own colour on every chart. */
export function ScalarCharts({
  runIds,
  runs,
  labelOf,
  settings,
  tags,
  dashed,
  testId,
}: ScalarChartsProps): JSX.Element {
  const { xAxis, smoothing, logScale } = settings;
  const charts = useMemo(() => {
    const present = runIds.filter((id) => runs.has(id));
    const colors = runColors(runIds);
    const tagList =
      tags ??
      [...new Set(present.flatMap((id) => Object.keys(runs.get(id)!.series)))].sort((a, b) =>
        a.localeCompare(b),
      );
    return tagList.map((tag) => {
      const lines: ChartLine[] = [];
      for (const id of present) {
        const series = runs.get(id)!.series[tag];
        if (series === undefined || series.step.length === 0) continue;
        let values = smoothValues(series.value, smoothing);
        if (logScale) values = positiveOnly(values);
        lines.push({
          id,
          label: labelOf(id),
          color: colors.get(id)!,
          dashed: dashed?.(id) ?? false,
          x: xAxis === 'time' ? series.wallTime : series.step,
          y: values,
        });
      }
      return { tag, lines };
    });
    // labelOf and dashed are read fresh on each recomputation; their answers follow runs.
  }, [runIds, runs, tags, xAxis, smoothing, logScale, labelOf, dashed]);

  if (charts.length === 0) return <p class="muted">No scalars recorded yet.</p>;
  return (
    <div class="charts">
      {charts.map(({ tag, lines }) =>
        lines.length === 0 ? null : (
          <StepChart
            key={tag}
            tag={tag}
            lines={lines}
            xAxis={xAxis}
            logScale={logScale}
            testId={testId}
          />
        ),
      )}
    </div>
  );
}

/** Chart settings from the URL: `x=step|time`, `smooth=0.6`, `log=1`. */
export function chartSettingsFrom(search: URLSearchParams): ChartSettings {
  const smooth = Number(search.get('smooth') ?? 0);
  return {
    xAxis: search.get('x') === 'time' ? 'time' : 'step',
    smoothing: Number.isFinite(smooth) ? Math.min(0.99, Math.max(0, smooth)) : 0,
    logScale: search.get('log') === '1',
  };
}
