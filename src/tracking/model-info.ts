/** What is recorded about a model object. */
export interface ModelInfo {
  /** Class name, e.g. `RandomForestClassifier`. */
  name: string;
  hyperparameters: Record<string, unknown>;
  /** Feature names the model was trained on, when it knows them. */
  features: string[] | undefined;
  /** Importance per feature, when the model has them. */
  featureImportance: Record<string, number> | undefined;
}

type Adapter = (model: Record<string, unknown>) => Partial<ModelInfo> | undefined;

/**
 * One small adapter per model family, tried in order; the first that recognises the object
 * wins. An object nobody recognises still logs, with its class name and no hyperparameters.
 */
const ADAPTERS: readonly Adapter[] = [
  // scikit-learn-like objects (and anything that mimics them): getParams().
  (model) =>
    typeof model.getParams === 'function'
      ? { hyperparameters: asRecord(call(model, 'getParams')) }
      : undefined,
  // TensorFlow.js layers models: getConfig() and a name.
  (model) =>
    typeof model.getConfig === 'function' && typeof model.predict === 'function'
      ? { hyperparameters: asRecord(call(model, 'getConfig')) }
      : undefined,
  // ml.js models serialise their options with toJSON().
  (model) =>
    typeof model.toJSON === 'function'
      ? { hyperparameters: mlJsOptions(call(model, 'toJSON')) }
      : undefined,
  // Plain descriptions: { name, params }.
  (model) =>
    typeof model.name === 'string' && typeof model.params === 'object' && model.params !== null
      ? { name: model.name, hyperparameters: asRecord(model.params) }
      : undefined,
];

/** Reads the class name, hyperparameters and features of a trained model object. */
export function describeModel(model: object): ModelInfo {
  const record = model as Record<string, unknown>;
  const found = ADAPTERS.map((adapter) => adapter(record)).find((info) => info !== undefined) ?? {};
  const features = featureNames(record);
  return {
    name: found.name ?? className(record),
    hyperparameters: found.hyperparameters ?? {},
    features,
    featureImportance: featureImportance(record, features),
  };
}

function className(model: Record<string, unknown>): string {
  const constructorName = (model.constructor as { name?: unknown } | undefined)?.name;
  if (
    typeof constructorName === 'string' &&
    constructorName !== '' &&
    constructorName !== 'Object'
  ) {
    return constructorName;
  }
  if (typeof model.name === 'string' && model.name !== '') return model.name;
  if (typeof model.className === 'string') return model.className;
  return typeof model === 'function' ? 'Function' : 'Object';
}

function featureNames(model: Record<string, unknown>): string[] | undefined {
  for (const key of ['featureNames', 'feature_names_in_', 'features']) {
    const value = model[key];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  }
  return undefined;
}

function featureImportance(
  model: Record<string, unknown>,
  features: string[] | undefined,
): Record<string, number> | undefined {
  const raw =
    typeof model.featureImportance === 'function'
      ? call(model, 'featureImportance')
      : (model.featureImportances ?? model.feature_importances_);
  if (!isNumberArray(raw)) return undefined;
  return Object.fromEntries(
    raw.map((value, index) => [features?.[index] ?? `feature_${index}`, value]),
  );
}

/**
 * ml.js `toJSON()` output holds the whole fitted model (trees, weights). Keep the settings:
 * scalars and small objects of scalars, also from a nested `options` or `baseModel`.
 */
function mlJsOptions(json: unknown): Record<string, unknown> {
  const record = asRecord(json);
  const nested = [record.options, record.parameters, record.baseModel].map(asRecord);
  return Object.assign({}, settingsOf(record), ...nested.map(settingsOf)) as Record<
    string,
    unknown
  >;
}

function settingsOf(record: Record<string, unknown>): Record<string, unknown> {
  const isScalar = (value: unknown) =>
    value === null || ['string', 'number', 'boolean'].includes(typeof value);
  return Object.fromEntries(
    Object.entries(record).filter(
      ([, value]) =>
        isScalar(value) ||
        (typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.values(value!).every(isScalar)),
    ),
  );
}

function call(model: Record<string, unknown>, method: string): unknown {
  try {
    return (model[method] as () => unknown).call(model);
  } catch {
    // A model whose introspection throws still logs, without that detail.
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isNumberArray(value: unknown): value is number[] {
  return (
    (Array.isArray(value) || ArrayBuffer.isView(value)) &&
    Array.from(value as ArrayLike<unknown>).every((item) => typeof item === 'number')
  );
}
