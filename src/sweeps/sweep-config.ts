/**
 * The sweep configuration, `experiment_cfg.json`: the original system's format, read unchanged,
 * plus extensions (grid sweeps, seeds, an explicit command, log-uniform and integer ranges).
 * A sweep launches many trials from this file, so it is checked completely before anything runs,
 * and every problem in it is reported at once: the user fixes the file in one go.
 */
import { readFile } from 'node:fs/promises';
import { closest } from '../cli/_suggest.js';
import { ValidationError } from '../errors.js';
import { slugifyProject } from '../tracking/project-name.js';

/** How one hyperparameter's values are drawn (random sweeps) or enumerated (grid sweeps). */
export type HyperparameterSpec =
  /** A real number in [min, max]. */
  | { type: 'uniform'; min: number; max: number }
  /** A positive real number whose logarithm is uniform: learning rates, regularisation. */
  | { type: 'log_uniform'; min: number; max: number }
  /** An integer from min to max, both included. */
  | { type: 'int_uniform'; min: number; max: number }
  /** One of the candidates, each equally likely. */
  | { type: 'choice'; candidates: (string | number | boolean)[] };

/** A validated sweep configuration; each field is the file's snake_case key in camelCase. */
export interface SweepConfig {
  /** The training script; its interpreter is inferred from its extension unless `command` is set. */
  mainScriptName: string;
  /** In the file's key order, which is the grid's order (the last key varies fastest). */
  hyperparameters: Record<string, HyperparameterSpec>;
  /** The most trials to run; a grid smaller than this runs each of its points once. */
  maxRuns: number;
  /** Whether a trial whose metric stops improving is stopped early. */
  earlyStopping: boolean;
  /** Reports of the metric without improvement after which a trial is stopped. */
  earlyStoppingPatience?: number;
  /** The metric the sweep ranks trials by (and early stopping watches). */
  optimizationMetric?: string;
  /** Whether a higher (`max`) or lower (`min`) metric is better. */
  optimizationGoal?: 'max' | 'min';
  /** `random` draws each trial; `grid` enumerates every combination. @default 'random' */
  method: 'random' | 'grid';
  /** Fixes the random trials, so a sweep can be reproduced. */
  seed?: number;
  /**
   * The interpreter's argv, used instead of inferring it from the script's extension, e.g.
   * `["uv", "run"]`: a trial runs it followed by main_script_name and the hyperparameter flags.
   */
  command?: string[];
  /** The project the trials' runs are recorded under. */
  project?: string;
  /** How long a trial has to exit after SIGTERM before it gets SIGKILL. @default 10 */
  earlyStoppingGraceSeconds: number;
}

/** What error messages call the file when the caller does not name it. */
const DEFAULT_SOURCE = 'experiment_cfg.json';
const DEFAULT_GRACE_SECONDS = 10;
/** Past this, an int_uniform grid is almost surely a mistake (and a sweep that never ends). */
const MAX_GRID_RANGE_VALUES = 10_000;
/** Hyperparameters become `--name value` flags of the training script. */
const FLAG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const TOP_LEVEL_KEYS = [
  'main_script_name',
  'command',
  'hyperparameters',
  'max_runs',
  'method',
  'seed',
  'early_stopping',
  'early_stopping_patience',
  'optimization_metric',
  'optimization_goal',
  'early_stopping_grace_seconds',
  'project',
];
const SPEC_KEYS = {
  uniform: ['type', 'min', 'max'],
  log_uniform: ['type', 'min', 'max'],
  int_uniform: ['type', 'min', 'max'],
  choice: ['type', 'candidates'],
} as const;
type SpecType = keyof typeof SPEC_KEYS;
const SPEC_TYPES = Object.keys(SPEC_KEYS) as SpecType[];
const ALL_SPEC_KEYS = ['type', 'min', 'max', 'candidates'];

const EXAMPLE_HYPERPARAMETERS =
  '{"learning_rate": {"type": "log_uniform", "min": 1e-5, "max": 1e-2}, "batch_size": {"type": "choice", "candidates": [32, 64, 128]}}';

interface Problem {
  /** The JSON path of the key at fault, e.g. `hyperparameters.learning_rate.max`; `''` for the file. */
  key: string;
  problem: string;
  fix: string;
}

/** The problems found so far in one file; checking goes on after each, to report them all. */
class Problems {
  private readonly found: Problem[] = [];

  constructor(private readonly source: string) {}

  add(key: string, problem: string, fix: string): void {
    this.found.push({ key, problem, fix });
  }

  /** One error for them all: the first names its key; the rest follow, one per line. */
  error(): ValidationError {
    const parameter = (key: string) => (key === '' ? this.source : `${this.source}: ${key}`);
    const [first, ...rest] = this.found;
    if (first === undefined) throw new Error('Problems.error() called with no problem found');
    if (rest.length === 0)
      return new ValidationError(parameter(first.key), first.problem, first.fix);
    const lines = this.found.map(
      (each) => `  - ${parameter(each.key)}: ${each.problem}. ${each.fix}`,
    );
    const more =
      rest.length === 1
        ? '1 more problem; both are listed below'
        : `${rest.length} more problems; all ${this.found.length} are listed below`;
    return new ValidationError(
      parameter(first.key),
      `${first.problem} (and ${more})`,
      `${first.fix}\n${lines.join('\n')}`,
    );
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw this.error();
  }
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key counts as given unless absent or null (what Python's `json.dump` writes for None). */
function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A value as the user wrote it, short enough for one line. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function notA(value: unknown, expected: string): string {
  return value === undefined ? 'it is missing' : `it is ${shown(value)}, not ${expected}`;
}

/** `parent.key`, or `parent["key"]` when the key is not a plain identifier (`"model.lr"`). */
function keyPath(parent: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Unknown keys are almost always typos of known ones: name the likely one. */
function reportUnknownKeys(
  object: JsonObject,
  known: readonly string[],
  parent: string,
  problems: Problems,
  explain?: (key: string) => { problem: string; fix: string } | undefined,
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const explained = explain?.(key);
    if (explained !== undefined) {
      problems.add(keyPath(parent, key), explained.problem, explained.fix);
      continue;
    }
    const suggestion = closest(key, known);
    problems.add(
      keyPath(parent, key),
      `it is not a key ${parent === '' ? 'of a sweep configuration' : 'of a hyperparameter'}`,
      suggestion === undefined
        ? `Remove it, or use one of: ${known.join(', ')}.`
        : `Did you mean "${suggestion}"? Rename it.`,
    );
  }
}

function readText(object: JsonObject, key: string, problems: Problems, fix: string) {
  const value = object[key];
  if (typeof value === 'string' && value.trim() !== '') return value;
  problems.add(key, value === '' ? 'it is empty' : notA(value, 'a non-empty string'), fix);
  return undefined;
}

function readPositiveInteger(object: JsonObject, key: string, problems: Problems, fix: string) {
  const value = object[key];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  problems.add(key, notA(value, 'a positive integer'), fix);
  return undefined;
}

function readOneOf<T extends string>(
  object: JsonObject,
  key: string,
  allowed: readonly T[],
  problems: Problems,
  fix: string,
): T | undefined {
  const value = object[key];
  if (allowed.includes(value as T)) return value as T;
  const suggestion = typeof value === 'string' ? closest(value, allowed) : undefined;
  const choices = allowed.map((each) => `"${each}"`).join(' or ');
  problems.add(
    key,
    notA(value, choices),
    suggestion === undefined ? fix : `Did you mean "${suggestion}"? ${fix}`,
  );
  return undefined;
}

/**
 * Validates a sweep configuration already parsed from JSON, and fills in the defaults.
 *
 * @param source names the file in messages, e.g. its path.
 * @throws ValidationError listing every problem found, each with its key's JSON path and its fix;
 *   `parameter` is the first one's, e.g. `experiment_cfg.json: hyperparameters.learning_rate.max`.
 * @example parseSweepConfig(JSON.parse(text), 'sweeps/experiment_cfg.json')
 */
export function parseSweepConfig(value: unknown, source = DEFAULT_SOURCE): SweepConfig {
  const problems = new Problems(source);
  if (!isObject(value)) {
    problems.add(
      '',
      `it is ${shown(value)}, not a JSON object`,
      `Write the configuration as one object, e.g. {"main_script_name": "train.py", "hyperparameters": ${EXAMPLE_HYPERPARAMETERS}, "max_runs": 20, "early_stopping": false}.`,
    );
    throw problems.error();
  }
  reportUnknownKeys(value, TOP_LEVEL_KEYS, '', problems);
  const mainScriptName = readText(
    value,
    'main_script_name',
    problems,
    'Name the training script to run, e.g. "train_script.py".',
  );
  const command = given(value.command) ? readCommand(value.command, problems) : undefined;
  const hyperparameters = readHyperparameters(value.hyperparameters, problems);
  const maxRuns = readPositiveInteger(
    value,
    'max_runs',
    problems,
    'Set it to the most trials to run, e.g. 100.',
  );
  const method = given(value.method)
    ? readOneOf(value, 'method', ['random', 'grid'], problems, 'Use "random" or "grid".')
    : 'random';
  if (method === 'grid' && hyperparameters !== undefined) checkGrid(hyperparameters, problems);
  const seed = given(value.seed) ? readSeed(value.seed, problems) : undefined;
  const earlyStopping = value.early_stopping;
  if (typeof earlyStopping !== 'boolean') {
    problems.add(
      'early_stopping',
      notA(earlyStopping, 'true or false'),
      'Set it to true to stop trials whose metric stops improving, or to false.',
    );
  }
  const ranking = readRanking(value, earlyStopping === true, problems);
  let graceSeconds = DEFAULT_GRACE_SECONDS;
  if (given(value.early_stopping_grace_seconds)) {
    const grace = value.early_stopping_grace_seconds;
    if (typeof grace === 'number' && Number.isFinite(grace) && grace > 0) graceSeconds = grace;
    else {
      problems.add(
        'early_stopping_grace_seconds',
        notA(grace, 'a positive number of seconds'),
        `Set it to how long a stopped trial may take to exit before it is killed, e.g. ${DEFAULT_GRACE_SECONDS}, or remove it for ${DEFAULT_GRACE_SECONDS}.`,
      );
    }
  }
  const project = given(value.project) ? readProject(value.project, problems) : undefined;
  problems.throwIfAny();
  // Every required value that is still undefined recorded a problem, so none is undefined here.
  return {
    mainScriptName: mainScriptName!,
    hyperparameters: hyperparameters!,
    maxRuns: maxRuns!,
    earlyStopping: earlyStopping as boolean,
    ...ranking,
    method: method!,
    ...(seed === undefined ? {} : { seed }),
    ...(command === undefined ? {} : { command }),
    ...(project === undefined ? {} : { project }),
    earlyStoppingGraceSeconds: graceSeconds,
  };
}

function readCommand(value: unknown, problems: Problems): string[] | undefined {
  const example = '["uv", "run"]';
  if (!Array.isArray(value) || value.length === 0) {
    const split = typeof value === 'string' ? JSON.stringify(value.trim().split(/\s+/)) : example;
    problems.add(
      'command',
      Array.isArray(value) ? 'it is empty' : notA(value, 'an array of strings'),
      `Write the interpreter's argv (main_script_name follows it) as an array of strings, e.g. ${split}, or remove command to infer the interpreter from main_script_name.`,
    );
    return undefined;
  }
  const argv: string[] = [];
  value.forEach((argument: unknown, index) => {
    if (typeof argument === 'string' && argument !== '') argv.push(argument);
    else {
      problems.add(
        `command[${index}]`,
        argument === '' ? 'it is empty' : notA(argument, 'a string'),
        `Write each argument as a non-empty string, e.g. ${example}.`,
      );
    }
  });
  return argv.length === value.length ? argv : undefined;
}

function readSeed(value: unknown, problems: Problems): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  problems.add(
    'seed',
    notA(value, 'a non-negative integer'),
    'Use a whole number from 0 to 9007199254740991, e.g. 42, or remove seed to draw a fresh one.',
  );
  return undefined;
}

/** The one check of a project name is the one `logExperiment` applies. */
function readProject(value: unknown, problems: Problems): string | undefined {
  if (typeof value !== 'string') {
    problems.add('project', notA(value, 'a string'), 'Name the project, e.g. "soil-carbon".');
    return undefined;
  }
  try {
    slugifyProject(value);
    return value;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const detail = error.message.replace(/^Invalid project: (.)/, (_, initial: string) =>
      initial.toUpperCase(),
    );
    problems.add('project', `${shown(value)} cannot name a project`, detail);
    return undefined;
  }
}

/** The metric trials are ranked by, and early stopping, which needs it. */
function readRanking(
  object: JsonObject,
  earlyStopping: boolean,
  problems: Problems,
): Pick<SweepConfig, 'optimizationMetric' | 'optimizationGoal' | 'earlyStoppingPatience'> {
  const metricFix = 'Name the metric the training script reports, e.g. "Accuracy"';
  const goalFix = 'Set it to "max" if a higher value is better, or "min" if lower is better';
  const patienceFix =
    'Set it to how many reports of the metric without improvement stop a trial, e.g. 5';
  const hasMetric = given(object.optimization_metric);
  const hasGoal = given(object.optimization_goal);
  const hasPatience = given(object.early_stopping_patience);
  const metric = hasMetric
    ? readText(object, 'optimization_metric', problems, `${metricFix}.`)
    : undefined;
  const goal = hasGoal
    ? readOneOf(object, 'optimization_goal', ['max', 'min'], problems, `${goalFix}.`)
    : undefined;
  const patience = hasPatience
    ? readPositiveInteger(object, 'early_stopping_patience', problems, `${patienceFix}.`)
    : undefined;
  if (earlyStopping) {
    const orNot = ', or set early_stopping to false.';
    const why = 'it is missing, and early_stopping is true';
    if (!hasMetric) problems.add('optimization_metric', why, metricFix + orNot);
    if (!hasPatience) problems.add('early_stopping_patience', why, patienceFix + orNot);
    if (!hasGoal) problems.add('optimization_goal', why, goalFix + orNot);
  } else if (hasMetric && !hasGoal) {
    problems.add(
      'optimization_goal',
      'it is missing, and optimization_metric is set: the two go together',
      `${goalFix}, or remove optimization_metric.`,
    );
  } else if (hasGoal && !hasMetric) {
    problems.add(
      'optimization_metric',
      'it is missing, and optimization_goal is set: the two go together',
      `${metricFix}, or remove optimization_goal.`,
    );
  }
  return {
    ...(patience === undefined ? {} : { earlyStoppingPatience: patience }),
    ...(metric === undefined ? {} : { optimizationMetric: metric }),
    ...(goal === undefined ? {} : { optimizationGoal: goal }),
  };
}

function readHyperparameters(
  value: unknown,
  problems: Problems,
): Record<string, HyperparameterSpec> | undefined {
  const fix = `Describe each hyperparameter by name, e.g. ${EXAMPLE_HYPERPARAMETERS}.`;
  if (!isObject(value)) {
    problems.add('hyperparameters', notA(value, 'an object'), fix);
    return undefined;
  }
  const names = Object.keys(value);
  if (names.length === 0) problems.add('hyperparameters', 'it is empty', fix);
  const specs: [string, HyperparameterSpec][] = [];
  for (const name of names) {
    const at = keyPath('hyperparameters', name);
    // `__proto__` would set an object's prototype instead of adding a key.
    const nameOk = FLAG_NAME.test(name) && name !== '__proto__';
    if (!nameOk) {
      const renamed = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^(?=[^A-Za-z_])/, '_');
      problems.add(
        at,
        `the name ${JSON.stringify(name)} cannot be a command-line flag`,
        `Rename it using letters, digits, "_", "." and "-", starting with a letter or "_", e.g. ${JSON.stringify(renamed === '__proto__' ? 'proto' : renamed)}.`,
      );
    }
    const spec = readSpec(value[name], at, problems);
    if (nameOk && spec !== undefined) specs.push([name, spec]);
  }
  return Object.fromEntries(specs);
}

function readSpec(value: unknown, at: string, problems: Problems): HyperparameterSpec | undefined {
  if (!isObject(value)) {
    problems.add(
      at,
      notA(value, 'an object'),
      'Describe it as e.g. {"type": "uniform", "min": 0, "max": 1} or {"type": "choice", "candidates": [32, 64]}.',
    );
    return undefined;
  }
  const type = value.type;
  if (!SPEC_TYPES.includes(type as SpecType)) {
    const suggestion = typeof type === 'string' ? closest(type, SPEC_TYPES) : undefined;
    const fix = `Set it to ${SPEC_TYPES.map((each) => `"${each}"`).join(', ')}.`;
    problems.add(
      `${at}.type`,
      notA(type, 'a hyperparameter type'),
      suggestion === undefined ? fix : `Did you mean "${suggestion}"? ${fix}`,
    );
    reportUnknownKeys(value, ALL_SPEC_KEYS, at, problems);
    return undefined;
  }
  const specType = type as SpecType;
  reportUnknownKeys(value, SPEC_KEYS[specType], at, problems, (key) => {
    if (!ALL_SPEC_KEYS.includes(key)) return undefined;
    const owner =
      key === 'candidates' ? '"choice"' : 'the ranges ("uniform", "log_uniform", "int_uniform")';
    return {
      problem: `it belongs to ${owner}, not to "${specType}"`,
      fix: `Remove it, or change type.`,
    };
  });
  return specType === 'choice'
    ? readChoice(value.candidates, `${at}.candidates`, problems)
    : readRange(specType, value, at, problems);
}

function readChoice(
  value: unknown,
  at: string,
  problems: Problems,
): HyperparameterSpec | undefined {
  const fix = 'List the values to try, e.g. [32, 64, 128].';
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(at, Array.isArray(value) ? 'it is empty' : notA(value, 'an array'), fix);
    return undefined;
  }
  const candidates: (string | number | boolean)[] = [];
  const seen = new Map<string, number>();
  value.forEach((candidate: unknown, index) => {
    const isScalar =
      typeof candidate === 'string' ||
      typeof candidate === 'boolean' ||
      (typeof candidate === 'number' && Number.isFinite(candidate));
    if (!isScalar) {
      problems.add(
        `${at}[${index}]`,
        notA(candidate, 'a string, number or boolean'),
        'A candidate is passed to the script as a flag value: use a string, a number or a boolean (write null as a string such as "none").',
      );
      return;
    }
    const identity = `${typeof candidate}:${String(candidate)}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      problems.add(
        `${at}[${index}]`,
        `it repeats candidates[${first}] (${shown(candidate)})`,
        'Remove the repeat: it would be tried twice as often as the others.',
      );
      return;
    }
    seen.set(identity, index);
    candidates.push(candidate);
  });
  return candidates.length === value.length ? { type: 'choice', candidates } : undefined;
}

function readRange(
  type: Exclude<SpecType, 'choice'>,
  spec: JsonObject,
  at: string,
  problems: Problems,
): HyperparameterSpec | undefined {
  const integers = type === 'int_uniform';
  const bounds: number[] = [];
  for (const key of ['min', 'max']) {
    const bound = spec[key];
    if (
      typeof bound === 'number' &&
      (integers ? Number.isSafeInteger(bound) : Number.isFinite(bound))
    ) {
      bounds.push(bound);
      continue;
    }
    const tooLarge = Number.isInteger(bound);
    problems.add(
      `${at}.${key}`,
      tooLarge
        ? `it is ${shown(bound)}, beyond the integers a float64 holds exactly (±9007199254740991)`
        : notA(bound, integers ? 'an integer' : 'a finite number'),
      integers
        ? `Write ${key} as a whole JSON number without quotes, e.g. ${key === 'min' ? 1 : 10}, or use type "uniform" for real values.`
        : `Write ${key} as a JSON number without quotes, e.g. ${key === 'min' ? '1e-5' : '0.01'}.`,
    );
  }
  const [min, max] = bounds;
  if (min === undefined || max === undefined) return undefined;
  if (type === 'log_uniform' && min <= 0) {
    problems.add(
      `${at}.min`,
      `it is ${min}, but a log-uniform range must be above 0 (its logarithm is undefined)`,
      'Set min to a positive number such as 1e-6, or use type "uniform" for a range that includes 0.',
    );
  } else if (integers ? min > max : min >= max) {
    problems.add(
      `${at}.max`,
      `it is ${max}, not ${integers ? 'at least' : 'above'} min (${min})`,
      integers
        ? 'Make max at least min (both ends are included), or swap them.'
        : 'Make max larger than min, or swap them; for one fixed value use {"type": "choice", "candidates": [value]}.',
    );
  } else if (!Number.isFinite(max - min)) {
    problems.add(
      `${at}.max`,
      `the range ${min} to ${max} is too wide to sample (its width overflows)`,
      'Narrow the range, or use type "log_uniform" for values spanning orders of magnitude.',
    );
  } else {
    return { type, min, max };
  }
  return undefined;
}

/** A grid enumerates values: continuous ranges and huge integer ranges cannot be. */
function checkGrid(hyperparameters: Record<string, HyperparameterSpec>, problems: Problems): void {
  for (const [name, spec] of Object.entries(hyperparameters)) {
    const at = keyPath('hyperparameters', name);
    if (spec.type === 'uniform' || spec.type === 'log_uniform') {
      const middle =
        spec.type === 'uniform' ? (spec.min + spec.max) / 2 : Math.sqrt(spec.min * spec.max);
      const example = [spec.min, Number(middle.toPrecision(3)), spec.max];
      problems.add(
        `${at}.type`,
        `it is "${spec.type}", a continuous range that a grid cannot enumerate`,
        `List the values to try instead, e.g. {"type": "choice", "candidates": ${JSON.stringify(example)}}, or set method to "random".`,
      );
    } else if (spec.type === 'int_uniform' && spec.max - spec.min + 1 > MAX_GRID_RANGE_VALUES) {
      problems.add(
        at,
        `its range ${spec.min} to ${spec.max} has ${spec.max - spec.min + 1} values, more than a grid enumerates (${MAX_GRID_RANGE_VALUES})`,
        'Narrow the range, list the values to try as a "choice", or set method to "random".',
      );
    }
  }
}

/**
 * Reads and validates a sweep configuration file.
 *
 * @throws ValidationError naming the file when it cannot be read, its line and column when it is
 *   not valid JSON, and every problem at once (see {@link parseSweepConfig}) otherwise.
 */
export async function readSweepConfig(path: string): Promise<SweepConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(
      path,
      code === 'ENOENT' ? 'there is no such file' : `it cannot be read (${code ?? String(error)})`,
      'Check the path to the sweep configuration (experiment_cfg.json).',
      { cause: error },
    );
  }
  // Some Windows editors start UTF-8 files with a byte-order mark, which JSON.parse rejects.
  return parseSweepConfig(parseJsonText(text.replace(/^\uFEFF/, ''), path), path);
}

function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = firstSyntaxErrorOffset(text);
    const before = text.slice(0, offset);
    const where = `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    let problem: string;
    if (text.trim() === '') problem = 'the file is empty';
    else if (offset >= text.length) problem = `it ends before the JSON does (${where})`;
    else
      problem = `it is not valid JSON: unexpected ${JSON.stringify(text.charAt(offset))} at ${where}`;
    throw new ValidationError(
      source,
      problem,
      'Fix the syntax there: a missing or extra comma, an unclosed quote or bracket, single quotes or a comment (JSON allows none) are the usual causes.',
      { cause: error },
    );
  }
}

// JSON forbids raw control characters (U+0000 to U+001F) in strings: matching them is the point.
// eslint-disable-next-line no-control-regex
const STRING_CHARACTERS = /(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;
const STRING = new RegExp(`"${STRING_CHARACTERS.source}"`, 'y');

/**
 * Where `text` stops being JSON, as an offset (its length when it ends too early). JSON.parse
 * does not say for every error on Node 20 (`Unexpected token 'x', "…" is not valid JSON`), and a
 * user needs a line and column to find the mistake.
 */
function firstSyntaxErrorOffset(text: string): number {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at += 1;
  };
  const matches = (pattern: RegExp) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match !== null) at += match[0].length;
    return match !== null;
  };
  const value = (): boolean => {
    skipSpace();
    const next = text.charAt(at);
    if (next === '{') return container('}', true);
    if (next === '[') return container(']', false);
    if (next === '"') {
      if (matches(STRING)) return true;
      // Point inside the string, at the character at fault (or the end, if it is unclosed).
      at += 1;
      matches(STRING_CHARACTERS);
      return false;
    }
    return matches(/true|false|null/y) || matches(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y);
  };
  const container = (close: string, keyed: boolean): boolean => {
    at += 1;
    skipSpace();
    if (text.charAt(at) === close) {
      at += 1;
      return true;
    }
    for (;;) {
      if (keyed) {
        skipSpace();
        if (text.charAt(at) !== '"' || !value()) return false;
        skipSpace();
        if (text.charAt(at) !== ':') return false;
        at += 1;
      }
      if (!value()) return false;
      skipSpace();
      if (text.charAt(at) === close) {
        at += 1;
        return true;
      }
      if (text.charAt(at) !== ',') return false;
      at += 1;
    }
  };
  if (value()) skipSpace();
  return at;
}

/**
 * The configuration in the file's own snake_case format, with its defaults written out, for
 * `experiment_description.json`: {@link parseSweepConfig} reads it back to an equal config.
 */
export function sweepConfigToJson(config: SweepConfig): Record<string, unknown> {
  const hyperparameters = Object.entries(config.hyperparameters).map(([name, spec]) => [
    name,
    spec.type === 'choice'
      ? { type: spec.type, candidates: [...spec.candidates] }
      : { type: spec.type, min: spec.min, max: spec.max },
  ]);
  return {
    main_script_name: config.mainScriptName,
    ...(config.command === undefined ? {} : { command: [...config.command] }),
    hyperparameters: Object.fromEntries(hyperparameters),
    max_runs: config.maxRuns,
    method: config.method,
    ...(config.seed === undefined ? {} : { seed: config.seed }),
    early_stopping: config.earlyStopping,
    ...(config.earlyStoppingPatience === undefined
      ? {}
      : { early_stopping_patience: config.earlyStoppingPatience }),
    ...(config.optimizationMetric === undefined
      ? {}
      : { optimization_metric: config.optimizationMetric }),
    ...(config.optimizationGoal === undefined
      ? {}
      : { optimization_goal: config.optimizationGoal }),
    early_stopping_grace_seconds: config.earlyStoppingGraceSeconds,
    ...(config.project === undefined ? {} : { project: config.project }),
  };
}
