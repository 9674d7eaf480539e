import { jsonText } from '../_json.js';
import { ValidationError } from '../errors.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import { compareLabels } from '../metrics/index.js';
import type { Label } from '../metrics/types.js';
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
  for (const [name, values] of [
    ['yTrue', yTrue],
    ['yPred', yPred],
  ] as const) {
    if (values.length !== n) {
      throw new ValidationError(
        name,
        `it has ${values.length} values but parameters.testSet has ${n} sample ids`,
        'Pass one value per test sample, in the order of parameters.testSet.',
      );
    }
  }

  let yScore: ValidExperiment['yScore'];
  if (kind === 'regression') {
    checkFiniteNumbers('yTrue', yTrue);
    checkFiniteNumbers('yPred', yPred);
    if (input.yScore !== undefined) {
      throw new ValidationError(
        'yScore',
        'it only applies to classification',
        'Leave yScore out for regression.',
      );
    }
  } else {
    const labelType = checkLabels('yTrue', yTrue, undefined);
    checkLabels('yPred', yPred, labelType);
    const classes = input.classes ?? sortedLabels(yTrue, yPred);
    if (input.classes !== undefined) checkClasses(input.classes, yTrue, yPred);
    if (input.yScore !== undefined) yScore = checkScores(input.yScore, n, classes.length);
  }

  return {
    kind,
    project,
    ...parameters,
    yTrue,
    yPred,
    yScore,
    classes: input.classes,
    positiveLabel: input.positiveLabel,
    extraParametersJson: toJson('extraParameters', input.extraParameters ?? {}),
  };
}

function checkKind(kind: unknown): ExperimentKind {
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
      `it is a ${typeof model} (${JSON.stringify(model)})`,
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
  };
}

function checkArray<T>(name: string, values: T | undefined, what: string): T & ArrayLike<unknown> {
  const isArrayLike =
    Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
  if (!isArrayLike) {
    throw new ValidationError(
      name,
      'it is missing or not an array',
      `Pass in ${what}, as an array.`,
    );
  }
  const array = values as T & ArrayLike<unknown>;
  if (array.length === 0) throw new ValidationError(name, 'it is empty', `Pass in ${what}.`);
  return array;
}

function checkFiniteNumbers(name: string, values: ArrayLike<unknown>): void {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(
        name,
        `${name}[${index}] is ${describeValue(value)}`,
        'Regression values must be finite numbers: drop or impute NaN and infinite values first.',
      );
    }
  }
}

type LabelType = 'string' | 'number' | 'boolean';

function checkLabels(
  name: string,
  values: ArrayLike<unknown>,
  expected: LabelType | undefined,
): LabelType {
  let type = expected;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    const valueType = typeof value;
    const isLabel =
      valueType === 'string' ||
      valueType === 'boolean' ||
      (valueType === 'number' && Number.isInteger(value));
    if (!isLabel) {
      throw new ValidationError(
        name,
        `${name}[${index}] is ${describeValue(value)}`,
        'Classification labels must be strings, integers or booleans.',
      );
    }
    type ??= valueType;
    if (valueType !== type) {
      throw new ValidationError(
        name,
        `${name}[${index}] is a ${valueType} but the labels so far are ${type}s`,
        'Use one type of label for yTrue and yPred, e.g. all strings.',
      );
    }
  }
  return type ?? 'string';
}

function checkClasses(
  classes: readonly Label[],
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
): void {
  const known = new Set(classes);
  if (!Array.isArray(classes) || known.size !== classes.length) {
    throw new ValidationError(
      'classes',
      'it is not an array of distinct labels',
      'Pass the labels of the yScore columns, each once.',
    );
  }
  for (const values of [yTrue, yPred]) {
    for (let index = 0; index < values.length; index += 1) {
      if (!known.has(values[index]!)) {
        throw new ValidationError(
          'classes',
          `it lacks the label ${JSON.stringify(values[index])}`,
          'List every label that occurs in yTrue and yPred.',
        );
      }
    }
  }
}

function checkScores(
  yScore: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  n: number,
  classCount: number,
): ArrayLike<number> | ArrayLike<ArrayLike<number>> {
  checkArray('yScore', yScore, 'the predicted probabilities');
  if (yScore.length !== n) {
    throw new ValidationError(
      'yScore',
      `it has ${yScore.length} rows for ${n} test samples`,
      'Pass one probability (row) per test sample.',
    );
  }
  const first = yScore[0];
  if (typeof first === 'number') {
    if (classCount > 2) {
      throw new ValidationError(
        'yScore',
        `it holds one probability per sample but there are ${classCount} classes`,
        'For multiclass, pass one row of class probabilities per sample.',
      );
    }
    checkProbabilities(yScore, (index) => `yScore[${index}]`);
    return yScore;
  }
  for (let row = 0; row < n; row += 1) {
    const probabilities = (yScore as ArrayLike<ArrayLike<number> | undefined>)[row];
    if (typeof probabilities !== 'object' || probabilities.length !== classCount) {
      throw new ValidationError(
        'yScore',
        `row ${row} has ${typeof probabilities === 'object' ? probabilities.length : 'no'} columns for ${classCount} classes`,
        'Pass one probability per class in every row, columns in sorted class order (or set classes).',
      );
    }
    checkProbabilities(probabilities, (column) => `yScore[${row}][${column}]`);
  }
  return yScore;
}

function checkProbabilities(values: ArrayLike<unknown>, where: (index: number) => string): void {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new ValidationError(
        'yScore',
        `${where(index)} is ${describeValue(value)}`,
        'Probabilities must be numbers between 0 and 1.',
      );
    }
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

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return String(value);
  return value === undefined
    ? 'missing'
    : `${(JSON.stringify(value) as string | undefined) ?? typeof value} (${typeof value})`;
}
