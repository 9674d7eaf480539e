/**
 * `listPipeline()`: the queue without running anything: the scripts the list lets run, their
 * versions in run order and, in execution mode, where each stands in the store.
 */
import { withStore } from '../store/with-store.js';
import type { Store } from '../store/types.js';
import { checkHeartbeatSeconds } from '../records/liveness.js';
import { mapConcurrently } from '../_map-concurrently.js';
import { readQueue } from './_queue.js';
import { readVersionState, type VersionStatus } from './_version-state.js';
import { readPipelineConfig } from './pipeline-config.js';
import type { PipelineMode } from './pipeline-model.js';
import { runOrder } from './versions.js';
import { describeScript, PipelineScriptError } from './version-process.js';

/** Options of {@link listPipeline}. */
export interface ListPipelineOptions {
  config?: string;
  cwd?: string;
  /** @default 'test' */
  mode?: PipelineMode;
  /** Execution mode reads each version's state here. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** @default ML_TRACKING_HEARTBEAT_SECONDS, else 10 */
  heartbeatIntervalSeconds?: number;
}

/** The queue, as `ml-tracking pipeline --list` prints it. */
export interface PipelineListing {
  mode: PipelineMode;
  project: string;
  listFile: string;
  /** The store read (execution mode). */
  store?: string;
  scripts: {
    script: string;
    file: string;
    /** Why the script cannot be loaded; it then has no versions. */
    error?: string;
    versions: {
      name: string;
      epochCount: number;
      batchSize: number;
      order?: number;
      /** Execution mode only. */
      status?: VersionStatus;
      runId?: string;
      /** The `host:pid` that claimed it. */
      agent?: string;
    }[];
  }[];
}

/**
 * Lists the queue.
 * @throws ValidationError for a bad configuration or list.
 */
export async function listPipeline(options: ListPipelineOptions = {}): Promise<PipelineListing> {
  const mode = options.mode ?? 'test';
  const cwd = options.cwd ?? process.cwd();
  const config = await readPipelineConfig({
    cwd,
    ...(options.config !== undefined && { config: options.config }),
  });
  const queue = await readQueue(config, mode);
  const heartbeat = checkHeartbeatSeconds(options.heartbeatIntervalSeconds);
  // A listing only reads: it takes this machine's clock for the store's (writing a probe would
  // need write access). Deciding what to take over is the runner's, by the store's clock.
  const now = new Date();
  const described = await mapConcurrently(queue.scripts, 2, async (script) => {
    try {
      return await describeScript(script, config);
    } catch (error) {
      if (error instanceof PipelineScriptError) return error;
      throw error;
    }
  });
  const listing = async (store: Store | undefined): Promise<PipelineListing> => {
    const scripts: PipelineListing['scripts'] = [];
    for (const [index, script] of queue.scripts.entries()) {
      const found = described[index];
      if (found === undefined || found instanceof PipelineScriptError) {
        scripts.push({
          script: script.name,
          file: script.file,
          error: found?.message ?? 'not described',
          versions: [],
        });
        continue;
      }
      const versions = await mapConcurrently(runOrder(found.versions), 8, async (version) => {
        const entry: PipelineListing['scripts'][number]['versions'][number] = {
          name: version.name,
          epochCount: version.epochCount,
          batchSize: version.batchSize,
          ...(version.order !== undefined && { order: version.order }),
        };
        if (store === undefined) return entry;
        const state = await readVersionState(
          store,
          config.project,
          script.name,
          version.name,
          heartbeat,
          now,
        );
        entry.status = state.status;
        if (state.stored?.claim !== undefined) {
          entry.runId = state.stored.claim.runId;
          entry.agent = state.stored.claim.agent;
        }
        return entry;
      });
      scripts.push({ script: script.name, file: script.file, versions });
    }
    return {
      mode,
      project: config.project,
      listFile: queue.listFile,
      ...(store !== undefined && { store: store.url }),
      scripts,
    };
  };
  if (mode === 'test') return listing(undefined);
  return withStore(options.store, (store) => listing(store), { cwd });
}
