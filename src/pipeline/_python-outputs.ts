/**
 * `ctx.outputs` of a Python version in execution mode. Python never writes the store: the
 * harness writes the files into a local staging folder, and this process, the store's one writer,
 * copies each into the model's folder of the store when the version's process has ended.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { storeOutputs } from '../experiments/experiment-outputs.js';
import { checkOutputName, type ExperimentOutputsLocation } from '../records/experiment-records.js';
import { pipelineModelLocation } from '../records/pipeline-records.js';
import { ValidationError } from '../errors.js';
import type { Store } from '../store/types.js';

/** What the harness is told about its outputs folder in execution mode. */
export interface StagedOutputsSpec {
  kind: 'staged';
  /** The local folder it writes to. */
  folder: string;
  /** The store folder's URI (`ctx.outputs.uri`). */
  uri: string;
  /** The store folder's path, ending in `/` (what `ctx.outputs.path(name)` starts with). */
  storeFolder: string;
}

/** A staging folder and how to keep what was written there. */
export interface StagedOutputs {
  spec: StagedOutputsSpec;
  /** Copies every file into the store; the names that cannot name an output are skipped. */
  keep(): Promise<{ kept: string[]; skipped: string[] }>;
  /** Removes the staging folder. */
  remove(): Promise<void>;
}

/** A new staging folder for the outputs of `modelDirName` of `project`. */
export async function stageOutputs(
  store: Store,
  project: string,
  modelDirName: string,
): Promise<StagedOutputs> {
  const location: ExperimentOutputsLocation = pipelineModelLocation(store, project, modelDirName);
  const folder = await mkdtemp(join(tmpdir(), 'ml-tracking-pipeline-outputs-'));
  return {
    spec: { kind: 'staged', folder, uri: location.uri, storeFolder: location.folder },
    async keep() {
      const outputs = storeOutputs(store, location);
      const kept: string[] = [];
      const skipped: string[] = [];
      const entries = await readdir(folder, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const name = relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/');
        try {
          checkOutputName(name);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          skipped.push(`${name}: ${error.message}`);
          continue;
        }
        await outputs.write(name, await readFile(join(folder, ...name.split('/'))));
        kept.push(name);
      }
      return { kept, skipped };
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
