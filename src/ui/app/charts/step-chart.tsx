import type { JSX } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatCount, formatNumber, formatTime } from '../format.js';
import { alignSeries, type LineData } from './align-series.js';

export interface ChartLine extends LineData {
  /** Stable identity (the run id): decides whether the chart must be rebuilt. */
  id: string;
  label: string;
  color: string;
  dashed?: boolean;
}

export type XAxis = 'step' | 'time';

interface StepChartProps {
  tag: string;
  lines: ChartLine[];
  xAxis: XAxis;
  logScale: boolean;
  /** `chart` on the runs pages, `sweep-chart` on a sweep's. */
  testId?: string | undefined;
  height?: number;
}

const CHART_HEIGHT = 260;
/** Columns of the common x grid per pixel of width (see align-series.ts). */
const COLUMNS_PER_PIXEL = 2;

/**
 * One tag's lines on one uPlot chart. The chart is built once per set of lines (and per axis
 * or scale choice); new data for the same lines (a live run) goes through `setData`, so
 * polling neither flickers nor loses the zoom. Test hooks on the root: `data-state="drawn"`,
 * `data-series`, `data-points`, and `data-draws` bumped on every redraw.
 */

/**
 * Tick spacings for the step axis: whole numbers only. uPlot's default spacings include halves,
 * which on a chart of ten steps printed each label twice (0, 1, 1, 2, 2, …).
 */
const STEP_INCREMENTS = Array.from({ length: 13 }, (_, power) =>
  [1, 2, 5].map((multiple) => multiple * 10 ** power),
).flat();

export function StepChart({
  tag,
  lines,
  xAxis,
  logScale,
  testId = 'chart',
  height = CHART_HEIGHT,
}: StepChartProps): JSX.Element {
  const root = useRef<HTMLDivElement>(null);
  const plotHolder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const draws = useRef(0);
  /** The data the chart shows, so an unchanged answer is not drawn twice. */
  const built = useRef<object | null>(null);

  const structure = `${xAxis}|${logScale ? 'log' : 'linear'}|${lines.map((line) => `${line.id}\u0000${line.label}\u0000${line.dashed === true ? 1 : 0}`).join('\u0001')}`;
  const aligned = useMemo(() => {
    const width = plotHolder.current?.clientWidth ?? 1000;
    return alignSeries(lines, Math.max(200, Math.round(width * COLUMNS_PER_PIXEL)));
  }, [lines]);

  // Build (or rebuild) the chart when its lines or axes change.
  useEffect(() => {
    const holder = plotHolder.current!;
    const element = root.current!;
    const options: uPlot.Options = {
      width: Math.max(200, holder.clientWidth),
      height,
      ms: 1, // wall times arrive in epoch milliseconds
      scales: {
        x: { time: xAxis === 'time' },
        // 3 is uPlot's log distribution; its enum is a `const enum` that isolated modules
        // cannot import.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
        y: logScale ? { distr: 3 } : {},
      },
      axes: [
        xAxis === 'time'
          ? {}
          : {
              incrs: STEP_INCREMENTS,
              values: (_plot, ticks) => ticks.map((tick) => formatCount(tick)),
            },
        { values: (_plot, ticks) => ticks.map((tick) => formatNumber(tick)), size: 60 },
      ],
      cursor: { focus: { prox: 16 } },
      focus: { alpha: 0.35 },
      legend: { live: true },
      series: [
        {
          label: xAxis === 'time' ? 'time' : 'step',
          value: (_plot, value: number | null) =>
            value === null
              ? '—'
              : xAxis === 'time'
                ? formatTime(new Date(value).toISOString())
                : formatCount(value),
        },
        ...lines.map((line): uPlot.Series => ({
          label: line.label,
          stroke: line.color,
          width: 1.5,
          spanGaps: true,
          ...(line.dashed === true ? { dash: [6, 4] } : {}),
          value: (_plot, value) => formatNumber(value),
        })),
      ],
      hooks: {
        draw: [
          () => {
            draws.current += 1;
            element.dataset.draws = String(draws.current);
            element.dataset.state = 'drawn';
          },
        ],
      },
    };
    element.dataset.series = String(lines.length);
    element.dataset.points = String(aligned.points);
    plot.current = new uPlot(options, aligned.data, holder);
    built.current = aligned;
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, holder.clientWidth);
      if (plot.current !== null && plot.current.width !== width)
        plot.current.setSize({ width, height });
    });
    observer.observe(holder);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // `structure` stands for the lines' identities and styles; their data goes through setData.
  }, [structure, height]);

  // New data for the same lines: redraw in place.
  useEffect(() => {
    if (plot.current === null || built.current === aligned) return;
    built.current = aligned;
    root.current!.dataset.points = String(aligned.points);
    plot.current.setData(aligned.data);
  }, [aligned]);

  return (
    <div class="chart" ref={root} data-testid={testId} data-tag={tag}>
      <div class="chart-title">{tag}</div>
      <div ref={plotHolder} class="chart-plot" />
    </div>
  );
}
