import type { TopLevelSpec } from 'vega-lite';
import { plotPath } from '../layout/paths.js';
import { confusionCells } from '../metrics/confusion.js';
import { classificationCurves } from '../metrics/curves.js';
import type { ClassificationScores } from '../metrics/types.js';
import {
  calibrationSpec,
  precisionRecallSpec,
  rocSpec,
} from '../render/specs/classification-curves.js';
import { confusionMatrixSpec } from '../render/specs/confusion-matrix.js';
import {
  predictedVsActualSpec,
  residualsSpec,
  type RegressionSpecInput,
} from '../render/specs/regression.js';
import { renderPng } from '../render/render-png.js';
import type { ExperimentScores } from './experiment-tables.js';
import type { ValidExperiment } from './validate.js';

/** One rendered plot, ready to store. */
export interface RenderedPlot {
  /** The tracking-table column that gets its URL: every plot stored is referenced by the row. */
  column: string;
  pngPath: string;
  png: Uint8Array;
  specPath: string;
  /** The spec with its data inlined, for the Vega editor. */
  spec: string;
}

interface PlotSpec {
  name: string;
  column: string;
  spec: TopLevelSpec;
}

/**
 * The plots of one experiment: a confusion matrix (counts and row-normalised) and, with
 * `yScore`, ROC, precision–recall and calibration curves; or predicted vs actual and residuals.
 */
export async function renderExperimentPlots(
  experiment: ValidExperiment,
  scores: ExperimentScores,
  predictionId: string,
): Promise<RenderedPlot[]> {
  const title = `${experiment.project} · ${predictionId.slice(0, 8)}`;
  const specs: PlotSpec[] =
    scores.kind === 'classification'
      ? [...confusionPlots(scores.scores, title), ...curvePlots(experiment, scores.scores, title)]
      : regressionPlots({
          yTrue: experiment.yTrue as ArrayLike<number>,
          yPred: experiment.yPred as ArrayLike<number>,
          title,
        });
  return Promise.all(
    specs.map(async ({ name, column, spec }) => ({
      column,
      pngPath: plotPath(experiment.kind, predictionId, name, 'png'),
      png: await renderPng(spec, { plot: name }),
      specPath: plotPath(experiment.kind, predictionId, name, 'vl.json'),
      spec: JSON.stringify(spec, null, 2),
    })),
  );
}

/**
 * Counts and row-normalised, from the sparse cells: reading `confusion.counts` would build the
 * K×K matrix, 1e8 numbers at 10,000 classes, for a plot that shows the 30 most frequent classes.
 */
function confusionPlots(scores: ClassificationScores, title: string): PlotSpec[] {
  const cells = confusionCells(scores.confusion);
  const input = { labels: cells.labels, cells, title };
  return [
    {
      name: 'confusion_matrix',
      column: 'plot_confusion_matrix',
      spec: confusionMatrixSpec(input),
    },
    {
      name: 'confusion_matrix_normalized',
      column: 'plot_confusion_matrix_normalized',
      spec: confusionMatrixSpec({ ...input, normalize: true }),
    },
  ];
}

/**
 * ROC and precision–recall curves (one-vs-rest per class for multiclass) and a calibration
 * plot, when the run has probabilities; the curves only where they are defined (y_true holds
 * more than one class).
 */
function curvePlots(
  experiment: ValidExperiment,
  scores: ClassificationScores,
  title: string,
): PlotSpec[] {
  if (experiment.yScore === undefined) return [];
  const curves = classificationCurves({
    yTrue: experiment.yTrue,
    yScore: experiment.yScore,
    classes: scores.classes,
    columns: experiment.classes,
    positiveLabel: experiment.positiveLabel,
  });
  const input = { ...curves, rocAuc: scores.overall.roc_auc, title };
  const plots: PlotSpec[] = [];
  if (curves.curves.length > 0) {
    plots.push(
      { name: 'roc', column: 'plot_roc', spec: rocSpec(input) },
      {
        name: 'precision_recall',
        column: 'plot_precision_recall',
        spec: precisionRecallSpec(input),
      },
    );
  }
  plots.push({
    name: 'calibration',
    column: 'plot_calibration',
    spec: calibrationSpec({
      kind: curves.kind,
      positive: curves.positive,
      calibration: curves.calibration,
      title,
    }),
  });
  return plots;
}

function regressionPlots(input: RegressionSpecInput): PlotSpec[] {
  return [
    { name: 'regression', column: 'plot_regression', spec: predictedVsActualSpec(input) },
    { name: 'residuals', column: 'plot_residuals', spec: residualsSpec(input) },
  ];
}
