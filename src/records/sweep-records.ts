/**
 * A sweep's objects in the store: its row in the sweeps table, its description (the resolved
 * configuration, seed and start time) and one claim per trial number. The claims are how agents
 * on many machines share a sweep with the bucket as the only coordinator: a trial number is taken
 * by creating its claim only if absent, and taken over (after its run was lost) by a
 * compare-and-swap on the claim's generation. Two agents can never both win either.
 */
import { noSuchId, SWEEP_IDS } from '../_id-prefixes.js';
import { NotFoundError } from '../errors.js';
import { listClaims, type ClaimBody, type StoredClaim } from './claims.js';
import { encodeTable, type CellValue } from '../csv/encode.js';
import { decodeTable } from '../csv/decode.js';
import { jsonText } from '../_json.js';
import {
  SWEEPS_FOLDER,
  sweepDescriptionPath,
  sweepIdOfPath,
  sweepPath,
  trialClaimsFolder,
} from '../layout/paths.js';
import { SWEEPS_COLUMNS, headerOf } from '../layout/tables.js';
import type { Store } from '../store/types.js';
import { readStringIfExists } from '../store/outcomes.js';

/** `experiment_description.json`: everything an agent needs to run the sweep's trials. */
export interface SweepDescription {
  sweepId: string;
  project: string;
  createdAt: string;
  seed: number;
  /** How many trials the sweep has (max_runs, or fewer for a small grid). */
  trialCount: number;
  /** Where the configuration file was, on the machine that created the sweep. */
  configFolder: string;
  /** The configuration as resolved, in the file's own format (snake_case keys). */
  config: Record<string, unknown>;
}

/** Who holds a trial number (see `records/claims.ts`). */
export interface TrialClaim extends ClaimBody {
  trial: number;
  /**
   * The hyperparameters suggested for the trial (tpe sweeps, whose suggestion depends on the
   * history when it was claimed): a take-over runs them again rather than a new suggestion.
   * Absent for random and grid trials, whose values are a function of seed and trial alone.
   */
  values?: Record<string, string | number | boolean>;
}

/** Writes a new sweep: its description first, its table row last (the row makes it listed). */
export async function createSweepRecords(
  store: Store,
  description: SweepDescription,
): Promise<void> {
  await store.write(
    sweepDescriptionPath(description.sweepId),
    `${jsonText(description, undefined) ?? '{}'}\n`,
    { ifGeneration: '0', contentType: 'application/json' },
  );
  const config = description.config;
  const cells: Record<string, CellValue> = {
    sweep_id: description.sweepId,
    project: description.project,
    created_at: description.createdAt,
    main_script_name: config.main_script_name as string,
    method: (config.method as string | undefined) ?? 'random',
    max_runs: description.trialCount,
    seed: description.seed,
    optimization_metric: config.optimization_metric as string | undefined,
    optimization_goal: config.optimization_goal as string | undefined,
    early_stopping: config.early_stopping as boolean,
    early_stopping_patience: config.early_stopping_patience as number | undefined,
    search_space: jsonText(config.hyperparameters) ?? '{}',
  };
  const header = headerOf(SWEEPS_COLUMNS);
  await store.write(
    sweepPath(description.sweepId),
    encodeTable(header, [header.map((name) => cells[name])]),
    {
      ifGeneration: '0',
    },
  );
}

/**
 * A sweep's description.
 * @throws NotFoundError when the store has no such sweep.
 */
export async function readSweepDescription(
  store: Store,
  sweepId: string,
): Promise<SweepDescription> {
  try {
    return JSON.parse(await store.readText(sweepDescriptionPath(sweepId))) as SweepDescription;
  } catch (error) {
    if (error instanceof NotFoundError) throw noSuchId(store, SWEEP_IDS, sweepId);
    throw error;
  }
}

/** The ids of the store's sweeps, oldest first. */
export async function listSweepIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for await (const object of store.listAll(SWEEPS_FOLDER)) {
    const id = sweepIdOfPath(object.path);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** Reads a sweep's row of the sweeps table. */
export async function readSweepRow(
  store: Store,
  sweepId: string,
): Promise<Record<string, string> | undefined> {
  const text = await readStringIfExists(store, sweepPath(sweepId));
  return text === undefined ? undefined : decodeTable(text)[0];
}

/** The trial numbers some agent has claimed, from the listing alone (nothing is read). */
export async function listClaimedTrials(store: Store, sweepId: string): Promise<Set<number>> {
  const claimed = new Set<number>();
  for await (const object of store.listAll(trialClaimsFolder(sweepId))) {
    const trial = trialOfClaimPath(object.path);
    if (trial !== undefined) claimed.add(trial);
  }
  return claimed;
}

/** Every claim of a sweep, readable or not, in trial order. */
export const listTrialClaims = (
  store: Store,
  sweepId: string,
): Promise<StoredClaim<TrialClaim>[]> => listClaims<TrialClaim>(store, trialClaimsFolder(sweepId));

/** The trial number a claim's path names. */
export function trialOfClaimPath(path: string): number | undefined {
  const match = /\/(\d+)\.json$/.exec(path);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
