/**
 * Registries of model, feature-generator and dataset classes: `trainModel` takes their names, so
 * a run records names and parameters (which a later process can look up again to reproduce it)
 * rather than objects.
 */
import { ValidationError } from '../errors.js';
import type { Label } from '../metrics/types.js';
import type { JsonValue } from '../runs/run-record.js';
import { closest } from '../_suggest.js';

/** One feature of one sample: what a data set stored as JSON can hold exactly. */
export type FeatureValue = number | string | boolean | null;

/**
 * Samples: one row of features per sample, their targets and, optionally, their ids. What a
 * {@link Dataset} loads and a {@link FeatureGenerator} transforms.
 */
export interface Samples {
  /** Rows of features, one per sample. */
  x: FeatureValue[][];
  /** Targets, one per sample: labels (classification) or numbers (regression). */
  y: Label[];
  /** One unique id per sample, recorded with the test predictions. @default the row numbers */
  ids?: string[];
}

/**
 * @deprecated Renamed {@link Samples} (it was too easily mistaken for {@link Dataset}, the class
 * that loads them); `DataSet` stays for one release, then goes.
 */
export type DataSet = Samples;

/** Parameters a registered class is constructed with: a JSON object, so that runs record them. */
export type Params = Record<string, JsonValue>;

/** Where the samples come from. Constructed with its params object. */
export interface Dataset {
  load(): Promise<Samples> | Samples;
}

/** Turns loaded samples into model features. Constructed with its params object. */
export interface FeatureGenerator {
  /** The same samples, in the same order, with their features; `y` and `ids` as given. */
  transform(data: Samples): Promise<Samples> | Samples;
}

/** A model. Constructed with its params object (its hyperparameters). */
export interface Model {
  fit(x: FeatureValue[][], y: Label[]): Promise<void> | void;
  /** One prediction per row of `x`. */
  predict(x: FeatureValue[][]): Promise<ArrayLike<Label>> | ArrayLike<Label>;
  /** Hyperparameters worth recording beyond the params it was constructed with. */
  params?(): Params;
}

// `never` accepts a constructor of any params type: each class declares its own params.
/** A class whose instances are {@link Model}s. */
export type ModelClass = new (params: never) => Model;
/** A class whose instances are {@link FeatureGenerator}s. */
export type FeatureGeneratorClass = new (params: never) => FeatureGenerator;
/** A class whose instances are {@link Dataset}s. */
export type DatasetClass = new (params: never) => Dataset;

/** What a registry holds: models, feature generators or datasets. */
export type RegistryKind = 'model' | 'featureGenerator' | 'dataset';

interface ClassOf {
  model: ModelClass;
  featureGenerator: FeatureGeneratorClass;
  dataset: DatasetClass;
}

interface InstanceOf {
  model: Model;
  featureGenerator: FeatureGenerator;
  dataset: Dataset;
}

const WHAT: Record<RegistryKind, { one: string; many: string }> = {
  model: { one: 'model', many: 'models' },
  featureGenerator: { one: 'feature generator', many: 'feature generators' },
  dataset: { one: 'dataset', many: 'datasets' },
};

/**
 * Classes by name, per kind. Use the shared {@link registry}; a `new Registry()` keeps a test's
 * or a library's classes apart (pass it to `trainModel` as `registry`).
 */
export class Registry {
  private readonly classes: { [K in RegistryKind]: Map<string, ClassOf[K]> } = {
    model: new Map(),
    featureGenerator: new Map(),
    dataset: new Map(),
  };

  /**
   * Registers a model class under `name`. Registering the same class again is allowed (a module
   * imported twice); another class under a taken name is an error.
   * @example registry.model('random-forest', RandomForestModel);
   */
  model(name: string, Class: ModelClass): this {
    return this.add('model', name, Class);
  }

  /** Registers a feature generator class under `name`. */
  featureGenerator(name: string, Class: FeatureGeneratorClass): this {
    return this.add('featureGenerator', name, Class);
  }

  /** Registers a dataset class under `name`. */
  dataset(name: string, Class: DatasetClass): this {
    return this.add('dataset', name, Class);
  }

  /**
   * The class registered under `name`.
   * @throws ValidationError on the parameter `kind` (`model`, `featureGenerator`, `dataset`)
   *   when none is, listing the registered names and the closest one.
   */
  get<K extends RegistryKind>(kind: K, name: string): ClassOf[K] {
    const found = this.classes[kind].get(name);
    if (found !== undefined) return found;
    const names = this.names(kind);
    const what = WHAT[kind];
    const suggestion = typeof name === 'string' ? closest(name, names) : undefined;
    throw new ValidationError(
      kind,
      `${JSON.stringify(name)} is not a registered ${what.one} (${
        names.length === 0 ? `no ${what.many} are registered` : `registered: ${names.join(', ')}`
      })`,
      `${suggestion === undefined ? '' : `Did you mean "${suggestion}"? `}Register the class with registry.${kind}(name, Class) before calling trainModel, in the same process.`,
    );
  }

  /**
   * A new instance of the class registered under `name`, constructed with `params`.
   * @throws ValidationError as {@link get} does.
   */
  create<K extends RegistryKind>(kind: K, name: string, params: Params): InstanceOf[K] {
    const Class = this.get(kind, name) as unknown as new (params: Params) => InstanceOf[K];
    return new Class(params);
  }

  /** The names registered for `kind`, sorted. */
  names(kind: RegistryKind): string[] {
    return [...this.classes[kind].keys()].sort();
  }

  /** Forgets every class (for tests). */
  clear(): void {
    for (const map of Object.values(this.classes)) map.clear();
  }

  private add<K extends RegistryKind>(kind: K, name: string, Class: ClassOf[K]): this {
    if (typeof name !== 'string' || name.trim() !== name || name === '' || name.length > 200) {
      throw new ValidationError(
        'name',
        `${JSON.stringify(name)} is not a ${WHAT[kind].one} name`,
        'Pass a non-empty name of at most 200 characters without leading or trailing spaces.',
      );
    }
    if (typeof Class !== 'function') {
      throw new ValidationError(
        'Class',
        `the ${WHAT[kind].one} "${name}" is not a class`,
        `Pass the class itself, e.g. registry.${kind}("${name}", MyClass).`,
      );
    }
    const taken = this.classes[kind].get(name);
    if (taken !== undefined && taken !== Class) {
      throw new ValidationError(
        kind,
        `"${name}" is already registered to the class ${taken.name || '(anonymous)'}`,
        'Register the other class under a name of its own: runs record the name, and reproducing one must find the class it trained with.',
      );
    }
    this.classes[kind].set(name, Class);
    return this;
  }
}

/**
 * The shared registry `trainModel` looks names up in by default.
 * @example
 * registry.model('ModelImpl1', ModelImpl1);
 * registry.featureGenerator('FeatureGeneratorImpl1', FeatureGeneratorImpl1);
 * registry.dataset('DataAccessObjectImpl1', DataAccessObjectImpl1);
 */
export const registry = new Registry();
