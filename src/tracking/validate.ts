import { jsonText } from '../_json.js';
import { ValidationError } from '../errors.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import { compareLabels } from '../metrics/index.js';
import {
  checkArray,
  checkClassificationOptions,
  checkLabels,
  checkLength,
  checkRegressionValues,
  describeValue,
} from '../metrics/input-checks.js';
import type { Label } from '../metrics/types.js';
import { describeModel, type ModelInfo } from './model-info.js';
import { slugifyProject } from './project-name.js';

/** The required description of what was trained and tested. */
export interface ExperimentParameters {
  /** Where the data set came from, e.g. `gs://my-bucket/datasets/soil.csv`. */
  datasetUri: string;
  /** The column of the data set that the model predicts. */
  targetColumn: string;
  /** One id per test sample, in the order of `yTrue` and `yPred`. */
  testSet: ArrayLike<string | number>;
  /** The trained model object itself (not its name): its class and hyperparameters are recorded. */
  model: object;
}

/** The inputs of an experiment that validation checks. */
export interface ExperimentInput {
  /** `classification` or `regression`. */
  kind: ExperimentKind;
  /** Free-form project name; slugified for file names. */
  project: string;
  parameters: ExperimentParameters;
  /** Actual values: labels (classification) or finite numbers (regression). */
  yTrue: ArrayLike<Label>;
  /** Predicted values, one per test sample. */
  yPred: ArrayLike<Label>;
  /**
   * Classification only, optional: positive-class probabilities (binary), or one row of class
   * probabilities per sample, columns in the order of `classes`.
   */
  yScore?: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** The labels of the `yScore` columns. @default the sorted labels seen in yTrue and yPred */
  classes?: readonly Label[];
  /** Binary classification: the positive class. @default the greater label */
  positiveLabel?: Label;
  /** Anything else worth recording; must serialise to JSON. */
  extraParameters?: Record<string, unknown>;
}

/** An experiment that passed validation, with the project slugified and values normalised. */
export interface ValidExperiment {
  kind: ExperimentKind;
  project: string;
  datasetUri: string;
  targetColumn: string;
  testSet: string[];
  model: object;
  /** What {@link describeModel} read from the model (reading it is part of validation). */
  modelInfo: ModelInfo;
  yTrue: ArrayLike<Label>;
  yPred: ArrayLike<Label>;
  yScore: ArrayLike<number> | ArrayLike<ArrayLike<number>> | undefined;
  classes: readonly Label[] | undefined;
  positiveLabel: Label | undefined;
  /** `extraParameters` as JSON text (`{}` when none). */
  extraParametersJson: string;
}

/**
 * Checks everything about an experiment before anything is written, and says for each problem
 * which parameter is wrong and how to fix it. Used by `logExperiment()` and the CLI alike.
 */
export function validateExperiment(input: ExperimentInput): ValidExperiment {
  if (typeof input !== 'object' || (input as unknown) === null) {
    throw new ValidationError(
      'options',
      'no options were given',
      'Pass { kind, project, parameters, yTrue, yPred }.',
    );
  }
  const kind = checkKind(input.kind);
  const project = slugifyProject(input.project);
  const parameters = checkParameters(input.parameters);
  const yTrue = checkArray('yTrue', input.yTrue, 'the actual values of the test set');
  const yPred = checkArray('yPred', input.yPred, 'the predicted values of the test set');
  const n = parameters.testSet.length;
  checkLength('yTrue', yTrue, n, 'parameters.testSet');
  checkLength('yPred', yPred, n, 'parameters.testSet');

  let yScore: ValidExperiment['yScore'];
  if (kind === 'regression') {
    checkRegressionValues('yTrue', yTrue);
    checkRegressionValues('yPred', yPred);
    if (input.yScore !== undefined) {
      throw new ValidationError(
        'yScore',
        'it only applies to classification',
        'Leave yScore out for regression.',
      );
    }
  } else {
    const labelType = checkLabels('yTrue', yTrue);
    checkLabels('yPred', yPred, labelType);
    checkClassificationOptions(
      input,
      { seen: sortedLabels(yTrue as ArrayLike<Label>, yPred as ArrayLike<Label>), labelType, n },
      { yScore: 'yScore', classes: 'classes', positiveLabel: 'positiveLabel' },
      'probabilities',
    );
    yScore = input.yScore;
  }

  return {
    kind,
    project,
    ...parameters,
    yTrue: yTrue as ArrayLike<Label>,
    yPred: yPred as ArrayLike<Label>,
    yScore,
    classes: input.classes,
    positiveLabel: input.positiveLabel,
    extraParametersJson: toJson('extraParameters', input.extraParameters ?? {}),
  };
}

/** `kind` as an experiment kind, or a ValidationError naming `kind`. */
export function checkKind(kind: unknown): ExperimentKind {
  if (!EXPERIMENT_KINDS.includes(kind as ExperimentKind)) {
    throw new ValidationError(
      'kind',
      `${describeValue(kind)} is not a kind of experiment`,
      'Pass kind: "classification" or kind: "regression".',
    );
  }
  return kind as ExperimentKind;
}

function checkParameters(parameters: unknown) {
  if (typeof parameters !== 'object' || parameters === null) {
    throw new ValidationError(
      'parameters',
      'it is missing',
      'Pass parameters: { datasetUri, targetColumn, testSet, model }.',
    );
  }
  const { datasetUri, targetColumn, testSet, model } = parameters as Partial<ExperimentParameters>;
  const text = (name: string, value: unknown, fix: string): string => {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ValidationError(`parameters.${name}`, 'it is missing or empty', fix);
    }
    return value;
  };
  const ids = checkArray(
    'parameters.testSet',
    testSet,
    'the list of sample ids that make up the test set',
  );
  const testSetIds = Array.from(ids, (id, index) => {
    if ((typeof id !== 'string' || id === '') && !(typeof id === 'number' && Number.isFinite(id))) {
      throw new ValidationError(
        'parameters.testSet',
        `testSet[${index}] is ${describeValue(id)}`,
        'Pass the list of sample ids that make up the test set: non-empty strings or numbers.',
      );
    }
    return String(id);
  });
  if (model === undefined || (model as unknown) === null) {
    throw new ValidationError(
      'parameters.model',
      'it is missing',
      'Pass in the model object itself.',
    );
  }
  if (typeof model !== 'object' && typeof model !== 'function') {
    throw new ValidationError(
      'parameters.model',
      `it is ${describeValue(model)}`,
      'Pass in the model object, not its name: its class and hyperparameters are recorded from it.',
    );
  }
  return {
    datasetUri: text(
      'datasetUri',
      datasetUri,
      'Pass the URI of the data set, e.g. "gs://my-bucket/datasets/soil.csv".',
    ),
    targetColumn: text(
      'targetColumn',
      targetColumn,
      'Pass the name of the column the model predicts.',
    ),
    testSet: testSetIds,
    model,
    modelInfo: readModel(model),
  };
}

/**
 * Reads the model now, so that a model that cannot be read (a getter that throws, a hostile
 * proxy) fails validation instead of failing later, half-way through logging.
 */
function readModel(model: object): ModelInfo {
  try {
    return describeModel(model);
  } catch (error) {
    throw new ValidationError(
      'parameters.model',
      `reading its class and hyperparameters threw (${error instanceof Error ? error.message.split('\n')[0] : describeValue(error)})`,
      'Pass the trained model object with properties that can be read, or describe it as { name, params }.',
      { cause: error },
    );
  }
}

function toJson(name: string, value: unknown): string {
  try {
    const json = jsonText(value, (key, item: unknown) => {
      // JSON.stringify would silently drop these; a silently missing parameter is worse.
      if (typeof item === 'function' || typeof item === 'symbol') {
        throw new TypeError(`${key === '' ? 'the value' : `"${key}"`} is a ${typeof item}`);
      }
      return item;
    });
    if (typeof json !== 'string') throw new TypeError(`a ${typeof value} has no JSON form`);
    return json;
  } catch (error) {
    throw new ValidationError(
      name,
      `it cannot be written as JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      'Pass plain objects, arrays, strings, numbers and booleans: no cycles, BigInts or functions.',
      { cause: error },
    );
  }
}

/** The labels seen, in scikit-learn's order (numbers numerically, strings by code point, false < true). */
function sortedLabels(...arrays: ArrayLike<Label>[]): Label[] {
  const labels = new Set<Label>();
  for (const values of arrays) {
    for (let index = 0; index < values.length; index += 1) labels.add(values[index]!);
  }
  return [...labels].sort(compareLabels);
}
