/**
 * The checks a data set passes before training, and its canonical bytes: the form it is stored
 * in as a content-addressed artifact, so equal data sets always hash to the same name.
 */
import { ValidationError } from '../errors.js';
import type { ExperimentKind } from '../layout/tables.js';
import { describeValue } from '../metrics/input-checks.js';
import type { Samples } from './registry.js';

/**
 * Checks what a dataset's `load()` or a feature generator's `transform()` returned (`source`
 * names which, for the message) and returns it with exactly the fields of {@link Samples}.
 * JSON cannot hold NaN or Infinity, so a feature that is one is refused here rather than stored
 * as null (which would make a reproduced run train on other data).
 */
export function checkDataSet(data: unknown, source: string, kind: ExperimentKind): Samples {
  const fail = (problem: string, fix: string): never => {
    throw new ValidationError(source, problem, fix);
  };
  if (typeof data !== 'object' || data === null) {
    return fail(
      `it returned ${describeValue(data)}, not { x, y }`,
      'Return { x: rows of features, y: one target per row, ids?: one id per row }.',
    );
  }
  const { x, y, ids } = data as Partial<Record<keyof Samples, unknown>>;
  if (!Array.isArray(x) || !Array.isArray(y)) {
    return fail(
      `its ${Array.isArray(x) ? 'y' : 'x'} is not an array`,
      'Return x as an array of rows (arrays of features) and y as an array of targets.',
    );
  }
  if (x.length !== y.length) {
    fail(`x has ${x.length} rows but y ${y.length} targets`, 'Return one target per row.');
  }
  if (x.length < 2) {
    fail(`it has ${x.length} samples`, 'A train/test split needs at least 2 samples.');
  }
  x.forEach((row: unknown, index) => {
    if (!Array.isArray(row)) {
      fail(`row ${index} of x is ${describeValue(row)}`, 'Make each row an array of features.');
    }
    (row as unknown[]).forEach((value, column) => {
      const ok =
        value === null ||
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value));
      if (!ok) {
        fail(
          `x[${index}][${column}] is ${describeValue(value)}`,
          'Features must be finite numbers, strings, booleans or null (use null for a missing value).',
        );
      }
    });
  });
  y.forEach((value: unknown, index) => {
    const ok =
      kind === 'regression'
        ? typeof value === 'number' && Number.isFinite(value)
        : typeof value === 'string' ||
          typeof value === 'boolean' ||
          (typeof value === 'number' && Number.isFinite(value));
    if (!ok) {
      fail(
        `y[${index}] is ${describeValue(value)}`,
        kind === 'regression'
          ? 'Regression targets must be finite numbers.'
          : 'Classification targets must be strings, finite numbers or booleans.',
      );
    }
  });
  const checked: Samples = { x: x as Samples['x'], y: y as Samples['y'] };
  if (ids === undefined) return checked;
  if (!Array.isArray(ids) || ids.length !== x.length) {
    return fail('its ids are not one per row', 'Return one id (a string) per row, or no ids.');
  }
  const seen = new Set<string>();
  ids.forEach((id: unknown, index) => {
    if (typeof id !== 'string' || id === '') {
      fail(`ids[${index}] is ${describeValue(id)}`, 'Make each id a non-empty string.');
    }
    if (seen.has(id as string)) {
      fail(`the id ${JSON.stringify(id)} is used twice`, 'Give each sample an id of its own.');
    }
    seen.add(id as string);
  });
  return { ...checked, ids: ids as string[] };
}

/**
 * The canonical bytes of a data set: compact JSON with the keys in a fixed order (`ids` when
 * given, `x`, `y`) and numbers in their shortest round-trip form, so that the same samples
 * always give the same bytes, hence the same SHA-256. One JSON text must stay under V8's string
 * limit (about 500 million characters).
 */
export function canonicalDataSet(data: Samples): Uint8Array {
  const ordered =
    data.ids === undefined ? { x: data.x, y: data.y } : { ids: data.ids, x: data.x, y: data.y };
  return new TextEncoder().encode(JSON.stringify(ordered));
}

/** Reads a stored data set back (and checks it again: a store is not a trusted input). */
export function parseDataSet(bytes: Uint8Array, kind: ExperimentKind, where: string): Samples {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ValidationError(
      'runId',
      `the stored data set ${where} is not JSON`,
      'The artifact was changed after the run: it cannot be reproduced from it.',
      { cause: error },
    );
  }
  return checkDataSet(parsed, `the stored data set ${where}`, kind);
}
