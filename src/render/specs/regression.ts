import type { TopLevelSpec } from 'vega-lite';
import { ValidationError } from '../../errors.js';
import { PLOT_CONFIG, formatInteger, plotTitle } from './theme.js';

/** Input of {@link predictedVsActualSpec} and {@link residualsSpec}. */
export interface RegressionSpecInput {
  yTrue: ArrayLike<number>;
  yPred: ArrayLike<number>;
  /** Shown above the plot; the plot kind then moves to the subtitle. */
  title?: string;
}

/** Up to this many samples are drawn as points; more are binned into a density grid. */
export const MAX_POINTS = 5000;
/** Bins per axis of the density grid drawn above {@link MAX_POINTS} samples. */
export const GRID_BINS = 70;

/** One non-empty cell of a 2-D histogram: `[x, x2) × [y, y2)` holds `count` samples. */
export interface DensityCell {
  x: number;
  x2: number;
  y: number;
  y2: number;
  count: number;
}

type Domain = [number, number];

/** Pairs (x, y) of finite values; non-finite pairs are skipped. */
interface Pairs {
  xs: Float64Array;
  ys: Float64Array;
  length: number;
  skipped: number;
}

function pairs(
  input: RegressionSpecInput,
  x: (t: number, p: number) => number,
  y: (t: number, p: number) => number,
): Pairs {
  const { yTrue, yPred } = input;
  if (yTrue.length !== yPred.length) {
    throw new ValidationError(
      'yPred',
      `it has ${yPred.length} values but yTrue has ${yTrue.length}`,
      'Pass one prediction per true value.',
    );
  }
  const xs = new Float64Array(yTrue.length);
  const ys = new Float64Array(yTrue.length);
  let length = 0;
  for (let i = 0; i < yTrue.length; i += 1) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    const xi = x(t, p);
    const yi = y(t, p);
    if (Number.isFinite(xi) && Number.isFinite(yi)) {
      xs[length] = xi;
      ys[length] = yi;
      length += 1;
    }
  }
  if (length === 0) {
    throw new ValidationError(
      'yTrue',
      'there is no pair of finite true and predicted values',
      'Pass at least one sample.',
    );
  }
  return { xs, ys, length, skipped: yTrue.length - length };
}

function extent(values: Float64Array, length: number): Domain {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < length; i += 1) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Widens a domain by 3% each side (or ±1 if it is a single value), so no point sits on an axis. */
function pad([lo, hi]: Domain): Domain {
  const span = hi - lo;
  if (span === 0) return [lo - 1, hi + 1];
  return [lo - span * 0.03, hi + span * 0.03];
}

/**
 * Counts the samples in a `bins × bins` grid over the two domains and returns only the non-empty
 * cells, so the plot costs at most bins² marks whatever the number of samples.
 */
export function density2d(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  length: number,
  xDomain: Domain,
  yDomain: Domain,
  bins = GRID_BINS,
): DensityCell[] {
  const grid = new Uint32Array(bins * bins);
  const [x0, x1] = xDomain;
  const [y0, y1] = yDomain;
  const xScale = bins / (x1 - x0);
  const yScale = bins / (y1 - y0);
  for (let i = 0; i < length; i += 1) {
    const bx = Math.min(bins - 1, Math.max(0, Math.floor((xs[i]! - x0) * xScale)));
    const by = Math.min(bins - 1, Math.max(0, Math.floor((ys[i]! - y0) * yScale)));
    grid[by * bins + bx]! += 1;
  }
  const cells: DensityCell[] = [];
  const xStep = (x1 - x0) / bins;
  const yStep = (y1 - y0) / bins;
  for (let by = 0; by < bins; by += 1) {
    for (let bx = 0; bx < bins; bx += 1) {
      const count = grid[by * bins + bx]!;
      if (count > 0) {
        cells.push({
          x: x0 + bx * xStep,
          x2: x0 + (bx + 1) * xStep,
          y: y0 + by * yStep,
          y2: y0 + (by + 1) * yStep,
          count,
        });
      }
    }
  }
  return cells;
}

interface ScatterOptions {
  kind: string;
  title: string | undefined;
  data: Pairs;
  xDomain: Domain;
  yDomain: Domain;
  xTitle: string;
  yTitle: string;
  width: number;
  height: number;
  /** The reference drawn over the data: the y = x diagonal or the y = 0 rule. */
  reference: 'diagonal' | 'zero';
}

/** Points up to MAX_POINTS samples, a log-coloured density grid above, plus a reference line. */
function scatterSpec(options: ScatterOptions): TopLevelSpec {
  const { data, xDomain, yDomain, xTitle, yTitle, reference } = options;
  const binned = data.length > MAX_POINTS;
  const details = [`${formatInteger(data.length)} samples`];
  if (binned) details.push(`density in a ${GRID_BINS} × ${GRID_BINS} grid`);
  if (data.skipped > 0) details.push(`${formatInteger(data.skipped)} non-finite skipped`);
  const x = { scale: { domain: xDomain, nice: false, zero: false }, title: xTitle };
  const y = { scale: { domain: yDomain, nice: false, zero: false }, title: yTitle };

  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  if (binned) {
    layer.push({
      data: { values: density2d(data.xs, data.ys, data.length, xDomain, yDomain) },
      // Each cell overlaps its neighbours by 15% so that antialiasing leaves no seams.
      transform: [
        { calculate: 'datum.x2 + (datum.x2 - datum.x) * 0.15', as: 'xEnd' },
        { calculate: 'datum.y2 + (datum.y2 - datum.y) * 0.15', as: 'yEnd' },
      ],
      mark: { type: 'rect', clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', ...x },
        x2: { field: 'xEnd' },
        y: { field: 'y', type: 'quantitative', ...y },
        y2: { field: 'yEnd' },
        color: {
          field: 'count',
          type: 'quantitative',
          title: 'Samples',
          scale: { type: 'log', scheme: 'viridis' },
          legend: { format: '~s', gradientLength: Math.min(options.height, 200) },
        },
      },
    });
  } else {
    const values: { x: number; y: number }[] = [];
    for (let i = 0; i < data.length; i += 1) values.push({ x: data.xs[i]!, y: data.ys[i]! });
    layer.push({
      data: { values },
      mark: {
        type: 'point',
        filled: true,
        size: data.length > 1000 ? 12 : 24,
        opacity: data.length > 1000 ? 0.35 : 0.6,
        color: '#2a6fb0',
      },
      encoding: {
        x: { field: 'x', type: 'quantitative', ...x },
        y: { field: 'y', type: 'quantitative', ...y },
      },
    });
  }
  if (reference === 'diagonal') {
    layer.push({
      data: {
        values: [
          { x: xDomain[0], y: xDomain[0] },
          { x: xDomain[1], y: xDomain[1] },
        ],
      },
      mark: { type: 'line', color: '#d62728', strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
      },
    });
  } else {
    layer.push({
      data: { values: [{ y: 0 }] },
      mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: plotTitle(options.kind, options.title, details),
    width: options.width,
    height: options.height,
    layer,
    config: PLOT_CONFIG,
  };
}

/**
 * Predicted against actual values, on one shared domain (same min and max on both axes) with the
 * y = x line: points up to 5,000 samples, above that a density grid binned here (70 × 70, only
 * non-empty cells, log colour), so the spec's size does not grow with the samples.
 */
export function predictedVsActualSpec(input: RegressionSpecInput): TopLevelSpec {
  const data = pairs(
    input,
    (t) => t,
    (_, p) => p,
  );
  const [xLo, xHi] = extent(data.xs, data.length);
  const [yLo, yHi] = extent(data.ys, data.length);
  const domain = pad([Math.min(xLo, yLo), Math.max(xHi, yHi)]);
  return scatterSpec({
    kind: 'Predicted vs actual',
    title: input.title,
    data,
    xDomain: domain,
    yDomain: domain,
    xTitle: 'Actual',
    yTitle: 'Predicted',
    width: 420,
    height: 420,
    reference: 'diagonal',
  });
}

/**
 * Residuals (predicted − actual) against predicted values, with a rule at zero and a y domain
 * symmetric about it; binned like {@link predictedVsActualSpec} above 5,000 samples.
 */
export function residualsSpec(input: RegressionSpecInput): TopLevelSpec {
  const data = pairs(
    input,
    (_, p) => p,
    (t, p) => p - t,
  );
  const [rLo, rHi] = extent(data.ys, data.length);
  const reach = Math.max(Math.abs(rLo), Math.abs(rHi));
  return scatterSpec({
    kind: 'Residuals',
    title: input.title,
    data,
    xDomain: pad(extent(data.xs, data.length)),
    yDomain: pad([-reach, reach]),
    xTitle: 'Predicted',
    yTitle: 'Residual (predicted − actual)',
    width: 480,
    height: 320,
    reference: 'zero',
  });
}
