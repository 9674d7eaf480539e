/**
 * What a model script of a pipeline exports besides its model: its versions (named parameter
 * sets, `defineVersions([...])`), each with the data it trains on (a {@link DataLoader}), and
 * the checks that name the script, the version and the field of any mistake.
 */
import { ValidationError } from '../errors.js';
import type { JsonValue } from '../runs/run-record.js';

// A brand rather than `instanceof` alone: a script may load its own copy of ml-tracking (a
// global install beside a local one), whose DataLoader is another class with the same contract.
const DATA_LOADER = Symbol.for('ml-tracking.DataLoader');

/**
 * The data a version trains and is tested on. Subclass it: the pipeline asks for the sample
 * counts to report progress in steps and epochs (`batchSize` samples a step).
 * @example
 * class IrisLoader extends DataLoader<number[][]> {
 *   getTrainSampleCount() { return 105; }
 *   getTestSampleCount() { return 45; }
 *   getTrainInput() { return split().train; }
 *   getTestInput() { return split().test; }
 * }
 */
export abstract class DataLoader<Input = unknown> {
  /** @internal */
  readonly [DATA_LOADER] = true;
  /** Training samples: `ceil(count / batchSize)` steps make an epoch. */
  abstract getTrainSampleCount(): number | Promise<number>;
  abstract getTestSampleCount(): number | Promise<number>;
  abstract getTrainInput(): Input | Promise<Input>;
  abstract getTestInput(): Input | Promise<Input>;
}

/** Whether `value` is a {@link DataLoader} (of any copy of ml-tracking). */
export const isDataLoader = (value: unknown): value is DataLoader =>
  typeof value === 'object' &&
  value !== null &&
  (value as Record<symbol, unknown>)[DATA_LOADER] === true;

/**
 * A stand-in for a data loader that lives in another process (a Python script's, which the
 * script's process checked), so that {@link checkVersions} checks the other fields of its version.
 */
export const dataLoaderElsewhere = (): DataLoader =>
  ({ [DATA_LOADER]: true }) as unknown as DataLoader;

/** One version of a model script: a named parameter set. */
export interface PipelineVersion {
  /** 1–100 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit; unique within the script. */
  name: string;
  dataLoader: DataLoader;
  /** Samples per training step: a positive integer. */
  batchSize: number;
  /** Passes over the training data: a positive integer. */
  epochCount: number;
  /**
   * Execution mode keeps one model folder per script and suffix (`<script>-<suffix>`); versions
   * without a suffix share the script's folder. Same characters as `name`.
   */
  modelDirSuffix?: string;
  /**
   * Versions with an `order` run first, lowest first; the others follow in the order they are
   * defined. Any finite number.
   */
  order?: number;
  /** Any other parameter, handed to the model as it is and recorded when JSON can hold it. */
  [parameter: string]: unknown;
}

/**
 * Declares a script's versions, checking each field (a `ValidationError` names the version and
 * the field). The pipeline checks them again with the script's name when it loads the script.
 * @example
 * export const versions = defineVersions([
 *   { name: 'small', dataLoader: new IrisLoader(), batchSize: 16, epochCount: 5 },
 * ]);
 */
export function defineVersions<const V extends PipelineVersion>(versions: readonly V[]): V[] {
  return checkVersions(versions, undefined) as V[];
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The fields of a version as a script's language spells them, and the fixes that name them. */
export interface VersionVocabulary {
  /** What the script calls its list of versions. */
  versions: string;
  /** Each field's name in the script. */
  fields: Record<'dataLoader' | 'batchSize' | 'epochCount' | 'modelDirSuffix' | 'order', string>;
  /** How to declare the versions (the fix of a missing or empty list). */
  declare: string;
  /** What a data loader is (the fix of a missing one). */
  dataLoader: string;
}

/** TypeScript and JavaScript scripts: `export const versions = defineVersions([…])`. */
export const TYPESCRIPT_VOCABULARY: VersionVocabulary = {
  versions: 'versions',
  fields: {
    dataLoader: 'dataLoader',
    batchSize: 'batchSize',
    epochCount: 'epochCount',
    modelDirSuffix: 'modelDirSuffix',
    order: 'order',
  },
  declare:
    'Export `versions = defineVersions([{ name, dataLoader, batchSize, epochCount }, …])` with at least one version.',
  dataLoader:
    "Pass an instance of a subclass of ml-tracking's DataLoader (getTrainSampleCount, getTestSampleCount, getTrainInput, getTestInput).",
};

/**
 * The versions a script exports, checked: a `ValidationError` whose parameter is
 * `<script>: versions[i] "<name>".<field>` and says how to fix it. `vocabulary` names the fields
 * as the script's language spells them (Python's `batch_size` for `batchSize`).
 */
export function checkVersions(
  value: unknown,
  script: string | undefined,
  vocabulary: VersionVocabulary = TYPESCRIPT_VOCABULARY,
): PipelineVersion[] {
  const list = `${script === undefined ? '' : `${script}: `}${vocabulary.versions}`;
  const where = (index: number, name?: string) =>
    `${list}[${index}]${name === undefined ? '' : ` "${name}"`}`;
  const field = vocabulary.fields;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(
      list,
      Array.isArray(value) ? 'the list is empty' : 'is not an array',
      vocabulary.declare,
    );
  }
  const seen = new Set<string>();
  return value.map((version: unknown, index) => {
    if (typeof version !== 'object' || version === null || Array.isArray(version)) {
      throw new ValidationError(
        where(index),
        'is not an object',
        'Each version is an object { name, dataLoader, batchSize, epochCount, … }.',
      );
    }
    const fields = version as Record<string, unknown>;
    const name = fields.name;
    if (typeof name !== 'string' || !SEGMENT.test(name)) {
      throw new ValidationError(
        `${where(index)}.name`,
        name === undefined ? 'is missing' : `${JSON.stringify(name)} is not a version name`,
        'Name each version with 1–100 of A-Z a-z 0-9 . _ -, starting with a letter or digit.',
      );
    }
    const at = (field: string) => `${where(index, name)}.${field}`;
    if (seen.has(name)) {
      throw new ValidationError(
        at('name'),
        'another version has this name',
        'Give every version of a script its own name.',
      );
    }
    seen.add(name);
    if (!isDataLoader(fields.dataLoader)) {
      throw new ValidationError(
        at(field.dataLoader),
        fields.dataLoader === undefined ? 'is missing' : 'is not a DataLoader',
        vocabulary.dataLoader,
      );
    }
    for (const key of ['batchSize', 'epochCount'] as const) {
      const number = fields[key];
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
        throw new ValidationError(
          at(field[key]),
          number === undefined
            ? 'is missing'
            : `${JSON.stringify(number)} is not a positive integer`,
          `Set ${field[key]} to a whole number of 1 or more.`,
        );
      }
    }
    const suffix = fields.modelDirSuffix;
    if (suffix !== undefined && (typeof suffix !== 'string' || !SEGMENT.test(suffix))) {
      throw new ValidationError(
        at(field.modelDirSuffix),
        `${JSON.stringify(suffix)} cannot name a folder`,
        'Use 1–100 of A-Z a-z 0-9 . _ -, starting with a letter or digit, or leave it out.',
      );
    }
    const order = fields.order;
    if (order !== undefined && (typeof order !== 'number' || !Number.isFinite(order))) {
      throw new ValidationError(
        at(field.order),
        `${JSON.stringify(order)} is not a finite number`,
        `Set ${field.order} to a number (lower runs first), or leave it out.`,
      );
    }
    return version as PipelineVersion;
  });
}

/** The versions in the order they run: those with an `order` first (lowest first), then the rest as defined. */
export function runOrder<V extends { order?: number }>(versions: readonly V[]): V[] {
  const ordered = versions.filter((version) => version.order !== undefined);
  const rest = versions.filter((version) => version.order === undefined);
  // Array.prototype.sort is stable: equal orders keep the order they were defined in.
  return [...ordered.sort((a, b) => (a.order ?? 0) - (b.order ?? 0)), ...rest];
}

/** Whether `name` can be a script or version name (a path segment in the store). */
export const isPipelineName = (name: string): boolean => SEGMENT.test(name);

/**
 * What a version records as its run's hyperparameters: every field JSON can hold; the data
 * loader as its class name.
 */
export function versionParameters(version: PipelineVersion): Record<string, JsonValue> {
  const parameters: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(version)) {
    if (key === 'dataLoader') {
      parameters.dataLoader = (value as object).constructor.name;
      continue;
    }
    const json = asJson(value);
    if (json !== undefined) parameters[key] = json;
  }
  return parameters;
}

function asJson(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) {
    const items = value.map(asJson);
    return items.every((item) => item !== undefined) ? items : undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([key, item]) => [key, asJson(item)]);
    return entries.every(([, item]) => item !== undefined)
      ? (Object.fromEntries(entries) as Record<string, JsonValue>)
      : undefined;
  }
  return undefined;
}
