/**
 * A pipeline's objects in the store: one claim per (script, version), and the per-host log and
 * output files. The claims are how pipeline processes on many machines share the versions with
 * the bucket as the only coordinator: a version is taken by creating its claim only if absent,
 * and taken again (after its run was lost, or by `--rerun`) by a compare-and-swap on the claim's
 * generation. Two processes can never both win either.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import { jsonText } from '../_json.js';
import {
  pipelineClaimPath,
  pipelineLogPath,
  pipelineModelFolder,
  pipelineOutputPath,
  storeObjectUri,
} from '../layout/paths.js';
import type { Store } from '../store/types.js';
import type { ExperimentOutputsLocation } from './experiment-records.js';

/** Who runs a version. */
export interface VersionClaim {
  script: string;
  version: string;
  /** The run that carries the version out. */
  runId: string;
  /** `host:pid` of the pipeline process. */
  agent: string;
  claimedAt: string;
  /** 1 for the first claim, +1 for each take-over (a lost run, `--rerun`). */
  attempt: number;
}

/** A claim and the generation to compare-and-swap it at. */
export interface StoredVersionClaim {
  claim: VersionClaim;
  generation: string;
  updated: Date;
}

/** The claim of one version, or `undefined` when no process has taken it. */
export async function readVersionClaim(
  store: Store,
  project: string,
  script: string,
  version: string,
): Promise<StoredVersionClaim | undefined> {
  const path = pipelineClaimPath(project, script, version);
  const info = await store.stat(path);
  if (info === undefined) return undefined;
  try {
    const claim = JSON.parse(await store.readText(path)) as VersionClaim;
    // The generation read with the stat may be older than the text (a take-over in between):
    // the compare-and-swap then fails and the caller looks again, which is what it must do.
    return { claim, generation: info.generation, updated: info.updated };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Takes a version: creates its claim if no process has (`previous` absent), or replaces
 * `previous` if it is still at that generation. `false` when another process was first.
 */
export async function claimVersion(
  store: Store,
  project: string,
  claim: VersionClaim,
  previous?: StoredVersionClaim,
): Promise<boolean> {
  try {
    await store.write(
      pipelineClaimPath(project, claim.script, claim.version),
      `${jsonText(claim) ?? '{}'}\n`,
      { ifGeneration: previous?.generation ?? '0', contentType: 'application/json' },
    );
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}

/**
 * Gives a version back (its process was interrupted): the next pipeline run takes it as if it
 * had never started. Its run's record stays, failed.
 */
export async function releaseVersion(
  store: Store,
  project: string,
  claim: VersionClaim,
): Promise<void> {
  await store.delete(pipelineClaimPath(project, claim.script, claim.version));
}

/** Which per-host file: every log line, or one JSON line of results per version. */
export type PipelineFile = 'log' | 'output';

/** The path of a host's log or output file. */
export const pipelineFilePath = (file: PipelineFile, host: string): string =>
  file === 'log' ? pipelineLogPath(host) : pipelineOutputPath(host);

/**
 * Appends text to a host's log or output file, exactly once per `key` (send the same text under
 * the same key again after a failure).
 */
export async function appendPipelineFile(
  store: Store,
  file: PipelineFile,
  host: string,
  text: string,
  key: string,
): Promise<void> {
  await store.append(pipelineFilePath(file, host), text, { key });
}

/** A pipeline model's folder in the store, where its `ctx.outputs` go. */
export function pipelineModelLocation(
  store: Store,
  project: string,
  modelDir: string,
): ExperimentOutputsLocation {
  const folder = pipelineModelFolder(project, modelDir);
  return { folder, uri: storeObjectUri(store.url, folder) };
}
