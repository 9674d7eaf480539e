/**
 * The parallel-coordinates chart as a Vega-Lite spec. Positions are computed here rather than
 * by Vega transforms: each axis is normalised to 0–1 on its own (numbers linearly, or on a log
 * scale when the search space samples them so; anything else as evenly spaced categories in
 * sorted order), and the metric is the last axis.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SweepDetail } from '../../api.js';
import { formatNumber, formatValue } from '../format.js';

export type ParallelInput = Pick<
  SweepDetail,
  'allTrials' | 'hyperparameterNames' | 'parameters' | 'metric' | 'goal'
>;

interface LinePoint {
  trial: number;
  axis: string;
  position: number;
  metric: number | null;
  hyperparameters: string;
}

interface Tick {
  axis: string;
  position: number;
  label: string;
}

/** How one axis places its values on 0–1, and which labels it shows. */
function buildAxis(
  name: string,
  values: unknown[],
  logHint: boolean,
): { place: (value: unknown) => number | null; ticks: Tick[] } {
  const present = values.filter((value) => value !== null && value !== undefined);
  const numeric =
    present.length > 0 &&
    present.every((value) => typeof value === 'number' && Number.isFinite(value));
  if (numeric) {
    const numbers = present as number[];
    const log = logHint && numbers.every((value) => value > 0);
    const transform = log ? Math.log10 : (value: number): number => value;
    const low = Math.min(...numbers.map(transform));
    const high = Math.max(...numbers.map(transform));
    const span = high - low;
    const place = (value: unknown): number | null =>
      typeof value === 'number' && Number.isFinite(value) && (!log || value > 0)
        ? span === 0
          ? 0.5
          : (transform(value) - low) / span
        : null;
    const tickValues =
      span === 0
        ? [numbers[0]!]
        : [0, 0.5, 1].map((share) => (log ? 10 ** (low + share * span) : low + share * span));
    return {
      place,
      ticks: tickValues.map((value) => ({
        axis: name,
        position: place(value) ?? 0.5,
        label: formatNumber(value),
      })),
    };
  }
  const categories = [...new Set(present.map(formatValue))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const positionOf = new Map(
    categories.map((category, index) => [
      category,
      categories.length === 1 ? 0.5 : index / (categories.length - 1),
    ]),
  );
  // Too many categories to label: label every n-th.
  const every = Math.ceil(categories.length / 12);
  return {
    place: (value) =>
      value === null || value === undefined ? null : (positionOf.get(formatValue(value)) ?? null),
    ticks: categories
      .filter((_category, index) => index % every === 0)
      .map((category) => ({ axis: name, position: positionOf.get(category)!, label: category })),
  };
}

export function parallelCoordinatesSpec(input: ParallelInput, width: number): TopLevelSpec {
  const metricAxis = input.metric ?? 'best';
  const axes = [...input.hyperparameterNames, metricAxis];
  const points: LinePoint[] = [];
  const ticks: Tick[] = [];
  const builders = input.hyperparameterNames.map((name) => {
    const logHint = /log/i.test(JSON.stringify(input.parameters[name] ?? ''));
    return buildAxis(
      name,
      input.allTrials.map((trial) => trial.hyperparameters[name]),
      logHint,
    );
  });
  const metricBuilder = buildAxis(
    metricAxis,
    input.allTrials.map((trial) => trial.best),
    false,
  );
  for (const builder of [...builders, metricBuilder]) ticks.push(...builder.ticks);

  for (const trial of input.allTrials) {
    const summary = input.hyperparameterNames
      .map((name) => `${name}=${formatValue(trial.hyperparameters[name])}`)
      .join(', ');
    input.hyperparameterNames.forEach((name, index) => {
      const position = builders[index]!.place(trial.hyperparameters[name]);
      if (position !== null)
        points.push({
          trial: trial.trial,
          axis: name,
          position,
          metric: trial.best,
          hyperparameters: summary,
        });
    });
    const position = metricBuilder.place(trial.best);
    if (position !== null)
      points.push({
        trial: trial.trial,
        axis: metricAxis,
        position,
        metric: trial.best,
        hyperparameters: summary,
      });
  }

  const x = {
    field: 'axis',
    type: 'nominal',
    sort: axes,
    scale: { domain: axes, padding: 0.15 },
    axis: {
      title: null,
      labelAngle: 0,
      orient: 'top',
      domain: false,
      ticks: false,
      labelFontWeight: 600,
    },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: 320,
    config: { view: { stroke: null }, font: 'system-ui, sans-serif', axis: { labelFontSize: 12 } },
    layer: [
      {
        data: { values: axes.map((axis) => ({ axis })) },
        mark: { type: 'rule', color: '#9ca3af' },
        encoding: { x },
      },
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.75 },
        encoding: {
          x,
          y: {
            field: 'position',
            type: 'quantitative',
            scale: { domain: [-0.04, 1.04] },
            axis: null,
          },
          detail: { field: 'trial', type: 'nominal' },
          color: {
            field: 'metric',
            type: 'quantitative',
            // The best trials are the brightest, whichever way the goal points.
            scale: { scheme: 'viridis', reverse: input.goal === 'min' },
            legend: { title: metricAxis },
            condition: { test: 'datum.metric === null', value: '#c0c4cc' },
          },
          tooltip: [
            { field: 'trial', type: 'nominal', title: 'trial' },
            { field: 'metric', type: 'quantitative', title: metricAxis, format: '.4~g' },
            { field: 'hyperparameters', type: 'nominal' },
          ],
        },
      },
      {
        data: { values: ticks },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#4b5563' },
        encoding: {
          x,
          y: {
            field: 'position',
            type: 'quantitative',
            scale: { domain: [-0.04, 1.04] },
            axis: null,
          },
          text: { field: 'label' },
        },
      },
    ],
  };
}
