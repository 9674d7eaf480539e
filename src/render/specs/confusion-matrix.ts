import type { TopLevelSpec } from 'vega-lite';
import { ValidationError } from '../../errors.js';
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
        text: normalize ? value.toFixed(2) : compactCount(count, compact),
      });
    });
  });
  const domainMax = normalize ? 1 : Math.max(1, maxValue);
  const order = kept.map((i) => names[i]!);
  const longest = Math.max(...order.map((name) => name.length));
  const labelFontSize = shown > 20 ? 9 : 11;

  // Cells from 60 px (2 classes) down to ~17 px (30 classes); the grid stays 240–520 px wide.
  const cell = Math.max(16, Math.min(64, Math.floor(520 / shown)));
  const size = Math.max(240, cell * shown);
  const fontSize = Math.max(7, Math.min(13, Math.floor(size / shown / 3.2)));

  const details = [normalize ? 'fraction of each actual class' : 'counts'];
  if (shown < classes) {
    details.push(`${shown} most frequent actual classes of ${formatInteger(classes)} shown`);
  }
  const kind = normalize ? 'Confusion matrix, normalised' : 'Confusion matrix';

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: plotTitle(kind, input.title, details),
    width: size,
    height: size,
    data: { values },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        sort: order,
        title: 'Predicted',
        axis: {
          // Rotate the column labels only when they would not fit across a cell.
          labelAngle: longest * labelFontSize * 0.62 > cell - 4 ? -45 : 0,
          labelLimit: 140,
          labelFontSize,
          ticks: false,
          domain: false,
        },
      },
      y: {
        field: 'actual',
        type: 'ordinal',
        sort: order,
        title: 'Actual',
        axis: { labelLimit: 140, labelFontSize, ticks: false, domain: false },
      },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: shown > 20 ? 0.5 : 1 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: normalize ? 'Fraction' : 'Count',
            scale: { scheme: 'blues', domain: [0, domainMax], nice: false },
            legend: {
              ...(normalize ? { format: '.0%' } : {}),
              gradientLength: Math.min(size, 240),
              titlePadding: 8,
            },
          },
          tooltip: [
            { field: 'actual', title: 'Actual' },
            { field: 'predicted', title: 'Predicted' },
            { field: 'count', title: 'Count', format: ',d' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize, baseline: 'middle', align: 'center' },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          color: {
            condition: { test: `datum.value > ${domainMax * 0.5}`, value: 'white' },
            value: '#1a1a1a',
          },
        },
      },
    ],
    config: PLOT_CONFIG,
  };
}
