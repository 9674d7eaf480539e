/**
 * The parent's side of a pipeline step: a child process (`_version-child` for TypeScript and
 * JavaScript, the Python harness of `_python-child.ts` for `.py` scripts) that either describes a
 * script (its versions) or runs one version as a run the parent writes. See `_version-child.ts`
 * for why each step has a process of its own. Everything else (claims, leases, the run, the log
 * and output files) is the same code for both languages.
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
import type { Store } from '../store/types.js';
import {
  describePythonScript,
  pythonCommand,
  pythonEnvironment,
  type ScriptRuntime,
} from './_python-child.js';
import { stageOutputs, type StagedOutputs } from './_python-outputs.js';
import { checkPythonDescription } from './python-versions.js';

export type { DescribedVersion } from './_version-job.js';
export type { ScriptRuntime } from './_python-child.js';

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
 * @throws PipelineScriptError naming the script when it cannot be imported (with Python's
 *   message for a `.py` script) or its `model` or `versions` are wrong (then with code
 *   `ERR_VALIDATION` and the field named); ValidationError naming the `python` key when the
 *   Python interpreter cannot be started.
 */
export async function describeScript(
  script: ModelScript,
  runtime: ScriptRuntime,
): Promise<DescribedScript> {
  if (script.language === 'python') return describePython(script, runtime);
  const folder = runtime.folder;
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

async function describePython(
  script: ModelScript,
  runtime: ScriptRuntime,
): Promise<DescribedScript> {
  const outcome = await describePythonScript(script, runtime);
  const { answer } = outcome;
  if (answer === undefined) {
    const { exit, tail } = outcome;
    throw new PipelineScriptError(
      script.name,
      undefined,
      `its Python process ${exit.signal === null ? `exited with code ${exit.code}` : `was ended by ${exit.signal}`} before it described the versions${tail.trim() === '' ? '' : `:\n${tail}`}`,
      { code: 'ERR_PIPELINE_SCRIPT', detail: tail },
    );
  }
  if (!answer.ok) {
    throw new PipelineScriptError(script.name, undefined, answer.message, {
      code: 'ERR_PIPELINE_SCRIPT',
      detail: answer.stack ?? answer.message,
    });
  }
  try {
    return { script, kind: 'model', versions: checkPythonDescription(answer, script.name) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new PipelineScriptError(script.name, undefined, error.message, {
      code: error.code,
      detail: `${error.message} ${error.hint ?? ''}`.trim(),
    });
  }
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
  /** Where the child runs (the configuration's folder) and the interpreter of Python scripts. */
  runtime: ScriptRuntime;
  /**
   * Execution mode's store: a Python version's `ctx.outputs` are written to a local folder and
   * copied here when its process has ended (Python never writes the store).
   */
  store?: Store;
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
  const staged =
    options.script.language === 'python' ? await stagePythonOutputs(options, job) : undefined;
  try {
    return await runChild(options, job, staged);
  } finally {
    await staged?.remove();
  }
}

async function stagePythonOutputs(
  options: VersionProcessOptions,
  job: Extract<VersionChildJob, { action: 'run' }>,
): Promise<StagedOutputs | undefined> {
  if (job.outputs.kind !== 'store') return undefined;
  if (options.store === undefined) {
    throw new Error('runVersionProcess: a Python version with store outputs needs `store`');
  }
  return stageOutputs(options.store, job.project, job.outputs.modelDirName);
}

async function runChild(
  options: VersionProcessOptions,
  job: Extract<VersionChildJob, { action: 'run' }>,
  staged: StagedOutputs | undefined,
): Promise<VersionOutcome> {
  const stderr: string[] = [];
  const metrics: Record<string, number> = {};
  let stepsPerEpoch = 1;
  const python = options.script.language === 'python';
  const running = runCommand({
    command: python
      ? pythonCommand(options.runtime)
      : childCommand(options.script, options.runtime.folder),
    logger: options.logger,
    storeUrl: options.storeUrl,
    cwd: options.runtime.folder,
    env: python
      ? {
          ...pythonEnvironment(),
          [PIPELINE_JOB_VARIABLE]: JSON.stringify({ ...job, outputs: staged?.spec ?? job.outputs }),
        }
      : { [PIPELINE_JOB_VARIABLE]: JSON.stringify(job) },
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
  // What a Python version wrote to ctx.outputs, kept whether it finished or failed (as a
  // TypeScript version's writes are), unless it was stopped: it then runs again, maybe elsewhere
  // already (a lost lease), and its files are that attempt's to write.
  let keepError: string | undefined;
  if (staged !== undefined && !options.signal.aborted) {
    try {
      const { skipped } = await staged.keep();
      for (const line of skipped) options.onOutput(`ctx.outputs: skipped ${line}`, 'stderr');
    } catch (error) {
      keepError = `its ctx.outputs could not be copied into the store: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (ending.status === 'finished' && !options.signal.aborted && keepError === undefined) {
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
    : ending.status === 'finished' && keepError !== undefined
      ? keepError
      : (outcome.reportedStatus?.error ?? exitReason);
  return {
    status: 'failed',
    metrics,
    error: { message, detail: stderr.join('\n') },
    interrupted: options.signal.aborted,
  };
}
