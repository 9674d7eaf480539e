/**
 * A data set handed over in a file by a program in another language (Python's `train_model`):
 * large data never goes through the command line's arguments.
 */
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import type { ExperimentKind } from '../layout/tables.js';
import { checkDataSet } from './_data-set.js';
import type { Samples } from './registry.js';

/**
 * Reads `{ x, y, ids? }` from a JSON file and checks it as `trainModel` checks a `load()`;
 * `source` names the loader in messages (`dataset (Dao's load)`).
 */
export async function readDataFile(
  path: string,
  source: string,
  kind: ExperimentKind,
  flag = '--data',
): Promise<Samples> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(
      flag,
      `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'Pass the JSON file of the loaded samples: { "x": [[...], ...], "y": [...], "ids": [...] }.',
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      flag,
      `${path} is not JSON`,
      'Write the loaded samples as standard JSON (no NaN or Infinity: use null for a missing value).',
      { cause: error },
    );
  }
  return checkDataSet(parsed, source, kind);
}

/** Reads a JSON object from a file (a request of another program). */
export async function readJsonObjectFile(
  path: string,
  flag: string,
): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ValidationError(
      flag,
      `${path} cannot be read as JSON`,
      'Pass a file holding one JSON object.',
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(flag, `${path} does not hold a JSON object`, 'Write one object.');
  }
  return parsed as Record<string, unknown>;
}
