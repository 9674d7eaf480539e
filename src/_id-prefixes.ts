/**
 * Ids as people type them: the first 8 or more characters of a run, sweep or prediction id (the
 * short id on every plot title and list), resolved to the one id that starts so, by listing the
 * store's one file per id. A full id is taken as it is; a prefix that matches several ids is an
 * error naming them, and one that matches none says that the store has no such id.
 */
import { NotFoundError, ValidationError } from './errors.js';
import {
  predictionIdOfScoringPath,
  RUNS_FOLDER,
  runIdOfPath,
  SCORING_FOLDER,
  SWEEPS_FOLDER,
  sweepIdOfPath,
} from './layout/paths.js';
import { isTimeSortableId } from './runs/ids.js';
import type { Store } from './store/types.js';

/** The fewest characters of an id a command takes (the short id people see). */
export const SHORTEST_ID_PREFIX = 8;
/** How many matching ids an ambiguous prefix's message names. */
const NAMED_MATCHES = 10;

/** A kind of id: what it is called, where the store keeps one file per id, its full shape. */
export interface IdKind {
  noun: string;
  /** The folder whose file names are the ids. */
  folder: string;
  idOfPath(path: string): string | undefined;
  isFull(id: string): boolean;
  /** The id as stored, from what was typed (case). */
  normalise(typed: string): string;
  /** The characters an id is made of. */
  alphabet: RegExp;
  /** The command that lists them, for the messages. */
  listCommand: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Run and sweep ids (`20261124T101530123Z-1a2b3c4d`): digits, T, Z and hex. */
const timeSortable = (noun: string, folder: string, idOfPath: IdKind['idOfPath'], list: string) =>
  ({
    noun,
    folder,
    idOfPath,
    isFull: isTimeSortableId,
    // Hex is lower case; the T and Z of the time are upper case, whatever was typed.
    normalise: (typed) => typed.toLowerCase().replace(/t/g, 'T').replace(/z/g, 'Z'),
    alphabet: /^[0-9a-fA-FtTzZ-]+$/,
    listCommand: list,
  }) satisfies IdKind;

export const RUN_IDS: IdKind = timeSortable('run', RUNS_FOLDER, runIdOfPath, 'ml-tracking runs');
export const SWEEP_IDS: IdKind = timeSortable(
  'sweep',
  SWEEPS_FOLDER,
  sweepIdOfPath,
  'ml-tracking sweeps',
);
/** Prediction ids (UUIDs), one `scoring/<id>.csv` each: what `show` takes. */
export const PREDICTION_IDS: IdKind = {
  noun: 'experiment',
  folder: SCORING_FOLDER,
  idOfPath: predictionIdOfScoringPath,
  isFull: (id) => UUID.test(id),
  normalise: (typed) => typed.toLowerCase(),
  alphabet: /^[0-9a-fA-F-]+$/,
  listCommand: 'ml-tracking list',
};

/**
 * The full id that `typed` names: itself when it is a full id, else the one id of `kind` in the
 * store that starts with it.
 * @param parameter the flag or argument `typed` came from, named by the errors.
 * @throws ValidationError when `typed` is not an id or a prefix of 8+ characters of one, or
 *   when several ids start with it (they are named).
 * @throws NotFoundError when no id starts with it.
 */
export async function resolveId(
  store: Store,
  kind: IdKind,
  typed: string,
  parameter: string,
): Promise<string> {
  const id = checkTypedId(kind, typed, parameter);
  if (kind.isFull(id)) return id;
  const matches = new Set<string>();
  for await (const object of store.listAll(`${kind.folder}${id}`)) {
    const found = kind.idOfPath(object.path);
    if (found !== undefined && kind.isFull(found)) matches.add(found);
  }
  const [only, ...others] = [...matches].sort();
  if (only === undefined) throw noSuchId(store, kind, typed);
  if (others.length === 0) return only;
  const named = [only, ...others].slice(0, NAMED_MATCHES).join(', ');
  const more = matches.size > NAMED_MATCHES ? ` and ${matches.size - NAMED_MATCHES} more` : '';
  throw new ValidationError(
    parameter,
    `"${typed}" starts ${matches.size} ${kind.noun} ids: ${named}${more}`,
    'Pass more characters of the id.',
  );
}

/**
 * `typed` as the store spells ids (case), checked to be an id or a prefix of 8+ characters of
 * one: bad input, told before any store is opened.
 * @throws ValidationError naming `parameter` and the fix.
 */
export function checkTypedId(kind: IdKind, typed: string, parameter: string): string {
  const id = kind.normalise(typed.trim());
  if (kind.isFull(id)) return id;
  if (id.length < SHORTEST_ID_PREFIX || !kind.alphabet.test(id)) {
    throw new ValidationError(
      parameter,
      `${JSON.stringify(typed)} is not ${/^[aeiou]/.test(kind.noun) ? 'an' : 'a'} ${kind.noun} id`,
      `Pass an id as \`${kind.listCommand}\` prints it, or its first ${SHORTEST_ID_PREFIX} or more characters.`,
    );
  }
  return id;
}

/** "No run with id X in <store>": the error of an id the store does not have. */
export function noSuchId(store: Store, kind: IdKind, id: string): NotFoundError {
  return new NotFoundError({
    operation: `find ${kind.noun}`,
    store: store.url,
    path: `${kind.folder}${id}`,
    message: `No ${kind.noun} with id ${id} in ${store.url}.`,
    hint: `List them with \`${kind.listCommand} --store ${store.url}\`.`,
  });
}
