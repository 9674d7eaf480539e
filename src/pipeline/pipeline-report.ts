/**
 * What `runPipeline()` tells as it goes (events) and returns (the report): the pipeline's public
 * vocabulary, shared by the runner's parts and the command that prints them.
 */
import type { PipelineMode } from './pipeline-model.js';

/** What the pipeline is doing, for progress. */
export type PipelineEvent =
  | { type: 'queue'; listFile: string; scripts: string[] }
  | { type: 'version-started'; script: string; version: string; runId?: string; epochCount: number }
  | {
      type: 'epoch';
      script: string;
      version: string;
      epoch: number;
      epochCount: number;
      step: number;
      elapsedMs: number;
    }
  | {
      type: 'version-ended';
      script: string;
      version: string;
      runId?: string;
      status: 'finished' | 'failed' | 'lost';
      elapsedMs: number;
      metrics: Record<string, number>;
      error?: string;
    }
  | { type: 'version-skipped'; script: string; version: string; reason: 'finished' | 'failed' }
  | { type: 'script-failed'; script: string; error: string }
  | { type: 'output'; script: string; version: string; line: string; stream: 'stdout' | 'stderr' }
  | { type: 'list-changed'; added: string[]; removed: string[] }
  | { type: 'list-error'; error: string }
  | { type: 'waiting'; running: string[] };

/** One version in the report. */
export interface VersionReport {
  script: string;
  version: string;
  /**
   * `finished`/`failed`: this call ran it. `lost`: this call started it, then lost its lease (the
   * process was paused or cut off past it) and stopped it, because another process took the
   * version over: that process's run is the version's result. `done`/`done-failed`: it had ended
   * before (execution mode), and was left alone.
   */
  status: 'finished' | 'failed' | 'lost' | 'done' | 'done-failed';
  runId?: string;
  metrics: Record<string, number>;
  seconds?: number;
  error?: string;
}

/** What one call did. */
export interface PipelineReport {
  mode: PipelineMode;
  project: string;
  /** The store recorded into (execution mode). */
  store?: string;
  versions: VersionReport[];
  /** Scripts that could not be loaded (execution mode goes on without them). */
  scriptErrors: { script: string; error: string }[];
  /** Stopped by its signal before the queue was done. */
  interrupted: boolean;
}
