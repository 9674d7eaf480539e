/**
 * The parent's side of a pipeline step: a child process (`_version-child`) that either describes
 * a script (its versions) or runs one version as a run the parent writes. See `_version-child.ts`
 * for why each step has a process of its own.
 */
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { isErrorCode, type ErrorCode } from '../error-codes.js';
import { MlTrackingError, ValidationError } from '../errors.js';
import { typeScriptLoader } from '../_typescript-loader.js';
import type { ExperimentLogger } from '../runs/experiment-logger.js';
import { endingOf, runCommand, type CommandOutcome } from '../runs/run-command.js';
import {
  PIPELINE_JOB_VARIABLE,
  type DescribeAnswer,
  type DescribedVersion,
  type VersionChildJob,
} from './_version-job.js';
import type { ModelScript } from './model-scripts.js';
import { childEntry } from '../_child-entry.js';

export type { DescribedVersion } from './_version-job.js';

/** A script's versions, as its child process described them. */
export interface DescribedScript {
  script: ModelScript;
  /** `experiment`: its `model` is an `Experiment`, run once per version. */
  kind: 'model' | 'experiment';
  versions: DescribedVersion[];
}

/**
 * A model script could not be loaded, or one of its versions failed: names the script and the
 * version (when there is one). `code` is the original error's (`ERR_VALIDATION` for a mistake in
 * `versions` or `model`); `detail` is the failure's stack or last lines of output.
 */
export class PipelineScriptError extends MlTrackingError {
  override name = 'PipelineScriptError' as const;
  readonly script: string;
  readonly version: string | undefined;
  readonly detail: string;

  constructor(
    script: string,
    version: string | undefined,
    message: string,
    options: { code: ErrorCode; detail: string },
  ) {
    super(
      `${version === undefined ? `Model script ${script}` : `Version ${script}:${version}`} failed: ${message}`,
      { code: options.code },
    );
    this.script = script;
    this.version = version;
    this.detail = options.detail;
  }
}

/** The node arguments that run the child on a script (a loader for TypeScript). */
function childCommand(script: ModelScript, folder: string): string[] {
  const { file: child, typescript } = childEntry(import.meta.url, '_version-child');
  const needsLoader = typescript || ['.ts', '.mts'].includes(extname(script.file));
  const loader = needsLoader ? typeScriptLoader(folder) : [];
  if (loader === undefined) {
    throw new ValidationError(
      script.file,
      `a TypeScript model script needs a loader and tsx is not installed (Node ${process.versions.node})`,
      'Run `npm install --save-dev tsx` in the project, or write the script in JavaScript.',
    );
  }
  return [process.execPath, ...loader, child];
}

/**
 * Imports a script in a child process and returns its versions, checked.
 * @throws PipelineScriptError naming the script when it cannot be imported or its `model` or
 *   `versions` are wrong (then with code `ERR_VALIDATION` and the field named).
 */
export async function describeScript(
  script: ModelScript,
  folder: string,
): Promise<DescribedScript> {
  const [program = process.execPath, ...args] = childCommand(script, folder);
  const job: VersionChildJob = { action: 'describe', file: script.file, script: script.name };
  const child = spawn(program, args, {
    cwd: folder,
    env: { ...process.env, [PIPELINE_JOB_VARIABLE]: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let answer: DescribeAnswer | undefined;
  const output: string[] = [];
  child.on('message', (message) => {
    answer = message as DescribeAnswer;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      output.push(text);
      if (output.length > 200) output.shift();
    });
  }
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        resolve({ code, signal });
      });
    },
  );
  if (answer?.ok === true) return { script, kind: answer.kind, versions: answer.versions };
  if (answer?.ok === false) {
    throw new PipelineScriptError(script.name, undefined, answer.message, {
      code: isErrorCode(answer.code) ? answer.code : 'ERR_PIPELINE_SCRIPT',
      detail: answer.stack ?? answer.message,
    });
  }
  const tail = output.join('').split('\n').slice(-20).join('\n');
  throw new PipelineScriptError(
    script.name,
    undefined,
    `its process ${exit.signal === null ? `exited with code ${exit.code}` : `was ended by ${exit.signal}`} before it described the versions${tail.trim() === '' ? '' : `:\n${tail}`}`,
    { code: 'ERR_PIPELINE_SCRIPT', detail: tail },
  );
}

/** Options of {@link runVersionProcess}. */
export interface VersionProcessOptions {
  script: ModelScript;
  version: string;
  /** The job's run settings (mode, project, folders). */
  job: Omit<Extract<VersionChildJob, { action: 'run' }>, 'action' | 'file' | 'script' | 'version'>;
  /** The run the child reports to (a dry one in test mode). */
  logger: ExperimentLogger;
  /** The URL the child opens the store by (`memory://…` in test mode: nothing it writes stays). */
  storeUrl: string;
  /** Where the child runs: the configuration's folder. */
  folder: string;
  onOutput: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called with each scalar's step and the steps an epoch has (1 until the child says). */
  onStep: (step: number, stepsPerEpoch: number) => void;
  signal: AbortSignal;
}

/** How a version ended. */
export interface VersionOutcome {
  status: 'finished' | 'failed';
  /** What evaluateModel resolved to (for an experiment: its results). */
  metrics: Record<string, number>;
  /** Why it failed; `detail` holds the stack the child printed, or its last lines of output. */
  error?: { message: string; detail: string };
  /** It was stopped by the abort signal. */
  interrupted: boolean;
}

/** Runs one version in a child process that reports to `options.logger`. */
export async function runVersionProcess(options: VersionProcessOptions): Promise<VersionOutcome> {
  const job: VersionChildJob = {
    action: 'run',
    file: options.script.file,
    script: options.script.name,
    version: options.version,
    ...options.job,
  };
  const stderr: string[] = [];
  const metrics: Record<string, number> = {};
  let stepsPerEpoch = 1;
  const running = runCommand({
    command: childCommand(options.script, options.folder),
    logger: options.logger,
    storeUrl: options.storeUrl,
    cwd: options.folder,
    env: { [PIPELINE_JOB_VARIABLE]: JSON.stringify(job) },
    stdin: 'ignore',
    ownProcessGroup: true,
    onOutput: (line, stream) => {
      if (stream === 'stderr') {
        stderr.push(line);
        if (stderr.length > 200) stderr.shift();
      }
      options.onOutput(line, stream);
    },
    onScalar: (_tag, _value, step) => {
      options.onStep(step, stepsPerEpoch);
    },
    onMessage: (message) => {
      if (message.type === 'summary') Object.assign(metrics, message.values);
      const steps = message.type === 'hyperparameters' ? message.values.steps_per_epoch : undefined;
      if (typeof steps === 'number' && steps >= 1) stepsPerEpoch = steps;
    },
  });
  const stop = () => void running.terminate(5000);
  options.signal.addEventListener('abort', stop, { once: true });
  let outcome: CommandOutcome;
  try {
    outcome = await running.done;
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
  const ending = endingOf(outcome);
  if (ending.status === 'finished' && !options.signal.aborted) {
    return { status: 'finished', metrics, interrupted: false };
  }
  // What the version said before it exited (the model's error) says more than its exit code.
  const exitReason =
    ending.error instanceof Error
      ? ending.error.message
      : typeof ending.error === 'string'
        ? ending.error
        : 'failed';
  const message = options.signal.aborted
    ? 'interrupted'
    : (outcome.reportedStatus?.error ?? exitReason);
  return {
    status: 'failed',
    metrics,
    error: { message, detail: stderr.join('\n') },
    interrupted: options.signal.aborted,
  };
}
