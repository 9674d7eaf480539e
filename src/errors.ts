import type { ErrorCode } from './error-codes.js';
import type { CommitNotFoundError } from './experiments/_git-worktree.js';
import type { SkippedFile } from './skipped-files.js';

export type { ErrorCode } from './error-codes.js';

/** Options every error takes. */
export interface MlTrackingErrorOptions {
  /** @default 'ERR_ML_TRACKING' */
  code?: ErrorCode;
  cause?: unknown;
  /**
   * How to fix it, one or two sentences. It ends the message (a message says what failed, where,
   * and how to fix it) and is kept apart in `hint` for front ends that show it on its own.
   */
  hint?: string | undefined;
}

/**
 * Every error this library throws is an {@link MlTrackingError} with a stable `code` from
 * `ERROR_CODES`, so callers can branch on it with {@link isMlTrackingError} (which narrows the
 * type) and every front end maps it the same way: the CLI to an exit code, the dashboard to an
 * HTTP status, both to the same JSON (`errorJson`). Messages say what failed, where, and how to
 * fix it; they never contain credentials.
 */
export class MlTrackingError extends Error {
  override name = 'MlTrackingError';
  /** A stable, machine-readable identifier such as `ERR_VALIDATION`. */
  readonly code: ErrorCode;
  /** How to fix it (also the end of `message`), when the error says. */
  readonly hint: string | undefined;

  constructor(message: string, options: MlTrackingErrorOptions = {}) {
    super(
      options.hint === undefined ? message : `${message} ${options.hint}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code ?? 'ERR_ML_TRACKING';
    this.hint = options.hint;
  }
}

/** One thing wrong with an input. */
export interface Problem {
  /** The input at fault, e.g. `--epochs`, `parameters.testSet` or `sweep.json: method`. */
  parameter: string;
  /** What is wrong with it, e.g. `it is "ten", not a number`. */
  problem: string;
  /** How to fix it. */
  fix: string;
  /** The line of the file it is on, for a problem in a file read line by line. */
  line?: number;
}

/** A parameter was missing or wrong. Thrown before anything is written. */
export class ValidationError extends MlTrackingError {
  override name = 'ValidationError' as const;
  declare readonly code: 'ERR_VALIDATION';
  /** The parameter at fault (the first one's, when there are several), e.g. `parameters.testSet` or `store`. */
  readonly parameter: string;
  /** Every problem found, the first being `parameter`'s; one entry for a single problem. */
  readonly problems: readonly Problem[];

  constructor(
    parameter: string,
    problem: string,
    fix: string,
    options: { cause?: unknown; problems?: readonly Problem[] } = {},
  ) {
    super(`Invalid ${parameter}: ${problem}.`, {
      code: 'ERR_VALIDATION',
      hint: fix,
      cause: options.cause,
    });
    this.parameter = parameter;
    this.problems = options.problems ?? [{ parameter, problem, fix }];
  }
}

/**
 * The problems found in one input file; checking goes on after each, so the user sees them all
 * at once and fixes the file in one go. Used by the sweep and pipeline configuration readers.
 */
export class Problems {
  private readonly found: Problem[] = [];

  /** @param source the file (or input) the problems are in, e.g. `sweep.json`. */
  constructor(private readonly source: string) {}

  /**
   * A problem at a key of the file (its JSON path, `''` for the file as a whole), or at a line
   * (a number) of a file read line by line.
   */
  add(at: string | number, problem: string, fix: string): void {
    if (typeof at === 'number') {
      this.found.push({ parameter: `${this.source}:${at}`, problem, fix, line: at });
    } else {
      this.found.push({
        parameter: at === '' ? this.source : `${this.source}: ${at}`,
        problem,
        fix,
      });
    }
  }

  /**
   * One error for them all, in line order where they have lines: the first names its parameter;
   * the rest follow, one per line of the message, and all are in its `problems`.
   */
  error(): ValidationError {
    // A stable sort: problems at keys keep the order they were found in.
    const sorted = [...this.found].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const [first, ...rest] = sorted;
    if (first === undefined) throw new Error('Problems.error() called with no problem found');
    if (rest.length === 0) return new ValidationError(first.parameter, first.problem, first.fix);
    const lines = sorted.map((each) => `  - ${each.parameter}: ${each.problem}. ${each.fix}`);
    const more =
      rest.length === 1
        ? '1 more problem; both are listed below'
        : `${rest.length} more problems; all ${sorted.length} are listed below`;
    return new ValidationError(
      first.parameter,
      `${first.problem} (and ${more})`,
      `${first.fix}\n${lines.join('\n')}`,
      { problems: sorted },
    );
  }

  /** Throws {@link error} when a problem was found. */
  throwIfAny(): void {
    if (this.found.length > 0) throw this.error();
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
  /** How to fix it, when the thrower knows better than the default. */
  hint?: string | undefined;
}

/** A store operation failed (network, permissions, exhausted retries, …). */
export class StoreError extends MlTrackingError {
  override name = 'StoreError';
  declare readonly code: 'ERR_STORE' | 'ERR_NOT_FOUND' | 'ERR_CONFLICT';
  readonly operation: string;
  readonly store: string;
  readonly path: string | undefined;

  constructor(
    message: string,
    context: StoreErrorContext,
    code: 'ERR_STORE' | 'ERR_NOT_FOUND' | 'ERR_CONFLICT' = 'ERR_STORE',
  ) {
    super(message, { code, cause: context.cause, hint: context.hint });
    this.operation = context.operation;
    this.store = context.store;
    this.path = context.path;
  }
}

/** The object does not exist. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError' as const;
  declare readonly code: 'ERR_NOT_FOUND';

  /**
   * @param context.message what failed, when the caller can say it better than "no such object"
   *   (e.g. which run is missing); `hint` then says how to fix it.
   */
  constructor(context: StoreErrorContext & { path: string; message?: string }) {
    super(
      context.message ??
        `Cannot ${context.operation} ${context.path} in ${context.store}: no such object.`,
      {
        ...context,
        hint: context.hint ?? 'Check the path, or list the folder to see what is there.',
      },
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
  declare readonly code: 'ERR_CONFLICT';
  /** The generation the writer asked for (`"0"` for create-only). */
  readonly expectedGeneration: string;
  /** The generation found, when known (`undefined` if the object is absent or unknown). */
  readonly actualGeneration: string | undefined;

  constructor(
    context: StoreErrorContext & {
      path: string;
      expectedGeneration: string;
      actualGeneration?: string | undefined;
      /** What failed, when the caller can say it better than the generations do. */
      message?: string;
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
      context.message ??
        `Cannot ${context.operation} ${context.path} in ${context.store}: expected ${expected} but found ${found} (someone else wrote first).`,
      { ...context, hint: context.hint ?? 'Read it again and retry.' },
      'ERR_CONFLICT',
    );
    this.expectedGeneration = context.expectedGeneration;
    this.actualGeneration = context.actualGeneration;
  }
}

/** A plot could not be rendered (invalid spec, layout or rasterisation failure). */
export class RenderError extends MlTrackingError {
  override name = 'RenderError' as const;
  declare readonly code: 'ERR_RENDER';
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
  override name = 'OutdatedTrackerError' as const;
  declare readonly code: 'ERR_OUTDATED_TRACKER';
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
      `Cannot log into ${context.path} in ${context.store}: ${context.problem}, not that of tracker schema version ${context.version}.`,
      {
        code: 'ERR_OUTDATED_TRACKER',
        hint: `Run \`ml-tracking migrate --store ${context.store}\` to see what would change, then the same with --apply to rewrite the trackers in place (no row is lost), and log again.`,
      },
    );
    this.store = context.store;
    this.path = context.path;
    this.header = context.header;
  }
}

/**
 * A file the store holds but that cannot be read as what it should be: not valid CSV or JSON,
 * not the table's header, binary bytes. Thrown by functions about one object (`getRun`,
 * `getSweep`, `findExperiment`, `readScalars`); listings skip such files instead.
 */
export class CorruptFileError extends MlTrackingError {
  override name = 'CorruptFileError' as const;
  declare readonly code: 'ERR_CORRUPT_FILE';
  /** The store's URL. */
  readonly store: string;
  /** The file's path in the store. */
  readonly path: string;
  /** What is wrong with it (the message without the advice). */
  readonly problem: string;

  constructor(context: { store: string; path: string; problem: string; cause?: unknown }) {
    super(`Cannot read ${context.path} in ${context.store}: ${context.problem}.`, {
      code: 'ERR_CORRUPT_FILE',
      cause: context.cause,
      hint: 'The file is corrupt or was not written by ml-tracking: repair it, restore it from a copy, or delete it.',
    });
    this.store = context.store;
    this.path = context.path;
    this.problem = context.problem;
  }

  /** What a listing reports for this file. */
  get skipped(): SkippedFile {
    return { path: this.path, problem: this.problem };
  }
}

/** The class every error of a code is, for the codes that one class owns. */
export interface ErrorClassOfCode {
  ERR_VALIDATION: ValidationError;
  ERR_STORE: StoreError;
  ERR_NOT_FOUND: NotFoundError;
  ERR_CONFLICT: ConflictError;
  ERR_RENDER: RenderError;
  ERR_OUTDATED_TRACKER: OutdatedTrackerError;
  ERR_CORRUPT_FILE: CorruptFileError;
  ERR_COMMIT_NOT_FOUND: CommitNotFoundError;
}

/** What {@link isMlTrackingError} narrows to for a code: its class, or an error with that code. */
export type MlTrackingErrorOf<C extends ErrorCode> = C extends keyof ErrorClassOfCode
  ? ErrorClassOfCode[C]
  : MlTrackingError & { readonly code: C };

// A code's owner is checked too: an error that reports another's code (a pipeline script's
// failure carries the code of the error its script threw) is not of the owner's class.
const OWNERS: { [C in keyof ErrorClassOfCode]: (error: MlTrackingError) => boolean } = {
  ERR_VALIDATION: (error) => error instanceof ValidationError,
  ERR_STORE: (error) => error instanceof StoreError,
  ERR_NOT_FOUND: (error) => error instanceof NotFoundError,
  ERR_CONFLICT: (error) => error instanceof ConflictError,
  ERR_RENDER: (error) => error instanceof RenderError,
  ERR_OUTDATED_TRACKER: (error) => error instanceof OutdatedTrackerError,
  ERR_CORRUPT_FILE: (error) => error instanceof CorruptFileError,
  // Its module (git worktrees) is not loaded by this one.
  ERR_COMMIT_NOT_FOUND: (error) => error.name === 'CommitNotFoundError',
};

/**
 * Whether `error` is an error of this library, and with a `code`, of that code: the type narrows
 * to the code's class where one class owns it (`ERR_VALIDATION` to {@link ValidationError}, with
 * its `parameter` and `problems`).
 *
 * @example
 * try {
 *   await logExperiment(input);
 * } catch (error) {
 *   if (isMlTrackingError(error, 'ERR_VALIDATION')) console.error(`fix ${error.parameter}`);
 *   else throw error;
 * }
 */
export function isMlTrackingError(error: unknown): error is MlTrackingError;
export function isMlTrackingError<C extends ErrorCode>(
  error: unknown,
  code: C,
): error is MlTrackingErrorOf<C>;
export function isMlTrackingError(error: unknown, code?: ErrorCode): boolean {
  if (!(error instanceof MlTrackingError)) return false;
  if (code === undefined) return true;
  if (error.code !== code) return false;
  const owner = (OWNERS as Partial<Record<ErrorCode, (error: MlTrackingError) => boolean>>)[code];
  return owner === undefined || owner(error);
}
