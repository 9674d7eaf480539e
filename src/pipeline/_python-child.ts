/**
 * The process of one pipeline step for a Python model script: `<python> -m
 * ml_tracking.pipeline._harness`, the Python twin of `_version-child.ts`, told its job by the
 * same environment variable. The harness is the client shipped in this package's
 * `clients/python`, put first on `PYTHONPATH`, so it is found (and matches this engine) whether
 * or not the user pip-installed the client.
 *
 * `describe` answers with one JSON line on file descriptor 3, away from what the script prints;
 * Node's IPC channel is not there for Python. Its standard input is a pipe this process never
 * writes: it closes when this process dies, however it died, and the harness then exits.
 * (A version runs under runCommand's guard, which ends it then.)
 */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';
import { PIPELINE_JOB_VARIABLE } from './_version-job.js';
import type { ModelScript } from './model-scripts.js';
import { DEFAULT_PYTHON, type PipelineConfig } from './pipeline-config.js';
import type { PythonDescription } from './python-versions.js';

/** What a step needs of the configuration: where it runs, and its interpreter. */
export type ScriptRuntime = Pick<PipelineConfig, 'file' | 'folder' | 'python'>;

/** The folder that holds the `ml_tracking` package (`src/pipeline` and `dist/pipeline` alike). */
const PYTHON_CLIENT = fileURLToPath(new URL('../../clients/python', import.meta.url));
const HARNESS_MODULE = 'ml_tracking.pipeline._harness';
const ANSWER_FD = 3;

/** The argv of the harness. */
export function pythonCommand(runtime: ScriptRuntime): string[] {
  return [runtime.python ?? DEFAULT_PYTHON, '-m', HARNESS_MODULE];
}

/** The harness's environment besides the job: this package's client first on the path. */
export function pythonEnvironment(): Record<string, string> {
  const inherited = process.env.PYTHONPATH;
  return {
    PYTHONPATH:
      inherited === undefined || inherited === ''
        ? PYTHON_CLIENT
        : `${PYTHON_CLIENT}${delimiter}${inherited}`,
    // The pipeline reads the child's output as UTF-8, whatever the machine's locale.
    PYTHONIOENCODING: 'utf-8',
  };
}

/**
 * The interpreter could not be started: names the configuration key that chooses it.
 * @internal
 */
export function missingInterpreter(runtime: ScriptRuntime, error: unknown): ValidationError {
  const python = runtime.python ?? DEFAULT_PYTHON;
  const code = (error as NodeJS.ErrnoException).code;
  return new ValidationError(
    `${runtime.file}: python`,
    `the Python interpreter "${python}" ${code === 'ENOENT' ? 'was not found' : `cannot be started (${code ?? String(error)})`}${runtime.python === undefined ? ` (the default, as "python" is not set)` : ''}`,
    `Install Python 3, or set "python" in ${runtime.file} to the interpreter of the project's virtual environment, e.g. ".venv/bin/python".`,
    { cause: error },
  );
}

/** What the harness said, or how its process ended without saying. */
export type PythonDescribeOutcome =
  | { answer: PythonDescription }
  | {
      answer: undefined;
      exit: { code: number | null; signal: NodeJS.Signals | null };
      tail: string;
    };

/**
 * Imports a Python script in the harness and returns what it found, unchecked.
 * @throws ValidationError when the interpreter cannot be started.
 */
export async function describePythonScript(
  script: ModelScript,
  runtime: ScriptRuntime,
): Promise<PythonDescribeOutcome> {
  const [program = DEFAULT_PYTHON, ...args] = pythonCommand(runtime);
  const job = { action: 'describe', file: script.file, script: script.name, answer_fd: ANSWER_FD };
  const child = spawn(program, args, {
    cwd: runtime.folder,
    env: {
      ...process.env,
      ...pythonEnvironment(),
      [PIPELINE_JOB_VARIABLE]: JSON.stringify(job),
    },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      output.push(text);
      if (output.length > 200) output.shift();
    });
  }
  const answerChunks: Buffer[] = [];
  const channel = child.stdio[ANSWER_FD];
  channel?.on('data', (chunk: Buffer) => answerChunks.push(chunk));
  // Written only by the harness's death: an EPIPE once it has exited is expected.
  child.stdin.on('error', () => undefined);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', (error) => {
        reject(missingInterpreter(runtime, error));
      });
      child.once('close', (code, signal) => {
        resolve({ code, signal });
      });
    },
  );
  child.stdin.destroy();
  const text = Buffer.concat(answerChunks).toString('utf8').trim();
  if (text !== '') return { answer: JSON.parse(text) as PythonDescription };
  const tail = output.join('').split('\n').slice(-20).join('\n');
  return { answer: undefined, exit, tail };
}
