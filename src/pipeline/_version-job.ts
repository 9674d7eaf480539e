/**
 * What the pipeline and the process of one of its steps (`_version-child.ts`) tell each other:
 * the job, given in the environment, and the answer to `describe`, sent over IPC.
 */
import type { JsonValue } from '../runs/run-record.js';
import type { PipelineMode } from './pipeline-model.js';

/** The environment variable that carries the job. */
export const PIPELINE_JOB_VARIABLE = 'ML_TRACKING_PIPELINE_JOB';

/** What a child is asked to do. */
export type VersionChildJob =
  | { action: 'describe'; file: string; script: string }
  | {
      action: 'run';
      file: string;
      script: string;
      version: string;
      mode: PipelineMode;
      project: string;
      /** Local checkpoint folder. */
      modelDir: string;
      /** `store`: the model's folder in the store (`modelDirName`); else a local folder. */
      outputs: { kind: 'store'; modelDirName: string } | { kind: 'local'; folder: string };
    };

/** A version as the parent sees it (without its data loader, which stays in the child). */
export interface DescribedVersion {
  name: string;
  order?: number;
  batchSize: number;
  epochCount: number;
  modelDirSuffix?: string;
  /** What the run records as hyperparameters. */
  parameters: Record<string, JsonValue>;
}

/** The answer to `describe`. */
export type DescribeAnswer =
  | { ok: true; kind: 'model' | 'experiment'; versions: DescribedVersion[] }
  | { ok: false; message: string; code: string; stack?: string };
