/**
 * Every error code this package uses, in one table: what the CLI exits with, what the dashboard
 * answers with, and the sentence the README's Errors section shows. The CLI (`exitCodeOf`,
 * `errorJson`), the dashboard server (`errorJson` and the status) and the Python client (which
 * reads the CLI's `--json` error line) all go by it, so a new code is added here or nowhere.
 */
import { constants } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { MlTrackingError } from './errors.js';

/** What one error code means to each front end. */
export interface ErrorCodeInfo {
  /** The CLI's exit code: 2 for input a user can correct on the command line, 1 otherwise. */
  readonly exitCode: number;
  /** The dashboard's HTTP status for an answer that failed with this code. */
  readonly httpStatus: 400 | 403 | 404 | 405 | 409 | 422 | 500;
  /** One sentence for the README's Errors section. */
  readonly summary: string;
  /** Set for a code no library or CLI code throws (only the dashboard's HTTP layer answers with it). */
  readonly dashboardOnly?: true;
}

/**
 * Every error code, with its exit code, HTTP status and summary. The README's Errors section is
 * generated from it (`scripts/cli-table.ts`).
 */
export const ERROR_CODES = {
  ERR_ML_TRACKING: {
    exitCode: 1,
    httpStatus: 500,
    summary: 'A failure with no more specific code; the message says what failed.',
  },
  ERR_USAGE: {
    exitCode: 2,
    httpStatus: 400,
    summary:
      'The command line is wrong: an unknown command or flag, or a missing argument. The message names the closest known name.',
  },
  ERR_VALIDATION: {
    exitCode: 2,
    httpStatus: 400,
    summary:
      'An input was missing or wrong (a flag, an option, a configuration file); `parameter` names it and nothing was written.',
  },
  ERR_STORE: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      'A store operation failed (network, permissions, retries exhausted); `path` names the object when there is one.',
  },
  ERR_NOT_FOUND: {
    exitCode: 1,
    httpStatus: 404,
    summary: 'The object asked for (a run, a sweep, a tracker, a file) is not in the store.',
  },
  ERR_CONFLICT: {
    exitCode: 1,
    httpStatus: 409,
    summary:
      'Someone else wrote first: a conditional write found another generation, or an experiment with `onDuplicate: "error"` found its row.',
  },
  ERR_CORRUPT_FILE: {
    exitCode: 1,
    httpStatus: 422,
    summary:
      'A stored file cannot be read as what it should be (not CSV or JSON, not the table header); `path` names it. Listings skip such files with a warning.',
  },
  ERR_CORRUPT_SCALARS: {
    exitCode: 1,
    httpStatus: 422,
    summary: "A line of a run's scalars table is not a row of it; the message names the line.",
  },
  ERR_OUTDATED_TRACKER: {
    exitCode: 1,
    httpStatus: 409,
    summary:
      'A tracker has an older header than this version writes; `ml-tracking migrate --apply` rewrites it in place.',
  },
  ERR_MIGRATION: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      '`ml-tracking migrate` could not rewrite some trackers; each is listed with the reason.',
  },
  ERR_RENDER: {
    exitCode: 1,
    httpStatus: 500,
    summary: 'A plot could not be rendered.',
  },
  ERR_MODEL_RUN: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      "A run's `model_runs` record was changed by hand and no longer describes the run, so it cannot be reproduced.",
  },
  ERR_ARTIFACT_CHANGED: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      'A stored artifact no longer holds the bytes it was named after (its SHA-256), so it cannot be trusted to reproduce a run.',
  },
  ERR_EXPERIMENT_NOT_RUNNING: {
    exitCode: 1,
    httpStatus: 500,
    summary: "An experiment's outputs were used outside its `run()`.",
  },
  ERR_GIT: {
    exitCode: 1,
    httpStatus: 500,
    summary: 'Git failed while checking a recorded commit out into a temporary worktree.',
  },
  ERR_COMMIT_NOT_FOUND: {
    exitCode: 1,
    httpStatus: 404,
    summary:
      'The commit a run was recorded at is not in the repository (a shallow or older clone): fetch it and try again.',
  },
  ERR_REPRODUCE: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      'Reproducing a run failed in its child process, or was interrupted (then the exit code is 128 + the signal number, 130 for Ctrl-C).',
  },
  ERR_PIPELINE_SCRIPT: {
    exitCode: 1,
    httpStatus: 500,
    summary: 'A pipeline model script could not be loaded or described its versions wrongly.',
  },
  ERR_PIPELINE_VERSION: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      'A version of a pipeline model script failed; the message names the script and version.',
  },
  ERR_STORE_CHECK: {
    exitCode: 1,
    httpStatus: 500,
    summary: '`ml-tracking check` found that the store does not behave as ml-tracking needs.',
  },
  ERR_HOST_NOT_ALLOWED: {
    exitCode: 1,
    httpStatus: 403,
    summary:
      'The dashboard answers requests for localhost only (a guard against DNS rebinding); open it at the address `ml-tracking ui` printed.',
    dashboardOnly: true,
  },
  ERR_METHOD: {
    exitCode: 1,
    httpStatus: 405,
    summary: 'The dashboard is read-only: it answers GET (and HEAD) only.',
    dashboardOnly: true,
  },
  ERR_INTERNAL: {
    exitCode: 1,
    httpStatus: 500,
    summary:
      'An unexpected failure (a bug, or an error from a dependency); the CLI prints its first line, `--verbose` the stack.',
  },
} as const satisfies Record<`ERR_${string}`, ErrorCodeInfo>;

/** A stable, machine-readable error code, e.g. `ERR_VALIDATION`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `value` is one of the codes of {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * The JSON a failure is reported as: the CLI's one line on stderr under `--json`, and the body of
 * every dashboard error answer.
 */
export interface ErrorJson {
  error: {
    code: ErrorCode;
    /**
     * The error's class (`ValidationError`, `DuplicateModelError`, …), for a program that tells
     * the kinds of one code apart (the Python client's `DuplicateModelError`).
     */
    name?: string;
    /** The whole message: what failed, where, and how to fix it. */
    message: string;
    /** The input at fault (a flag, an option, a configuration key), for `ERR_VALIDATION`. */
    parameter?: string;
    /** The object in the store the failure concerns. */
    path?: string;
    /** How to fix it, when the error says (also the end of `message`). */
    hint?: string;
  };
}

/** citty's CLIError: a missing or malformed argument on the command line. */
function isCittyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'CLIError';
}

/** The signal that stopped the work an error reports (`ReproduceError.interruptedBy`). */
function interruptedBy(error: MlTrackingError): NodeJS.Signals | undefined {
  const signal = (error as { interruptedBy?: unknown }).interruptedBy;
  return typeof signal === 'string' && Object.hasOwn(constants.signals, signal)
    ? (signal as NodeJS.Signals)
    : undefined;
}

/**
 * The code an error is reported with: its own for an {@link MlTrackingError}, `ERR_USAGE` for a
 * command-line parsing error, `ERR_INTERNAL` for anything else.
 */
export function errorCodeOf(error: unknown): ErrorCode {
  if (error instanceof MlTrackingError) return error.code;
  if (isCittyError(error)) return 'ERR_USAGE';
  return 'ERR_INTERNAL';
}

/**
 * The CLI's exit code for an error: the table's for its code (2 for usage and validation errors,
 * 1 otherwise), and 128 + the signal's number for work a signal interrupted (130 for SIGINT), as
 * a shell reports a process the signal ended.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof MlTrackingError) {
    const signal = interruptedBy(error);
    if (signal !== undefined) return 128 + constants.signals[signal];
  }
  return ERROR_CODES[errorCodeOf(error)].exitCode;
}

/** The dashboard's HTTP status for an error, from the table. */
export function httpStatusOf(error: unknown): ErrorCodeInfo['httpStatus'] {
  return ERROR_CODES[errorCodeOf(error)].httpStatus;
}

/**
 * An error as JSON, `{ error: { code, name?, message, parameter?, path?, hint? } }`: what `--json`
 * prints on stderr when a command fails, and what the dashboard answers. A foreign error (not an
 * {@link MlTrackingError}) gives its first line only: the rest is usually a dump of internals.
 *
 * @example
 * errorJson(new ValidationError('--epochs', 'it is "ten"', 'Pass a whole number.'))
 * // { error: { code: 'ERR_VALIDATION', name: 'ValidationError', message: 'Invalid --epochs: it is "ten". Pass a whole number.',
 * //            parameter: '--epochs', hint: 'Pass a whole number.' } }
 */
export function errorJson(error: unknown): ErrorJson {
  const code = errorCodeOf(error);
  if (!(error instanceof Error)) return { error: { code, message: String(error) } };
  if (!(error instanceof MlTrackingError)) {
    // citty colours names in its messages.
    const message = stripVTControlCharacters(error.message);
    return { error: { code, message: isCittyError(error) ? message : firstLine(message) } };
  }
  const { parameter, path } = error as { parameter?: unknown; path?: unknown };
  return {
    error: {
      code,
      name: error.name,
      message: error.message,
      ...(typeof parameter === 'string' && { parameter }),
      ...(typeof path === 'string' && { path }),
      ...(error.hint !== undefined && { hint: error.hint }),
    },
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
