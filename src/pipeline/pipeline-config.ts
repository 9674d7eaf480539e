/**
 * The pipeline's configuration, `ml-tracking.pipeline.json`: where the model scripts are, and the
 * folder beside which the allow/deny lists sit. A pipeline runs for hours, so the file is checked
 * completely before anything runs, and every problem in it is reported at once.
 */
import { access, constants, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { closest } from '../_suggest.js';
import { ValidationError } from '../errors.js';
import { parseJsonText } from '../_json-syntax.js';
import { Problems, isObject, notA, shown } from '../_config-problems.js';
import { slugifyProject } from '../tracking/project-name.js';

/** The configuration file's name, looked for in the current folder unless `--config` names one. */
export const PIPELINE_CONFIG_FILE = 'ml-tracking.pipeline.json';

/**
 * The allow/deny list file of each mode, beside the configuration file. The names are the Python
 * original's, so its projects move over without renaming anything.
 */
export const MODEL_LIST_FILES = {
  test: 'models_test.config',
  execution: 'models.config',
} as const;

/** A validated pipeline configuration, with its paths made absolute. */
export interface PipelineConfig {
  /** Absolute path of the configuration file. */
  file: string;
  /** Its folder: relative paths in it are relative to this. */
  folder: string;
  /** Slugified with `slugifyProject`; default: the folder's base name. */
  project: string;
  /** Absolute paths of the models folders, each checked to exist and be a directory, in the order given. */
  modelDirs: string[];
  /** Absolute; default `<folder>/checkpoints` (the local model folders of execution mode). */
  checkpointDir: string;
  /**
   * The Python interpreter of `.py` scripts: an absolute path when the file gives a path
   * (`".venv/bin/python"`, relative to the file's folder, checked to exist), else a command
   * looked up on `PATH`. Absent when the file does not say: {@link DEFAULT_PYTHON}.
   */
  python?: string;
}

/** Options of {@link readPipelineConfig}. */
export interface ReadPipelineConfigOptions {
  /**
   * The configuration file, relative to `cwd` (what `--config FILE` passes).
   * @default 'ml-tracking.pipeline.json'
   */
  config?: string;
  /**
   * The folder `config` is relative to.
   * @default process.cwd()
   */
  cwd?: string;
}

const KNOWN_KEYS = ['project', 'modelDirs', 'checkpointDir', 'python'];
const MINIMAL_CONFIG = '{ "modelDirs": ["models"] }';
const DEFAULT_CHECKPOINT_DIR = 'checkpoints';
/** The interpreter of Python scripts unless the file names one. */
export const DEFAULT_PYTHON = 'python3';

/**
 * Reads and validates the pipeline's configuration, and fills in the defaults.
 *
 * @throws ValidationError with parameter `config` when the file does not exist (naming the path
 *   looked for), with the file's line and column when it is not valid JSON, and listing every
 *   problem at once otherwise, each named `<file>: <key>` (e.g. `…/ml-tracking.pipeline.json:
 *   modelDirs[1]` for a models folder that does not exist).
 * @example const config = await readPipelineConfig({ config: 'pipelines/iris.json' });
 */
export async function readPipelineConfig(
  options: ReadPipelineConfigOptions = {},
): Promise<PipelineConfig> {
  const file = resolve(options.cwd ?? process.cwd(), options.config ?? PIPELINE_CONFIG_FILE);
  const folder = dirname(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(
      'config',
      code === 'ENOENT'
        ? `there is no pipeline configuration file at ${file}`
        : `${file} cannot be read (${code ?? String(error)})`,
      `Create it with ${MINIMAL_CONFIG} (the models folder, relative to the file), or pass --config FILE to name another.`,
      { cause: error },
    );
  }
  // Some Windows editors start UTF-8 files with a byte-order mark, which JSON.parse rejects.
  const value = parseJsonText(text.replace(/^\uFEFF/, ''), file);
  const problems = new Problems(file);
  if (!isObject(value)) {
    problems.add(
      '',
      `it is ${shown(value)}, not a JSON object`,
      `Write one object, e.g. ${MINIMAL_CONFIG}.`,
    );
    throw problems.error();
  }
  for (const key of Object.keys(value)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const suggestion = closest(key, KNOWN_KEYS);
    problems.add(
      key,
      'it is not a key of a pipeline configuration',
      suggestion === undefined
        ? `Remove it, or use one of: ${KNOWN_KEYS.join(', ')}.`
        : `Did you mean "${suggestion}"? Rename it.`,
    );
  }
  const project = readProject(value.project, folder, problems);
  const modelDirs = await readModelDirs(value.modelDirs, folder, problems);
  let checkpointDir = resolve(folder, DEFAULT_CHECKPOINT_DIR);
  if (value.checkpointDir !== undefined) {
    const given = value.checkpointDir;
    if (typeof given === 'string' && given.trim() !== '') checkpointDir = resolve(folder, given);
    else {
      problems.add(
        'checkpointDir',
        given === '' ? 'it is empty' : notA(given, 'a non-empty string'),
        `Name the folder for the models' checkpoints in execution mode, relative to the file, e.g. "${DEFAULT_CHECKPOINT_DIR}", or remove it for "${DEFAULT_CHECKPOINT_DIR}".`,
      );
    }
  }
  const python =
    value.python === undefined ? undefined : await readPython(value.python, folder, problems);
  problems.throwIfAny();
  // Every value still undefined recorded a problem, so none is undefined here.
  return {
    file,
    folder,
    project: project!,
    modelDirs: modelDirs!,
    checkpointDir,
    ...(python !== undefined && { python }),
  };
}

/**
 * `models.config` for execution mode, `models_test.config` for test mode, beside the
 * configuration file.
 *
 * @example modelListFile(config, 'test') // → '/home/me/iris/models_test.config'
 */
export function modelListFile(config: PipelineConfig, mode: 'test' | 'execution'): string {
  return resolve(config.folder, MODEL_LIST_FILES[mode]);
}

/** The one check of a project name is the one `logExperiment` applies, so runs can be logged. */
function readProject(value: unknown, folder: string, problems: Problems): string | undefined {
  const fromFolder = value === undefined;
  if (!fromFolder && (typeof value !== 'string' || value.trim() === '')) {
    problems.add(
      'project',
      value === '' ? 'it is empty' : notA(value, 'a non-empty string'),
      `Name the project its runs are recorded under, e.g. "iris-pipeline", or remove it to use the folder's name.`,
    );
    return undefined;
  }
  const name = fromFolder ? basename(folder) : value;
  try {
    return slugifyProject(name);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const detail = error.message.replace(/^Invalid project: /, '');
    problems.add(
      'project',
      fromFolder
        ? `it is missing, and the folder's name ${shown(name)} cannot name a project: ${detail}`
        : `${shown(name)} cannot name a project: ${detail}`,
      'Set "project" to a name such as "iris-pipeline".',
    );
    return undefined;
  }
}

async function readModelDirs(
  value: unknown,
  folder: string,
  problems: Problems,
): Promise<string[] | undefined> {
  const fix = `List the folders of the model scripts, relative to the file, e.g. ${MINIMAL_CONFIG}.`;
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(
      'modelDirs',
      Array.isArray(value) ? 'it is empty' : notA(value, 'an array of folder names'),
      fix,
    );
    return undefined;
  }
  const entries: unknown[] = value;
  const folders: string[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const key = `modelDirs[${index}]`;
    if (typeof entry !== 'string' || entry.trim() === '') {
      problems.add(key, entry === '' ? 'it is empty' : notA(entry, 'a non-empty string'), fix);
      continue;
    }
    const path = resolve(folder, entry);
    const earlier = seen.get(path);
    if (earlier !== undefined) {
      // Listing a folder twice would queue every script in it twice.
      problems.add(
        key,
        `it names ${path} again, as modelDirs[${earlier}] does`,
        'Remove one of the two.',
      );
      continue;
    }
    seen.set(path, index);
    const found = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (found instanceof Error) {
      problems.add(
        key,
        found.code === 'ENOENT'
          ? `the folder ${path} does not exist`
          : `the folder ${path} cannot be read (${found.code ?? found.message})`,
        `Create it, or correct the path (it is relative to the configuration file's folder, ${folder}).`,
      );
    } else if (!found.isDirectory()) {
      problems.add(
        key,
        `${path} is a file, not a folder`,
        'Name the folder that holds the model scripts, not a script.',
      );
    } else folders.push(path);
  }
  return folders.length === entries.length ? folders : undefined;
}

/**
 * `python`: a path (it has a `/`) is relative to the file's folder and must be an interpreter
 * that exists, since a virtual environment not created yet would otherwise fail only when the
 * first Python script runs; a bare name is looked up on `PATH` when a script runs.
 */
async function readPython(
  value: unknown,
  folder: string,
  problems: Problems,
): Promise<string | undefined> {
  const example = `e.g. ".venv/bin/python" (relative to the file) or "${DEFAULT_PYTHON}"`;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.add(
      'python',
      value === '' ? 'it is empty' : notA(value, 'a non-empty string'),
      `Name the Python interpreter of the .py model scripts, ${example}, or remove it for ${DEFAULT_PYTHON}.`,
    );
    return undefined;
  }
  if (!value.includes('/') && !value.includes('\\')) return value;
  const path = resolve(folder, value);
  const found = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (found instanceof Error) {
    problems.add(
      'python',
      found.code === 'ENOENT'
        ? `the interpreter ${path} does not exist`
        : `the interpreter ${path} cannot be read (${found.code ?? found.message})`,
      `Create the virtual environment (python3 -m venv ${join(folder, '.venv')}), or correct the path (it is relative to the configuration file's folder, ${folder}).`,
    );
    return undefined;
  }
  if (found.isDirectory()) {
    problems.add(
      'python',
      `${path} is a folder, not an interpreter`,
      `Name the interpreter inside it, e.g. "${value.replace(/\/+$/, '')}/bin/python".`,
    );
    return undefined;
  }
  const runnable = await access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!runnable) {
    problems.add(
      'python',
      `${path} is not executable`,
      'Name the Python interpreter (e.g. .venv/bin/python), or make it executable.',
    );
    return undefined;
  }
  return path;
}
