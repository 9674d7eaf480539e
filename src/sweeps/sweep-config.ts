/**
 * The sweep configuration, `experiment_cfg.json`: the original system's format, read unchanged,
 * plus extensions (grid sweeps, seeds, an explicit command, log-uniform and integer ranges).
 * A sweep launches many trials from this file, so it is checked completely before anything runs,
 * and every problem in it is reported at once: the user fixes the file in one go.
 */
import { readFile } from 'node:fs/promises';
import { closest } from '../_suggest.js';
import { ValidationError } from '../errors.js';
import { slugifyProject } from '../tracking/project-name.js';
import {
  EXAMPLE_HYPERPARAMETERS,
  type HyperparameterSpec,
  checkGrid,
  readHyperparameters,
} from './_hyperparameter-spec.js';
import { checkArgument, checkCommandLineLength } from './_command-line-limits.js';
import { mostBrackets } from './early-terminate.js';
import { parseJsonText } from '../_json-syntax.js';
import {
  type JsonObject,
  Problems,
  isObject,
  notA,
  reportUnknownKeys,
  shown,
} from '../_config-problems.js';

export type { HyperparameterSpec } from './_hyperparameter-spec.js';

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
  /**
   * `random` draws each trial; `grid` enumerates every combination; `tpe` suggests each trial from
   * the sweep's history (Tree-structured Parzen Estimator; the file may say `bayes`, W&B's name).
   * @default 'random'
   */
  method: 'random' | 'grid' | 'tpe';
  /** Stops trials that do worse than the others at the same step (hyperband or median rule). */
  earlyTerminate?: EarlyTerminateConfig;
  /** Fixes the random trials, so a sweep can be reproduced. */
  seed?: number;
  /**
   * The interpreter's argv, used instead of inferring it from the script's extension, e.g.
   * `["uv", "run"]`: a trial runs it followed by main_script_name and the hyperparameter flags.
   */
  command?: string[];
  /** The project the trials' runs are recorded under. */
  project?: string;
  /** How long a trial has to exit after SIGTERM before it gets SIGKILL: above 0, at most 3600. @default 10 */
  earlyStoppingGraceSeconds: number;
}

/**
 * `early_terminate`: asynchronous successive halving (`hyperband`, rungs at `min_iter × eta^k`
 * reports of the optimisation metric, at most `max_iter`; with `brackets` above 1, Hyperband's
 * brackets, see `bracketOf`) or the `median` rule after `min_iter`.
 */
export type EarlyTerminateConfig =
  | {
      type: 'hyperband';
      minIter: number;
      eta: number;
      maxIter?: number;
      /** Hyperband brackets (Ray Tune's `brackets`); needs `maxIter`. @default 1 */
      brackets?: number;
    }
  | { type: 'median'; minIter: number };

/** What error messages call the file when the caller does not name it. */
const DEFAULT_SOURCE = 'experiment_cfg.json';
const DEFAULT_GRACE_SECONDS = 10;
/**
 * The longest grace period, one hour. It reaches a timer, and Node's timers hold at most 2^31-1 ms
 * (about 24.8 days): a longer delay fires after 1 ms, which SIGKILLed every stopped trial at once.
 * One hour is far below that and above what saving a checkpoint takes; a stopped trial keeps its
 * agent's slot (and its GPU) all that time, so a longer one is almost surely a unit mistake
 * (milliseconds written as seconds).
 */
const MAX_GRACE_SECONDS = 3600;

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
  'early_terminate',
  'project',
];

/** A key counts as given unless absent or null (what Python's `json.dump` writes for None). */
function given(value: unknown): boolean {
  return value !== undefined && value !== null;
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
  const mainScriptName = readScriptName(value, problems);
  const command = given(value.command) ? readCommand(value.command, problems) : undefined;
  const hyperparameters = readHyperparameters(value.hyperparameters, problems);
  const maxRuns = readPositiveInteger(
    value,
    'max_runs',
    problems,
    'Set it to the most trials to run, e.g. 100.',
  );
  const method = given(value.method) ? readMethod(value, problems) : 'random';
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
  const earlyTerminate = given(value.early_terminate)
    ? readEarlyTerminate(value.early_terminate, problems)
    : undefined;
  const needsMetric =
    method === 'tpe' ? 'method is "tpe"' : earlyTerminate ? 'early_terminate is set' : undefined;
  if (needsMetric !== undefined && !given(value.optimization_metric)) {
    problems.add(
      'optimization_metric',
      `it is missing, and ${needsMetric}: both rank trials by it`,
      `Name the metric the training script reports, e.g. "Accuracy", with optimization_goal, or ${method === 'tpe' ? 'set method to "random"' : 'remove early_terminate'}.`,
    );
  }
  const graceSeconds = given(value.early_stopping_grace_seconds)
    ? readGraceSeconds(value.early_stopping_grace_seconds, problems)
    : DEFAULT_GRACE_SECONDS;
  if (mainScriptName !== undefined && hyperparameters !== undefined) {
    checkCommandLineLength([...(command ?? []), mainScriptName], hyperparameters, problems);
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
    ...(earlyTerminate === undefined ? {} : { earlyTerminate }),
    ...(seed === undefined ? {} : { seed }),
    ...(command === undefined ? {} : { command }),
    ...(project === undefined ? {} : { project }),
    earlyStoppingGraceSeconds: graceSeconds!,
  };
}

function readMethod(object: JsonObject, problems: Problems): SweepConfig['method'] | undefined {
  const method = readOneOf(
    object,
    'method',
    ['random', 'grid', 'tpe', 'bayes'],
    problems,
    'Use "random", "grid" or "tpe" ("bayes" is read as "tpe").',
  );
  // W&B users write "bayes"; our model-based search is TPE, so it is stored under its own name.
  return method === 'bayes' ? 'tpe' : method;
}

const EARLY_TERMINATE_KEYS: Record<EarlyTerminateConfig['type'], readonly string[]> = {
  hyperband: ['type', 'min_iter', 'eta', 'max_iter', 'brackets'],
  median: ['type', 'min_iter'],
};
const EARLY_TERMINATE_EXAMPLE = '{"type": "hyperband", "min_iter": 3, "eta": 3}';

function readEarlyTerminate(value: unknown, problems: Problems): EarlyTerminateConfig | undefined {
  const key = 'early_terminate';
  if (!isObject(value)) {
    problems.add(
      key,
      notA(value, 'an object'),
      `Describe the rule, e.g. ${EARLY_TERMINATE_EXAMPLE} or {"type": "median", "min_iter": 5}, or remove it.`,
    );
    return undefined;
  }
  const type = value.type;
  if (type !== 'hyperband' && type !== 'median') {
    const suggestion =
      typeof type === 'string' ? closest(type, ['hyperband', 'median']) : undefined;
    const fix = 'Use "hyperband" (successive halving) or "median".';
    problems.add(
      `${key}.type`,
      notA(type, '"hyperband" or "median"'),
      suggestion === undefined ? fix : `Did you mean "${suggestion}"? ${fix}`,
    );
    return undefined;
  }
  const known = EARLY_TERMINATE_KEYS[type];
  reportUnknownKeys(value, known, key, problems, (unknown) => {
    const suggestion = closest(unknown, known);
    return {
      problem: `it is not a key of a "${type}" early_terminate`,
      fix:
        suggestion === undefined
          ? `Remove it, or use one of: ${known.join(', ')}.`
          : `Did you mean "${suggestion}"? Rename it.`,
    };
  });
  const minIter = readWholeAtLeast(
    value,
    'min_iter',
    1,
    problems,
    'the reports of the metric before the first decision, e.g. 3',
  );
  if (type === 'median') return minIter === undefined ? undefined : { type, minIter };
  const eta = given(value.eta)
    ? readWholeAtLeast(value, 'eta', 2, problems, 'the fraction kept at each rung, 1/eta, e.g. 3')
    : 3;
  const maxIter = given(value.max_iter)
    ? readWholeAtLeast(
        value,
        'max_iter',
        minIter ?? 1,
        problems,
        `the last rung, at least min_iter (${minIter ?? 1}), e.g. 27`,
      )
    : undefined;
  if (
    minIter === undefined ||
    eta === undefined ||
    (given(value.max_iter) && maxIter === undefined)
  ) {
    return undefined;
  }
  const brackets = given(value.brackets)
    ? readBrackets(value, { minIter, eta, maxIter }, problems)
    : undefined;
  if (given(value.brackets) && brackets === undefined) return undefined;
  return {
    type,
    minIter,
    eta,
    ...(maxIter === undefined ? {} : { maxIter }),
    ...(brackets === undefined || brackets === 1 ? {} : { brackets }),
  };
}

/**
 * `brackets`: at least 1, and above 1 only with `max_iter`, up to one bracket per rung (a bracket
 * starting past `max_iter` would never decide anything).
 */
function readBrackets(
  value: JsonObject,
  rule: { minIter: number; eta: number; maxIter: number | undefined },
  problems: Problems,
): number | undefined {
  const brackets = readWholeAtLeast(
    value,
    'brackets',
    1,
    problems,
    'how many Hyperband brackets to deal trials into, e.g. 3 (1 is plain successive halving)',
  );
  if (brackets === undefined || brackets === 1) return brackets;
  if (rule.maxIter === undefined) {
    problems.add(
      'early_terminate.brackets',
      `${brackets} brackets need "max_iter": Hyperband's brackets are measured back from the last rung`,
      'Set "max_iter" (e.g. 27), or remove "brackets".',
    );
    return undefined;
  }
  const most = mostBrackets(rule.minIter, rule.eta, rule.maxIter);
  if (brackets <= most) return brackets;
  problems.add(
    'early_terminate.brackets',
    `${brackets} is more than the ${most} rungs from min_iter ${rule.minIter} to max_iter ${rule.maxIter} (eta ${rule.eta})`,
    `Set it to at most ${most}.`,
  );
  return undefined;
}

function readWholeAtLeast(
  object: JsonObject,
  name: string,
  least: number,
  problems: Problems,
  meaning: string,
): number | undefined {
  const value = object[name];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= least) return value;
  problems.add(
    `early_terminate.${name}`,
    notA(value, `a whole number of at least ${least}`),
    `Set it to ${meaning}.`,
  );
  return undefined;
}

function readScriptName(object: JsonObject, problems: Problems): string | undefined {
  const name = readText(
    object,
    'main_script_name',
    problems,
    'Name the training script to run, e.g. "train_script.py".',
  );
  const fits =
    name !== undefined &&
    checkArgument(name, 'main_script_name', problems, {
      nul: "Remove the NUL character from the script's name.",
      long: 'Give the path of the training script, e.g. "train_script.py".',
    });
  return fits ? name : undefined;
}

function readGraceSeconds(value: unknown, problems: Problems): number | undefined {
  const key = 'early_stopping_grace_seconds';
  const fix = `Set it to how long a stopped trial may take to exit before it is killed, e.g. ${DEFAULT_GRACE_SECONDS}, or remove it for ${DEFAULT_GRACE_SECONDS}.`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.add(key, notA(value, 'a positive number of seconds'), fix);
    return undefined;
  }
  if (value > MAX_GRACE_SECONDS) {
    problems.add(
      key,
      `it is ${value} seconds, more than a grace period may be (at most ${MAX_GRACE_SECONDS}, one hour)`,
      `${fix} A value in milliseconds must be divided by 1000.`,
    );
    return undefined;
  }
  return value;
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
    if (typeof argument === 'string' && argument !== '') {
      const fits = checkArgument(argument, `command[${index}]`, problems, {
        nul: 'Remove the NUL character from the argument.',
        long: `Shorten the argument: put what it carries in a file and pass the file's path, e.g. ${example}.`,
      });
      if (fits) argv.push(argument);
    } else {
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
    ...(config.earlyTerminate === undefined
      ? {}
      : { early_terminate: earlyTerminateToJson(config.earlyTerminate) }),
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

function earlyTerminateToJson(rule: EarlyTerminateConfig): Record<string, unknown> {
  if (rule.type === 'median') return { type: rule.type, min_iter: rule.minIter };
  return {
    type: rule.type,
    min_iter: rule.minIter,
    eta: rule.eta,
    ...(rule.maxIter === undefined ? {} : { max_iter: rule.maxIter }),
    ...(rule.brackets === undefined ? {} : { brackets: rule.brackets }),
  };
}
