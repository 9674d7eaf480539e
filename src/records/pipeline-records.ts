/**
 * A pipeline's objects in the store: one claim per (script, version), and the per-host log and
 * output files. The claims are how pipeline processes on many machines share the versions with
 * the bucket as the only coordinator (`records/claims.ts`): a version is taken by creating
 * its claim only if absent, held by a lease, and taken again (its lease expired, it was given
 * back, or `--rerun`) by a compare-and-swap on the claim's generation.
 */
import { readClaim, type ClaimBody, type StoredClaim } from './claims.js';
import {
  pipelineClaimPath,
  pipelineLogPath,
  pipelineModelFolder,
  pipelineOutputPath,
  storeObjectUri,
} from '../layout/paths.js';
import type { Store } from '../store/types.js';
import type { ExperimentOutputsLocation } from './experiment-records.js';

/** Who runs a version (see `records/claims.ts`). */
export interface VersionClaim extends ClaimBody {
  script: string;
  version: string;
}

/** The claim of one version, or `undefined` when no process has taken it. */
export const readVersionClaim = (
  store: Store,
  project: string,
  script: string,
  version: string,
): Promise<StoredClaim<VersionClaim> | undefined> =>
  readClaim<VersionClaim>(store, pipelineClaimPath(project, script, version));

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
