// The one table of error codes (src/error-codes.ts): the guards narrow to the code's class, every
// code is thrown somewhere (or answered by the dashboard only), every code thrown is in the
// table, and errorJson / exitCodeOf are what the CLI and the dashboard report.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CommitNotFoundError,
  CorruptFileError,
  ERROR_CODES,
  errorJson,
  exitCodeOf,
  isErrorCode,
  isMlTrackingError,
  MlTrackingError,
  NotFoundError,
  PipelineScriptError,
  ReproduceError,
  ValidationError,
  type ErrorCode,
} from '../../src/index.js';
import { Problems } from '../../src/errors.js';

const SOURCE = join(import.meta.dirname, '../../src');

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('isMlTrackingError', () => {
  it('narrows the type to the class that owns a code, and to the code otherwise', () => {
    const error: unknown = new ValidationError('--epochs', 'it is "ten"', 'Pass a whole number.');
    if (isMlTrackingError(error)) expectTypeOf(error).toEqualTypeOf<MlTrackingError>();
    if (isMlTrackingError(error, 'ERR_VALIDATION')) {
      expectTypeOf(error).toEqualTypeOf<ValidationError>();
      expectTypeOf(error.parameter).toEqualTypeOf<string>();
    }
    if (isMlTrackingError(error, 'ERR_NOT_FOUND')) {
      expectTypeOf(error).toEqualTypeOf<NotFoundError>();
      expectTypeOf(error.path).toEqualTypeOf<string | undefined>();
    }
    if (isMlTrackingError(error, 'ERR_CORRUPT_FILE'))
      expectTypeOf(error).toEqualTypeOf<CorruptFileError>();
    if (isMlTrackingError(error, 'ERR_COMMIT_NOT_FOUND'))
      expectTypeOf(error.commit).toEqualTypeOf<string>();
    if (isMlTrackingError(error, 'ERR_CORRUPT_SCALARS')) {
      expectTypeOf(error).toExtend<MlTrackingError>();
      expectTypeOf(error.code).toEqualTypeOf<'ERR_CORRUPT_SCALARS'>();
    }
    expectTypeOf<ValidationError['name']>().toEqualTypeOf<'ValidationError'>();
    expectTypeOf<MlTrackingError['code']>().toEqualTypeOf<ErrorCode>();
    // @ts-expect-error: not a code of the table
    isMlTrackingError(error, 'ERR_NO_SUCH_CODE');
  });

  it('tells errors by their code and class at run time', () => {
    const invalid = new ValidationError('--epochs', 'it is "ten"', 'Pass a whole number.');
    const missing = new NotFoundError({ operation: 'read', store: 'memory://s', path: 'a.csv' });
    expect(isMlTrackingError(invalid)).toBe(true);
    expect(isMlTrackingError(invalid, 'ERR_VALIDATION')).toBe(true);
    expect(isMlTrackingError(invalid, 'ERR_NOT_FOUND')).toBe(false);
    expect(isMlTrackingError(missing, 'ERR_NOT_FOUND')).toBe(true);
    expect(isMlTrackingError(missing, 'ERR_STORE')).toBe(false);
    expect(isMlTrackingError(new Error('plain'))).toBe(false);
    expect(isMlTrackingError({ code: 'ERR_VALIDATION', message: 'a look-alike' })).toBe(false);
    expect(
      isMlTrackingError(new CommitNotFoundError('abc123', '/repo'), 'ERR_COMMIT_NOT_FOUND'),
    ).toBe(true);
    // A pipeline script's failure carries its script's error's code but is no ValidationError:
    // narrowing it to one would promise a `parameter` it does not have.
    const script = new PipelineScriptError('train', undefined, 'bad versions', {
      code: 'ERR_VALIDATION',
      detail: '',
    });
    expect(script.code).toBe('ERR_VALIDATION');
    expect(isMlTrackingError(script, 'ERR_VALIDATION')).toBe(false);
    expect(isMlTrackingError(script)).toBe(true);
  });
});

describe('ValidationError and Problems', () => {
  it('carry every problem as data, the first naming the parameter; the hint ends the message', () => {
    const one = new ValidationError('--epochs', 'it is "ten"', 'Pass a whole number.');
    expect(one.message).toBe('Invalid --epochs: it is "ten". Pass a whole number.');
    expect(one.hint).toBe('Pass a whole number.');
    expect(one.problems).toEqual([
      { parameter: '--epochs', problem: 'it is "ten"', fix: 'Pass a whole number.' },
    ]);
    const lines = new Problems('models.ini');
    lines.add(7, 'a script named twice', 'Name it once.');
    lines.add(3, 'no section header', 'Start with [test].');
    const error = lines.error();
    expect(error.parameter).toBe('models.ini:3');
    expect(error.problems).toEqual([
      {
        parameter: 'models.ini:3',
        problem: 'no section header',
        fix: 'Start with [test].',
        line: 3,
      },
      { parameter: 'models.ini:7', problem: 'a script named twice', fix: 'Name it once.', line: 7 },
    ]);
    const keys = new Problems('sweep.json');
    keys.add('method', 'it is "grid2"', 'Use "grid".');
    keys.add('', 'it has no metric', 'Add one.');
    expect(keys.error().problems.map((each) => each.parameter)).toEqual([
      'sweep.json: method',
      'sweep.json',
    ]);
  });
});

describe('ERROR_CODES', () => {
  it('has every code the sources use, and each of its codes is used (or is the dashboard’s own)', async () => {
    const used = new Set<string>();
    for (const file of await sourceFiles(SOURCE)) {
      if (file.endsWith('error-codes.ts')) continue;
      for (const match of (await readFile(file, 'utf8')).matchAll(/'(ERR_[A-Z_]+)'/g))
        used.add(match[1]!);
    }
    expect([...used].filter((code) => !isErrorCode(code))).toEqual([]);
    const unused = Object.entries(ERROR_CODES)
      .filter(([code, info]) => !used.has(code) && !('dashboardOnly' in info))
      .map(([code]) => code);
    expect(unused).toEqual([]);
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(info.summary, code).toMatch(/^[A-Z`].*\.$/);
      expect([1, 2], code).toContain(info.exitCode);
    }
  });
});

describe('errorJson and exitCodeOf', () => {
  it('report our errors with their code, parameter, path and hint, and foreign ones as internal', () => {
    const invalid = new ValidationError('--epochs', 'it is "ten"', 'Pass a whole number.');
    expect(errorJson(invalid)).toEqual({
      error: {
        code: 'ERR_VALIDATION',
        name: 'ValidationError',
        message: 'Invalid --epochs: it is "ten". Pass a whole number.',
        parameter: '--epochs',
        hint: 'Pass a whole number.',
      },
    });
    expect(exitCodeOf(invalid)).toBe(2);
    const missing = new NotFoundError({ operation: 'read', store: 'memory://s', path: 'a.csv' });
    expect(errorJson(missing).error).toMatchObject({
      code: 'ERR_NOT_FOUND',
      name: 'NotFoundError',
      path: 'a.csv',
    });
    expect(exitCodeOf(missing)).toBe(1);
    const foreign = new TypeError('x is undefined\n    at somewhere');
    expect(errorJson(foreign)).toEqual({
      error: { code: 'ERR_INTERNAL', message: 'x is undefined' },
    });
    expect(exitCodeOf(foreign)).toBe(1);
    const cittyError = Object.assign(new Error('Missing required argument: --entry'), {
      name: 'CLIError',
    });
    expect(errorJson(cittyError).error.code).toBe('ERR_USAGE');
    expect(exitCodeOf(cittyError)).toBe(2);
  });

  it('exit 128 + the signal for work a signal stopped', () => {
    const interrupted = new ReproduceError({
      runId: 'r',
      commit: undefined,
      problem: 'interrupted by SIGINT',
      exitCode: null,
      signal: 'SIGINT',
      outputTail: [],
      interruptedBy: 'SIGINT',
    });
    expect(exitCodeOf(interrupted)).toBe(130);
    expect(exitCodeOf(Object.assign(interrupted, { interruptedBy: 'SIGTERM' }))).toBe(143);
  });
});
