import type { TopLevelSpec } from 'vega-lite';
import { ValidationError } from '../../errors.js';
import { measureText } from '../fonts.js';
import { fitLabels, labelLimitFor } from './labels.js';
import { PLOT_CONFIG, formatInteger, plotTitle } from './theme.js';

/** Input of {@link confusionMatrixSpec}: the counts as a dense matrix or as sparse rows. */
export interface ConfusionMatrixSpecInput {
  /** Class labels, in the order of the rows and columns of `counts` (or the indices of `cells`). */
  labels: readonly (string | number | boolean)[];
  /**
   * `counts[actual][predicted]`: how many samples of class `actual` were predicted as
   * `predicted`. Give this or `cells`.
   */
  counts?: readonly (readonly number[])[];
  /** The non-zero counts only, for many classes (no K×K matrix is ever built). Give this or `counts`. */
  cells?: SparseConfusionRows;
  /** Shown above the plot; the plot kind then moves to the subtitle. */
  title?: string;
  /** Show each row as fractions of that class's samples (recall on the diagonal). Default false. */
  normalize?: boolean;
  /** Above this many classes, keep the most frequent (by actual support). Default 30. */
  maxClasses?: number;
}

/**
 * Non-zero confusion counts in compressed sparse rows, classes given as indices into `labels`: the
 * cells of actual class `a` are at positions `rowStart[a]` to `rowStart[a + 1] - 1` of
 * `predicted` (the predicted class) and `count`.
 */
export interface SparseConfusionRows {
  rowStart: ArrayLike<number>;
  predicted: ArrayLike<number>;
  count: ArrayLike<number>;
}

/** One cell of the heatmap, as inlined in `data.values`. */
export interface ConfusionCell {
  actual: string;
  predicted: string;
  count: number;
  /** The count, or the fraction of the actual class's samples when normalised. */
  value: number;
  /** The text drawn in the cell. */
  text: string;
}

function compactCount(count: number, compact: boolean): string {
  if (!compact || count < 1000) return formatInteger(count);
  const [divisor, suffix] = count < 1e6 ? [1e3, 'k'] : count < 1e9 ? [1e6, 'M'] : [1e9, 'G'];
  const scaled = count / divisor;
  return `${scaled < 10 ? scaled.toFixed(1).replace(/\.0$/, '') : Math.round(scaled)}${suffix}`;
}

/** Indices of the `max` classes with the most actual samples, in their original order. */
function mostFrequent(support: ArrayLike<number>, max: number): number[] {
  return Array.from(support, (total, index) => ({ total, index }))
    .sort((a, b) => b.total - a.total || a.index - b.index)
    .slice(0, max)
    .map(({ index }) => index)
    .sort((a, b) => a - b);
}

/** Each class's total (row sum) and a way to visit the non-zero cells of one row. */
interface ConfusionRows {
  support: Float64Array;
  forEachCell(actual: number, visit: (predicted: number, count: number) => void): void;
}

/** The counts of either form behind one interface, checked against the labels. */
function readRows(input: ConfusionMatrixSpecInput, classes: number): ConfusionRows {
  const { counts, cells } = input;
  if ((counts === undefined) === (cells === undefined)) {
    throw new ValidationError(
      'counts',
      counts === undefined
        ? 'neither counts nor cells were given'
        : 'both counts and cells were given',
      'Pass the dense counts[actual][predicted], or the sparse cells, not both.',
    );
  }
  if (counts !== undefined) {
    if (counts.length !== classes || counts.some((row) => row.length !== classes)) {
      throw new ValidationError(
        'counts',
        `expected a ${classes}×${classes} matrix (one row and column per label)`,
        'Pass counts[actual][predicted] in the order of labels.',
      );
    }
    return {
      support: Float64Array.from(counts, (row) => row.reduce((sum, count) => sum + count, 0)),
      forEachCell: (actual, visit) => {
        counts[actual]!.forEach((count, predicted) => {
          if (count !== 0) visit(predicted, count);
        });
      },
    };
  }
  const { rowStart, predicted, count } = cells!;
  let offsetsFit = rowStart.length === classes + 1 && rowStart[0] === 0;
  for (let a = 0; offsetsFit && a < classes; a++) offsetsFit = rowStart[a]! <= rowStart[a + 1]!;
  if (!offsetsFit || rowStart[classes] !== predicted.length || predicted.length !== count.length) {
    throw new ValidationError(
      'cells',
      `the row offsets do not fit ${classes} classes and ${predicted.length} cells`,
      'Pass rowStart with one offset per class plus the end (0 first, never decreasing), and one predicted class and count per cell.',
    );
  }
  const support = new Float64Array(classes);
  for (let a = 0; a < classes; a++) {
    for (let at = rowStart[a]!; at < rowStart[a + 1]!; at++) {
      const p = predicted[at]!;
      if (!(Number.isInteger(p) && p >= 0 && p < classes)) {
        throw new ValidationError(
          'cells',
          `cell ${at} is of predicted class ${p}, which is not an index into the ${classes} labels`,
          'Give classes as indices into labels.',
        );
      }
      support[a] = support[a]! + count[at]!;
    }
  }
  return {
    support,
    forEachCell: (actual, visit) => {
      for (let at = rowStart[actual]!; at < rowStart[actual + 1]!; at++) {
        visit(predicted[at]!, count[at]!);
      }
    },
  };
}

/**
 * A Vega-Lite heatmap of a confusion matrix: actual classes down, predicted across, the count
 * (or row fraction) written in every cell in a colour that contrasts with the cell. Above
 * `maxClasses` classes only the most frequent in y_true are kept, and the subtitle says so; with
 * sparse `cells` only their rows and columns are ever laid out, so the cost does not grow with
 * the square of the classes. Fractions are of the whole row, so trimmed columns still count in
 * the denominators.
 */
export function confusionMatrixSpec(input: ConfusionMatrixSpecInput): TopLevelSpec {
  const { labels, normalize = false, maxClasses = 30 } = input;
  const classes = labels.length;
  if (classes === 0) {
    throw new ValidationError('labels', 'there are no classes', 'Pass at least one class label.');
  }
  if (!Number.isInteger(maxClasses) || maxClasses < 1) {
    throw new ValidationError(
      'maxClasses',
      `${String(maxClasses)} is not a positive integer`,
      'Pass a whole number of classes, e.g. 30.',
    );
  }
  const names = labels.map(String);
  if (new Set(names).size !== names.length) {
    throw new ValidationError(
      'labels',
      'two labels have the same text',
      'Give every class a distinct label.',
    );
  }
  const rows = readRows(input, classes);
  const kept =
    classes > maxClasses ? mostFrequent(rows.support, maxClasses) : names.map((_, i) => i);
  const shown = kept.length;
  const compact = shown > 12;

  // The kept classes' cells, read row by row: never more than maxClasses² numbers.
  const column = new Int32Array(classes).fill(-1);
  kept.forEach((c, position) => (column[c] = position));
  const grid = new Float64Array(shown * shown);
  kept.forEach((a, row) => {
    rows.forEachCell(a, (p, count) => {
      const at = column[p]!;
      if (at >= 0) grid[row * shown + at] = count;
    });
  });

  const order = kept.map((i) => names[i]!);
  const labelFontSize = shown > 20 ? 9 : 11;
  // Labels are measured with the fonts the PNG is drawn with, and the plot grows to hold them
  // whole up to MAX_LABEL_WIDTH; longer names lose their middle and are listed in full below.
  const fitted = fitLabels(order, labelFontSize, MAX_LABEL_WIDTH);

  // Cells from 64 px (2 classes) down to 20 px (30 classes): the grid stays 240–600 px wide.
  const cell = Math.max(20, Math.min(64, Math.floor(600 / shown)));
  const size = Math.max(240, cell * shown);

  const values: ConfusionCell[] = [];
  let maxValue = 0;
  kept.forEach((a, row) => {
    kept.forEach((p, at) => {
      const count = grid[row * shown + at]!;
      const total = rows.support[a]!;
      const value = normalize ? (total > 0 ? count / total : 0) : count;
      maxValue = Math.max(maxValue, value);
      values.push({
        actual: names[a]!,
        predicted: names[p]!,
        count,
        value,
        text: normalize ? percentText(value) : compactCount(count, compact),
      });
    });
  });
  const domainMax = normalize ? 1 : Math.max(1, maxValue);
  // The largest font (6–13 px, in half pixels) at which the widest cell text fits its cell.
  const widestPerPixel = Math.max(...values.map((value) => measureText(value.text, 1)));
  const fitting = Math.min((cell - 8) / widestPerPixel, cell / 2.2);
  const fontSize = Math.max(6, Math.min(13, Math.floor(fitting * 2) / 2));

  const details = [normalize ? '% of each actual class' : 'counts'];
  if (shown < classes) {
    details.push(`${shown} most frequent actual classes of ${formatInteger(classes)} shown`);
  }
  const kind = normalize ? 'Confusion matrix, normalised' : 'Confusion matrix';
  const labelExpr = fitted.shortened
    ? {
        labelExpr: `${JSON.stringify(Object.fromEntries(order.map((name, i) => [name, fitted.texts[i]])))}[datum.value]`,
      }
    : {};
  const axis = {
    labelFontSize,
    labelLimit: labelLimitFor(fitted),
    // Vega caps the room an axis takes at 200 px by default and puts the title there, over
    // longer labels.
    maxExtent: labelLimitFor(fitted) + 10,
    ...labelExpr,
    ticks: false,
    domain: false,
  };

  const heatmap = {
    width: size,
    height: size,
    data: { values },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal' as const,
        sort: order,
        title: 'Predicted',
        // Rotate the column labels only when they would not fit across a cell.
        axis: { ...axis, labelAngle: fitted.width > cell - 4 ? -45 : 0 },
      },
      y: { field: 'actual', type: 'ordinal' as const, sort: order, title: 'Actual', axis },
    },
    layer: [
      {
        mark: { type: 'rect' as const, stroke: 'white', strokeWidth: shown > 20 ? 0.5 : 1 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative' as const,
            title: normalize ? '% of class' : 'Count',
            scale: { scheme: 'blues', domain: [0, domainMax], nice: false },
            legend: {
              // One format for cells and legend: whole percentages.
              ...(normalize ? { format: '.0%' } : {}),
              gradientLength: Math.min(size, 240),
              titlePadding: 8,
            },
          },
          tooltip: [
            { field: 'actual', title: 'Actual' },
            { field: 'predicted', title: 'Predicted' },
            { field: 'count', title: 'Count', format: ',d' },
            ...(normalize ? [{ field: 'value', title: '% of class', format: '.1%' }] : []),
          ],
        },
      },
      {
        mark: {
          type: 'text' as const,
          fontSize,
          baseline: 'middle' as const,
          align: 'center' as const,
        },
        encoding: {
          text: { field: 'text', type: 'nominal' as const },
          color: {
            condition: { test: `datum.value > ${domainMax * 0.5}`, value: 'white' },
            value: '#1a1a1a',
          },
        },
      },
    ],
  };
  const title = plotTitle(kind, input.title, details);
  const $schema = 'https://vega.github.io/schema/vega-lite/v6.json';
  if (!fitted.shortened) return { $schema, title, ...heatmap, config: PLOT_CONFIG };
  return {
    $schema,
    title,
    vconcat: [heatmap, fullNamesKey(order, fitted.texts, size)],
    spacing: 24,
    config: PLOT_CONFIG,
  };
}

/** Above this width (px) a class name is shortened on the axes and listed whole below the grid. */
export const MAX_LABEL_WIDTH = 240;

/** The shortened labels and the names they stand for, one per line, under the grid. */
function fullNamesKey(names: readonly string[], texts: readonly string[], width: number) {
  const lines = names.flatMap((name, index) =>
    texts[index] === name ? [] : [{ line: `${texts[index]!}  =  ${name}` }],
  );
  const widest = Math.max(...lines.map(({ line }) => measureText(line, 10)));
  return {
    width: Math.max(width, Math.ceil(widest)),
    height: lines.length * 14,
    title: { text: 'Full class names', fontSize: 11, anchor: 'start' as const, offset: 6 },
    data: { values: lines.map((entry, index) => ({ ...entry, index })) },
    mark: {
      type: 'text' as const,
      align: 'left' as const,
      baseline: 'middle' as const,
      fontSize: 10,
      limit: 0,
    },
    encoding: {
      y: { field: 'index', type: 'ordinal' as const, axis: null },
      x: { value: 0 },
      text: { field: 'line', type: 'nominal' as const },
    },
    view: { stroke: null },
  };
}

/** A fraction as a whole percentage; never `0%` or `100%` for what is not exactly 0 or 1. */
export function percentText(fraction: number): string {
  const percent = fraction * 100;
  if (fraction > 0 && percent < 0.5) return '<1%';
  if (fraction < 1 && percent >= 99.5) return '>99%';
  return `${Math.round(percent)}%`;
}
