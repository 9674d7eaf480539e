/**
 * Every error this library throws is an {@link MlTrackingError} with a stable `code`, so callers
 * can branch on `err.code` (or `instanceof`) and the CLI can map errors to exit codes in one place.
 * Messages say what failed, where, and how to fix it; they never contain credentials.
 */
export class MlTrackingError extends Error {
  override name = 'MlTrackingError';
  /** A stable, machine-readable identifier such as `ERR_VALIDATION`. */
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'ERR_ML_TRACKING';
  }
}

/** A parameter was missing or wrong. Thrown before anything is written. */
export class ValidationError extends MlTrackingError {
  override name = 'ValidationError';
  /** The parameter at fault, e.g. `parameters.testSet` or `store`. */
  readonly parameter: string;

  constructor(parameter: string, problem: string, fix: string, options: { cause?: unknown } = {}) {
    super(`Invalid ${parameter}: ${problem}. ${fix}`, { ...options, code: 'ERR_VALIDATION' });
    this.parameter = parameter;
  }
}

/** Context shared by every store failure. */
export interface StoreErrorContext {
  /** What was being done, e.g. `append` or `read`. */
  operation: string;
  /** The store's URL (never with credentials). */
  store: string;
  /** The object's path inside the store, when the failure concerns one object. */
  path?: string;
  cause?: unknown;
}

/** A store operation failed (network, permissions, exhausted retries, …). */
export class StoreError extends MlTrackingError {
  override name = 'StoreError';
  readonly operation: string;
  readonly store: string;
  readonly path: string | undefined;

  constructor(message: string, context: StoreErrorContext, code = 'ERR_STORE') {
    super(message, { code, cause: context.cause });
    this.operation = context.operation;
    this.store = context.store;
    this.path = context.path;
  }
}

/** The object does not exist. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';

  constructor(context: StoreErrorContext & { path: string }) {
    super(
      `Cannot ${context.operation} ${context.path} in ${context.store}: no such object. Check the path, or list the folder to see what is there.`,
      context,
      'ERR_NOT_FOUND',
    );
  }
}

/**
 * A conditional write lost a race: the object's generation was not the one the writer expected
 * (someone else wrote first), or the object already existed for a create-only write.
 */
export class ConflictError extends StoreError {
  override name = 'ConflictError';
  /** The generation the writer asked for (`"0"` for create-only). */
  readonly expectedGeneration: string;
  /** The generation found, when known (`undefined` if the object is absent or unknown). */
  readonly actualGeneration: string | undefined;

  constructor(
    context: StoreErrorContext & {
      path: string;
      expectedGeneration: string;
      actualGeneration?: string | undefined;
    },
  ) {
    const found =
      context.actualGeneration === undefined
        ? 'another generation'
        : `generation ${context.actualGeneration}`;
    const expected =
      context.expectedGeneration === '0'
        ? 'it not to exist yet'
        : `generation ${context.expectedGeneration}`;
    super(
      `Cannot ${context.operation} ${context.path} in ${context.store}: expected ${expected} but found ${found} (someone else wrote first). Read it again and retry.`,
      context,
      'ERR_CONFLICT',
    );
    this.expectedGeneration = context.expectedGeneration;
    this.actualGeneration = context.actualGeneration;
  }
}

/** A plot could not be rendered (invalid spec, layout or rasterisation failure). */
export class RenderError extends MlTrackingError {
  override name = 'RenderError';
  /** The plot that failed, e.g. `confusion_matrix`. */
  readonly plot: string;

  constructor(plot: string, message: string, options: { cause?: unknown } = {}) {
    super(`Cannot render the ${plot} plot: ${message}`, { code: 'ERR_RENDER', ...options });
    this.plot = plot;
  }
}

/**
 * A tracker's header is not the current one (an older schema version, or not a tracker's
 * header at all). Logging into it would leave two headers' rows in one file, and the folder's
 * Looker Studio data source requires one header for every file, so nothing is appended: the fix
 * is `ml-tracking migrate`, which rewrites old trackers in place. (Starting a new tracker instead
 * would not help: the old file would still be in the folder.)
 */
export class OutdatedTrackerError extends MlTrackingError {
  override name = 'OutdatedTrackerError';
  /** The store's URL. */
  readonly store: string;
  /** The tracker's path in the store. */
  readonly path: string;
  /** The header found (its first line). */
  readonly header: string;

  constructor(context: {
    store: string;
    path: string;
    header: string;
    problem: string;
    /** The tracker schema version this library writes. */
    version: number;
  }) {
    super(
      `Cannot log into ${context.path} in ${context.store}: ${context.problem}, not that of tracker schema version ${context.version}. Run \`ml-tracking migrate --store ${context.store}\` to see what would change, then the same with --apply to rewrite the trackers in place (no row is lost), and log again.`,
      { code: 'ERR_OUTDATED_TRACKER' },
    );
    this.store = context.store;
    this.path = context.path;
    this.header = context.header;
  }
}
