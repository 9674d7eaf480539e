import type { TopLevelSpec } from 'vega-lite';
import { ValidationError } from '../../errors.js';
import { PLOT_CONFIG, formatInteger, plotTitle } from './theme.js';

/** Input of {@link confusionMatrixSpec}. */
export interface ConfusionMatrixSpecInput {
  /** Class labels, in the order of the rows and columns of `counts`. */
  labels: readonly (string | number | boolean)[];
  /** `counts[actual][predicted]`: how many samples of class `actual` were predicted as `predicted`. */
  counts: readonly (readonly number[])[];
  /** Shown above the plot; the plot kind then moves to the subtitle. */
  title?: string;
  /** Show each row as fractions of that class's samples (recall on the diagonal). Default false. */
  normalize?: boolean;
  /** Above this many classes, keep the most frequent (by actual support). Default 30. */
  maxClasses?: number;
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
function mostFrequent(support: readonly number[], max: number): number[] {
  return support
    .map((total, index) => ({ total, index }))
    .sort((a, b) => b.total - a.total || a.index - b.index)
    .slice(0, max)
    .map(({ index }) => index)
    .sort((a, b) => a - b);
}

/**
 * A Vega-Lite heatmap of a confusion matrix: actual classes down, predicted across, the count
 * (or row fraction) written in every cell in a colour that contrasts with the cell. Above
 * `maxClasses` classes only the most frequent are kept, and the title says so. Fractions are of
 * the whole row, so trimmed columns still count in the denominators.
 */
export function confusionMatrixSpec(input: ConfusionMatrixSpecInput): TopLevelSpec {
  const { labels, counts, normalize = false, maxClasses = 30 } = input;
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
  if (counts.length !== classes || counts.some((row) => row.length !== classes)) {
    throw new ValidationError(
      'counts',
      `expected a ${classes}×${classes} matrix (one row and column per label)`,
      'Pass counts[actual][predicted] in the order of labels.',
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
  const support = counts.map((row) => row.reduce((sum, count) => sum + count, 0));
  const kept = classes > maxClasses ? mostFrequent(support, maxClasses) : names.map((_, i) => i);
  const shown = kept.length;
  const compact = shown > 12;

  const values: ConfusionCell[] = [];
  let maxValue = 0;
  for (const a of kept) {
    for (const p of kept) {
      const count = counts[a]![p]!;
      const total = support[a]!;
      const value = normalize ? (total > 0 ? count / total : 0) : count;
      maxValue = Math.max(maxValue, value);
      values.push({
        actual: names[a]!,
        predicted: names[p]!,
        count,
        value,
        text: normalize ? value.toFixed(2) : compactCount(count, compact),
      });
    }
  }
  const domainMax = normalize ? 1 : Math.max(1, maxValue);
  const order = kept.map((i) => names[i]!);
  const longest = Math.max(...order.map((name) => name.length));
  const labelFontSize = shown > 20 ? 9 : 11;

  // Cells from 60 px (2 classes) down to ~17 px (30 classes); the grid stays 240–520 px wide.
  const cell = Math.max(16, Math.min(64, Math.floor(520 / shown)));
  const size = Math.max(240, cell * shown);
  const fontSize = Math.max(7, Math.min(13, Math.floor(size / shown / 3.2)));

  const details = [normalize ? 'fraction of each actual class' : 'counts'];
  if (shown < classes) details.push(`${shown} most frequent of ${classes} classes shown`);
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
