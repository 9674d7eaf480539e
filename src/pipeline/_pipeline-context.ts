/** What every part of one `runPipeline()` call shares, and the report it starts from. */
import type { StoreClock } from '../records/store-clock.js';
import type { Store } from '../store/types.js';
import type { PipelineFiles } from './_pipeline-files.js';
import type { PipelineConfig } from './pipeline-config.js';
import type { PipelineMode } from './pipeline-model.js';
import type { PipelineEvent, PipelineReport } from './pipeline-report.js';
import type { Rerun } from './rerun.js';

export interface Context {
  config: PipelineConfig;
  mode: PipelineMode;
  reruns: Rerun[];
  heartbeatIntervalSeconds: number;
  signal: AbortSignal;
  onEvent: (event: PipelineEvent) => void;
}

export interface ExecutionContext extends Context {
  store: Store;
  files: PipelineFiles;
  /** The store's clock: leases are judged by it. */
  clock: StoreClock;
}

/** A report of nothing done yet. */
export function emptyReport(context: Context): PipelineReport {
  return {
    mode: context.mode,
    project: context.config.project,
    versions: [],
    scriptErrors: [],
    interrupted: false,
  };
}
