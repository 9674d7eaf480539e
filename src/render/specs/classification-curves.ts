import type { TopLevelSpec } from 'vega-lite';
import { measureText } from '../fonts.js';
import { shortenMiddle } from './labels.js';
import { PLOT_CONFIG, formatInteger, plotTitle } from './theme.js';

/** Points of a curve in the unit square, in drawing order (at most a few hundred). */
export interface SpecCurvePoints {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** One class's curves, as `classificationCurves` (src/metrics/curves.ts) computes them. */
export interface SpecClassCurves {
  label: string | number | boolean;
  positives: number;
  negatives: number;
  roc: SpecCurvePoints;
  rocAuc: number;
  precisionRecall: SpecCurvePoints;
  averagePrecision: number;
}

/** Input of {@link rocSpec} and {@link precisionRecallSpec}. */
export interface CurvesSpecInput {
  /** `binary`: the positive class's curve; `multiclass`: one-vs-rest, one per class. */
  kind: 'binary' | 'multiclass';
  curves: readonly SpecClassCurves[];
  /** How many classes could have had a curve, when more than are drawn. */
  classesWithCurves: number;
  /** The run's `roc_auc` metric (macro one-vs-rest for multiclass), for the subtitle. */
  rocAuc?: number | undefined;
  /** Shown above the plot; the plot kind then moves to the subtitle. */
  title?: string;
}

/** Input of {@link calibrationSpec}: the non-empty bins of a reliability curve. */
export interface CalibrationSpecInput {
  kind: 'binary' | 'multiclass';
  /** The positive class (binary). */
  positive?: string | number | boolean | undefined;
  calibration: {
    bins: readonly {
      lower: number;
      upper: number;
      count: number;
      meanPredicted: number;
      fractionPositive: number;
    }[];
    expectedCalibrationError: number;
    samples: number;
  };
  title?: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SIZE = 400;
const CHANCE = { color: '#9a9a9a', strokeDash: [5, 4], strokeWidth: 1.25 };
/** Class names in legends are cut (in the middle) beyond this width, in px. */
const LEGEND_NAME_WIDTH = 200;
const LEGEND_FONT_SIZE = 11;

/** An area or a probability to three decimals, never rounded up to 1 or down to 0. */
export function formatScore(value: number): string {
  const text = value.toFixed(3);
  if (text === '1.000' && value < 1) return '>0.999';
  if (text === '0.000' && value > 0) return '<0.001';
  return text;
}

/** The colour legend of the curves: one entry per class, its area in brackets. */
function legend(curves: readonly SpecClassCurves[], area: (curve: SpecClassCurves) => string) {
  const names = curves.map(
    (curve) =>
      `${shortenMiddle(String(curve.label), LEGEND_FONT_SIZE, LEGEND_NAME_WIDTH)} (${area(curve)})`,
  );
  const widest = Math.max(...names.map((name) => measureText(name, LEGEND_FONT_SIZE)));
  return { names, labelLimit: Math.ceil(widest) + 4 };
}

function curvePoints(
  curves: readonly SpecClassCurves[],
  names: readonly string[],
  pick: (curve: SpecClassCurves) => SpecCurvePoints,
) {
  return curves.flatMap((curve, c) => {
    const { x, y } = pick(curve);
    return Array.from({ length: x.length }, (_, k) => ({
      series: names[c]!,
      index: k,
      x: x[k]!,
      y: y[k]!,
    }));
  });
}

function subtitleDetails(input: CurvesSpecInput): string[] {
  const [first] = input.curves;
  if (input.kind === 'binary') {
    return first === undefined
      ? []
      : [
          `positive class ${String(first.label)}`,
          `${formatInteger(first.positives)} of ${formatInteger(first.positives + first.negatives)} samples positive`,
        ];
  }
  const details = ['one-vs-rest per class'];
  if (input.curves.length < input.classesWithCurves) {
    details.push(
      `${input.curves.length} most frequent of ${formatInteger(input.classesWithCurves)} classes`,
    );
  }
  return details;
}

const unitAxis = (title: string) => ({
  type: 'quantitative' as const,
  title,
  scale: { domain: [0, 1], nice: false },
  axis: { format: '.1f', tickCount: 5 },
});

/**
 * ROC curves: false positive rate against true positive rate, with the diagonal of a random
 * guess. Binary: the positive class; multiclass: one curve per class, one-vs-rest. The legend
 * gives each curve's exact AUC (equal to scikit-learn's `roc_auc_score`); the subtitle the run's
 * `roc_auc` (macro over every class for multiclass). Curves come thinned (at most ~500 points
 * each), so the spec's size does not grow with the samples.
 */
export function rocSpec(input: CurvesSpecInput): TopLevelSpec {
  const { names, labelLimit } = legend(input.curves, (curve) => `AUC ${formatScore(curve.rocAuc)}`);
  const details = subtitleDetails(input);
  if (input.rocAuc !== undefined) {
    details.push(`${input.kind === 'multiclass' ? 'macro ' : ''}AUC ${formatScore(input.rocAuc)}`);
  }
  return curvesSpec({
    kind: 'ROC curve',
    input,
    details,
    names,
    labelLimit,
    values: curvePoints(input.curves, names, (curve) => curve.roc),
    xTitle: 'False positive rate',
    yTitle: 'True positive rate',
    interpolate: 'linear',
    chance: {
      values: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      mark: 'line',
    },
  });
}

/**
 * Precision–recall curves, drawn as steps (the precision of each threshold holds up to its
 * recall, as average precision sums it). Binary: the positive class, with its share of the
 * samples as the level of a random guess; multiclass: one-vs-rest per class. The legend gives
 * each curve's average precision (scikit-learn's `average_precision_score`).
 */
export function precisionRecallSpec(input: CurvesSpecInput): TopLevelSpec {
  const { names, labelLimit } = legend(
    input.curves,
    (curve) => `AP ${formatScore(curve.averagePrecision)}`,
  );
  const [first] = input.curves;
  const chance =
    input.kind === 'binary' && first !== undefined
      ? {
          values: [{ y: first.positives / (first.positives + first.negatives) }],
          mark: 'rule' as const,
        }
      : undefined;
  return curvesSpec({
    kind: 'Precision–recall curve',
    input,
    details: subtitleDetails(input),
    names,
    labelLimit,
    values: curvePoints(input.curves, names, (curve) => curve.precisionRecall),
    xTitle: 'Recall',
    yTitle: 'Precision',
    interpolate: 'step-before',
    chance,
  });
}

interface CurvesSpecOptions {
  kind: string;
  input: CurvesSpecInput;
  details: string[];
  names: string[];
  labelLimit: number;
  values: { series: string; index: number; x: number; y: number }[];
  xTitle: string;
  yTitle: string;
  interpolate: 'linear' | 'step-before';
  /** The curve of a random guess, dashed under the data. */
  chance: { values: { x?: number; y: number }[]; mark: 'line' | 'rule' } | undefined;
}

function curvesSpec(options: CurvesSpecOptions): TopLevelSpec {
  const { names, values } = options;
  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  if (options.chance) {
    layer.push({
      data: { values: options.chance.values },
      mark: { type: options.chance.mark, ...CHANCE },
      encoding:
        options.chance.mark === 'rule'
          ? { y: { field: 'y', type: 'quantitative' } }
          : {
              x: { field: 'x', type: 'quantitative' },
              y: { field: 'y', type: 'quantitative' },
            },
    });
  }
  layer.push({
    data: { values },
    mark: { type: 'line', interpolate: options.interpolate, strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'x', ...unitAxis(options.xTitle) },
      y: { field: 'y', ...unitAxis(options.yTitle) },
      // Drawing order, not x order: a ROC curve climbs straight up at one x.
      order: { field: 'index', type: 'quantitative' },
      color: {
        field: 'series',
        type: 'nominal',
        sort: names,
        scale: { domain: names, scheme: 'tableau10' },
        legend:
          names.length === 0
            ? null
            : {
                title: null,
                orient: 'right',
                labelLimit: options.labelLimit,
                labelFontSize: LEGEND_FONT_SIZE,
                symbolType: 'stroke',
                symbolStrokeWidth: 3,
              },
      },
    },
  });
  const details = [...options.details];
  if (names.length === 0) details.push('not defined: y_true holds a single class');
  return {
    $schema: SCHEMA,
    title: plotTitle(options.kind, options.input.title, details),
    width: SIZE,
    height: SIZE,
    layer,
    config: PLOT_CONFIG,
  };
}

/**
 * A reliability diagram: per bin of predicted probability (10 of equal width), the fraction of
 * samples for which it came true, against the diagonal of perfect calibration, with the number
 * of samples per bin below. Binary: the positive class's probability; multiclass: the top-label
 * confidence (the highest probability of each sample) and whether that class was the true one.
 * The subtitle gives the expected calibration error.
 */
export function calibrationSpec(input: CalibrationSpecInput): TopLevelSpec {
  const { bins, expectedCalibrationError, samples } = input.calibration;
  const binary = input.kind === 'binary';
  const xTitle = binary
    ? `Predicted probability of ${String(input.positive)}`
    : 'Confidence (highest predicted probability)';
  const yTitle = binary ? `Fraction ${String(input.positive)}` : 'Fraction correct';
  const values = bins.map((bin) => ({ ...bin }));
  const details = [
    binary ? `positive class ${String(input.positive)}` : 'top-label confidence against accuracy',
    `${formatInteger(samples)} samples in 10 bins`,
    `expected calibration error ${formatScore(expectedCalibrationError)}`,
  ];
  const x = { field: 'meanPredicted', ...unitAxis(xTitle) };
  return {
    $schema: SCHEMA,
    title: plotTitle('Calibration', input.title, details),
    vconcat: [
      {
        width: SIZE,
        height: SIZE,
        layer: [
          {
            data: {
              values: [
                { meanPredicted: 0, fractionPositive: 0 },
                { meanPredicted: 1, fractionPositive: 1 },
              ],
            },
            mark: { type: 'line', ...CHANCE },
            encoding: {
              x: { field: 'meanPredicted', type: 'quantitative' },
              y: { field: 'fractionPositive', type: 'quantitative' },
            },
          },
          {
            data: { values },
            mark: {
              type: 'line',
              point: { filled: true, size: 45 },
              color: '#2a6fb0',
              strokeWidth: 2,
            },
            encoding: {
              x: { ...x, axis: { ...x.axis, title: null, labels: false } },
              y: { field: 'fractionPositive', ...unitAxis(yTitle) },
              tooltip: [
                { field: 'lower', title: 'From', format: '.1f' },
                { field: 'upper', title: 'To', format: '.1f' },
                { field: 'count', title: 'Samples', format: ',d' },
                { field: 'meanPredicted', title: 'Mean predicted', format: '.3f' },
                { field: 'fractionPositive', title: yTitle, format: '.3f' },
              ],
            },
          },
        ],
      },
      {
        width: SIZE,
        height: 90,
        data: { values },
        mark: { type: 'rect', color: '#9dbbd9', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'lower', ...unitAxis(xTitle) },
          x2: { field: 'upper' },
          y: {
            field: 'count',
            type: 'quantitative',
            title: 'Samples',
            // 1k, 20k…, but a plain 0 (d3's ~s writes 0k).
            axis: {
              format: '~s',
              tickCount: 3,
              labelExpr: "datum.value === 0 ? '0' : datum.label",
            },
          },
          y2: { datum: 0 },
        },
      },
    ],
    spacing: 6,
    config: PLOT_CONFIG,
  };
}
