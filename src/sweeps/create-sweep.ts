/**
 * `createSweep()`: checks a sweep configuration completely (keys, the trial script and how to
 * start it) and records the sweep in the store, so that agents anywhere can run its trials.
 */
import { basename, dirname, resolve } from 'node:path';
import { createSweepRecords, type SweepDescription } from '../records/sweep-records.js';
import { createTimeSortableId } from '../runs/ids.js';
import type { Store } from '../store/types.js';
import { withStore } from '../store/with-store.js';
import { slugifyProject } from '../tracking/project-name.js';
import { readSweepConfig, sweepConfigToJson } from './sweep-config.js';
import { randomSeed, sampleTrial, trialCount } from './sampling.js';
import { trialArgv } from './trial-command.js';

/** Options of {@link createSweep}. */
export interface CreateSweepOptions {
  /** Path of the configuration file. @default 'experiment_cfg.json' in `cwd` */
  config?: string;
  /** A store URL or an opened store. @default ML_TRACKING_STORE, else ./ml-tracking */
  store?: string | Store;
  /** Project of the sweep's runs. @default the configuration's `project`, else its folder's name */
  project?: string;
  /** Base folder of a relative `config` path. @default process.cwd() */
  cwd?: string;
}

/**
 * Creates a sweep without running anything; agents (`runSweepAgent`, `ml-tracking sweep agent`)
 * run its trials. Every problem of the configuration is reported before anything is written.
 * @example const { sweepId } = await createSweep({ config: 'experiment_cfg.json' });
 */
export async function createSweep(options: CreateSweepOptions = {}): Promise<SweepDescription> {
  const cwd = options.cwd ?? process.cwd();
  const configPath = resolve(cwd, options.config ?? 'experiment_cfg.json');
  const config = await readSweepConfig(configPath);
  const configFolder = dirname(configPath);
  const project = slugifyProject(options.project ?? config.project ?? basename(configFolder));
  const seed = config.seed ?? randomSeed();
  return withStore(
    options.store,
    async (store) => {
      // Builds the first trial's command now: a missing script or interpreter stops here.
      trialArgv({
        command: config.command,
        mainScriptName: config.mainScriptName,
        folder: configFolder,
        values: sampleTrial(config, seed, 0),
        storeUrl: store.url,
      });
      const now = new Date();
      const description: SweepDescription = {
        sweepId: createTimeSortableId(now),
        project,
        createdAt: now.toISOString(),
        seed,
        trialCount: trialCount(config),
        configFolder,
        config: sweepConfigToJson({ ...config, seed, project }),
      };
      await createSweepRecords(store, description);
      return description;
    },
    { cwd },
  );
}
