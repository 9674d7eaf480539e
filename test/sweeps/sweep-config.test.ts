import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  parseSweepConfig,
  readSweepConfig,
  sweepConfigToJson,
  type SweepConfig,
} from '../../src/sweeps/sweep-config.js';

const ORIGINAL_EXAMPLE = fileURLToPath(
  new URL('../fixtures/sweeps/experiment_cfg.json', import.meta.url),
);

/** The original system's example, as a fresh object each time so tests can break it. */
function original(): Record<string, unknown> {
  return {
    main_script_name: 'train_script.py',
    hyperparameters: {
      learning_rate: { type: 'uniform', min: 1e-5, max: 1e-2 },
      batch_size: { type: 'choice', candidates: [32, 64, 128] },
    },
    max_runs: 100,
    early_stopping: true,
    early_stopping_patience: 5,
    optimization_metric: 'Accuracy',
    optimization_goal: 'max',
  };
}

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    main_script_name: 'train.py',
    hyperparameters: { lr: { type: 'uniform', min: 0, max: 1 } },
    max_runs: 10,
    early_stopping: false,
    ...extra,
  };
}

function without(config: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([each]) => each !== key));
}

function withHyperparameter(spec: unknown, extra: Record<string, unknown> = {}) {
  return minimal({ hyperparameters: { x: spec }, ...extra });
}

/** The ValidationError `parseSweepConfig` throws for `value` (fails the test if none). */
function rejection(value: unknown, source?: string): ValidationError {
  try {
    parseSweepConfig(value, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('parseSweepConfig accepted an invalid configuration');
}

async function readRejection(path: string): Promise<ValidationError> {
  const error: unknown = await readSweepConfig(path).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sweep-config-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the original format', () => {
  const expected: SweepConfig = {
    mainScriptName: 'train_script.py',
    hyperparameters: {
      learning_rate: { type: 'uniform', min: 1e-5, max: 1e-2 },
      batch_size: { type: 'choice', candidates: [32, 64, 128] },
    },
    maxRuns: 100,
    earlyStopping: true,
    earlyStoppingPatience: 5,
    optimizationMetric: 'Accuracy',
    optimizationGoal: 'max',
    method: 'random',
    earlyStoppingGraceSeconds: 10,
  };

  it('reads the original example file unchanged, with the defaults of the extensions', async () => {
    await expect(readSweepConfig(ORIGINAL_EXAMPLE)).resolves.toEqual(expected);
  });

  it('keeps the hyperparameters in the file order (the grid order)', async () => {
    const config = await readSweepConfig(ORIGINAL_EXAMPLE);
    expect(Object.keys(config.hyperparameters)).toEqual(['learning_rate', 'batch_size']);
  });

  it('accepts a file saved with a byte-order mark', async () => {
    const path = join(folder, 'bom.json');
    await writeFile(path, `\uFEFF${JSON.stringify(original())}`);
    await expect(readSweepConfig(path)).resolves.toEqual(expected);
  });

  it('does not keep references to the input', () => {
    const input = original();
    const config = parseSweepConfig(input);
    (input.hyperparameters as { batch_size: { candidates: number[] } }).batch_size.candidates.push(
      256,
    );
    expect(config.hyperparameters.batch_size).toEqual({
      type: 'choice',
      candidates: [32, 64, 128],
    });
  });
});

describe('required keys', () => {
  it.each(['main_script_name', 'hyperparameters', 'max_runs', 'early_stopping'])(
    'rejects a configuration without %s, naming it',
    (key) => {
      const error = rejection(without(original(), key));
      expect(error.parameter).toBe(`experiment_cfg.json: ${key}`);
      expect(error.message).toMatch(/it is missing/);
      expect(error.code).toBe('ERR_VALIDATION');
    },
  );

  it.each(['optimization_metric', 'early_stopping_patience', 'optimization_goal'])(
    'requires %s when early_stopping is true, and says how to turn early stopping off',
    (key) => {
      const error = rejection(without(original(), key));
      expect(error.parameter).toBe(`experiment_cfg.json: ${key}`);
      expect(error.message).toMatch(/missing, and early_stopping is true/);
      expect(error.message).toMatch(/set early_stopping to false/);
    },
  );

  it('needs neither metric, goal nor patience without early stopping', () => {
    const config = parseSweepConfig(minimal());
    expect(config.earlyStopping).toBe(false);
    expect(config).not.toHaveProperty('optimizationMetric');
    expect(config).not.toHaveProperty('optimizationGoal');
    expect(config).not.toHaveProperty('earlyStoppingPatience');
  });

  it('keeps the metric trials are ranked by without early stopping', () => {
    const config = parseSweepConfig(
      minimal({ optimization_metric: 'RMSE', optimization_goal: 'min' }),
    );
    expect(config.optimizationMetric).toBe('RMSE');
    expect(config.optimizationGoal).toBe('min');
  });

  it.each([
    ['optimization_metric', 'optimization_goal'],
    ['optimization_goal', 'optimization_metric'],
  ])('without early stopping, %s requires %s too', (present, missing) => {
    const config = minimal({ optimization_metric: 'RMSE', optimization_goal: 'min' });
    const error = rejection(without(config, missing));
    expect(error.parameter).toBe(`experiment_cfg.json: ${missing}`);
    expect(error.message).toContain(`${present} is set: the two go together`);
  });

  it('treats null as not given for optional keys (what Python writes for None)', () => {
    const config = parseSweepConfig(minimal({ seed: null, project: null, command: null }));
    expect(config).not.toHaveProperty('seed');
    expect(config).not.toHaveProperty('project');
    expect(config).not.toHaveProperty('command');
  });
});

describe('values of the top-level keys', () => {
  it.each([
    ['main_script_name', '', /it is empty/],
    ['main_script_name', '   ', /not a non-empty string/],
    ['main_script_name', 3, /it is 3, not a non-empty string/],
    ['max_runs', 0, /it is 0, not a positive integer/],
    ['max_runs', 2.5, /not a positive integer/],
    ['max_runs', '100', /it is "100", not a positive integer/],
    ['early_stopping', 'yes', /it is "yes", not true or false/],
    ['early_stopping_patience', 0, /not a positive integer/],
    ['optimization_metric', '', /it is empty/],
    ['optimization_goal', 'maximize', /not "max" or "min"/],
    ['method', 'hyperopt', /not "random" or "grid" or "tpe" or "bayes"/],
    ['seed', -1, /not a non-negative integer/],
    ['seed', 1.5, /not a non-negative integer/],
    ['seed', 2 ** 53, /not a non-negative integer/],
    ['command', [], /it is empty/],
    ['command', ['python', ''], /it is empty/],
    ['early_stopping_grace_seconds', 0, /not a positive number of seconds/],
    ['early_stopping_grace_seconds', -5, /not a positive number of seconds/],
    ['hyperparameters', {}, /it is empty/],
    ['hyperparameters', [], /it is an array, not an object/],
    ['project', '___', /cannot name a project.*file name/],
  ])('rejects %s = %j', (key, value, message) => {
    const error = rejection({ ...original(), [key]: value });
    expect(error.parameter).toMatch(new RegExp(`^experiment_cfg\\.json: ${key}(\\[\\d+\\])?$`));
    expect(error.message).toMatch(message);
  });

  it('says how to fix a goal written in another case', () => {
    expect(rejection({ ...original(), optimization_goal: 'MAX' }).message).toMatch(
      /Did you mean "max"\?/,
    );
  });

  it('suggests the argv when command is written as one string', () => {
    const error = rejection(minimal({ command: 'python3 -u' }));
    expect(error.message).toContain('["python3","-u"]');
  });

  it('rejects a configuration that is not an object, naming the file', () => {
    const error = rejection([original()], 'sweeps/a.json');
    expect(error.parameter).toBe('sweeps/a.json');
    expect(error.message).toMatch(/it is an array, not a JSON object/);
  });

  it('reads every extension', () => {
    const config = parseSweepConfig(
      minimal({
        method: 'grid',
        hyperparameters: { depth: { type: 'int_uniform', min: 2, max: 4 } },
        seed: 0,
        command: ['uv', 'run'],
        project: 'soil-carbon/2024',
        early_stopping_grace_seconds: 2.5,
      }),
    );
    expect(config).toMatchObject({
      method: 'grid',
      seed: 0,
      command: ['uv', 'run'],
      project: 'soil-carbon/2024',
      earlyStoppingGraceSeconds: 2.5,
    });
  });
});

describe('hyperparameters', () => {
  it.each([
    [{ type: 'uniform', min: -1, max: 1 }],
    [{ type: 'log_uniform', min: 1e-6, max: 1 }],
    [{ type: 'int_uniform', min: 3, max: 3 }],
    [{ type: 'int_uniform', min: -5, max: 5 }],
    [{ type: 'choice', candidates: ['adam', 0.5, true] }],
  ])('accepts %j', (spec) => {
    expect(parseSweepConfig(withHyperparameter(spec)).hyperparameters.x).toEqual(spec);
  });

  it.each([
    ['uniform with min = max', { type: 'uniform', min: 1, max: 1 }, 'x.max', /not above min \(1\)/],
    ['uniform with min > max', { type: 'uniform', min: 2, max: 1 }, 'x.max', /swap them/],
    ['uniform without max', { type: 'uniform', min: 0 }, 'x.max', /it is missing/],
    ['a quoted bound', { type: 'uniform', min: '1e-5', max: 1 }, 'x.min', /without quotes/],
    ['a non-finite bound', { type: 'uniform', min: 0, max: Infinity }, 'x.max', /finite number/],
    ['an overflowing width', { type: 'uniform', min: -1e308, max: 1e308 }, 'x.max', /too wide/],
    ['log_uniform from 0', { type: 'log_uniform', min: 0, max: 1 }, 'x.min', /above 0/],
    ['log_uniform below 0', { type: 'log_uniform', min: -1, max: 1 }, 'x.min', /above 0/],
    ['log_uniform min = max', { type: 'log_uniform', min: 1, max: 1 }, 'x.max', /not above/],
    ['int_uniform with a fraction', { type: 'int_uniform', min: 1.5, max: 4 }, 'x.min', /integer/],
    ['int_uniform min > max', { type: 'int_uniform', min: 5, max: 4 }, 'x.max', /at least min/],
    ['an unsafe integer', { type: 'int_uniform', min: 0, max: 2 ** 60 }, 'x.max', /exactly/],
    ['an empty choice', { type: 'choice', candidates: [] }, 'x.candidates', /it is empty/],
    ['a choice of one value', { type: 'choice', candidates: 4 }, 'x.candidates', /not an array/],
    ['a null candidate', { type: 'choice', candidates: [1, null] }, 'x.candidates[1]', /"none"/],
    ['a list candidate', { type: 'choice', candidates: [[1, 2]] }, 'x.candidates[0]', /array/],
    [
      'a repeated candidate',
      { type: 'choice', candidates: [1, 2, 1] },
      'x.candidates[2]',
      /repeats candidates\[0\] \(1\)/,
    ],
    ['an unknown type', { type: 'normal', min: 0, max: 1 }, 'x.type', /"uniform", "log_u/],
    ['no type', { min: 0, max: 1 }, 'x.type', /it is missing/],
    ['a spec that is a number', 0.1, 'x', /not an object/],
  ])('rejects %s', (_, spec, key, message) => {
    const error = rejection(withHyperparameter(spec));
    expect(error.parameter).toBe(`experiment_cfg.json: hyperparameters.${key}`);
    expect(error.message).toMatch(message);
  });

  it('tells apart the number 1 and the string "1" as candidates', () => {
    const spec = { type: 'choice', candidates: [1, '1', true, 'true'] };
    expect(parseSweepConfig(withHyperparameter(spec)).hyperparameters.x).toEqual(spec);
  });

  it('suggests the type meant by a misspelt one', () => {
    const error = rejection(withHyperparameter({ type: 'loguniform', min: 1, max: 2 }));
    expect(error.message).toMatch(/Did you mean "log_uniform"\?/);
  });

  it.each(['learning_rate', 'model.lr', 'drop-out', '_x', 'A1'])(
    'accepts %j as a name (a command-line flag)',
    (name) => {
      const config = parseSweepConfig(
        minimal({ hyperparameters: { [name]: { type: 'uniform', min: 0, max: 1 } } }),
      );
      expect(Object.keys(config.hyperparameters)).toEqual([name]);
    },
  );

  it.each([
    ['learning rate', 'hyperparameters["learning rate"]', '"learning_rate"'],
    ['1st', 'hyperparameters["1st"]', '"_1st"'],
    ['--lr', 'hyperparameters["--lr"]', '"_--lr"'],
    ['__proto__', 'hyperparameters.__proto__', '"proto"'],
  ])('rejects %j as a name, suggesting a usable one', (name, key, suggestion) => {
    const hyperparameters = JSON.parse(
      `{${JSON.stringify(name)}: {"type": "uniform", "min": 0, "max": 1}}`,
    ) as unknown;
    const error = rejection(minimal({ hyperparameters }));
    expect(error.parameter).toBe(`experiment_cfg.json: ${key}`);
    expect(error.message).toMatch(/cannot be a command-line flag/);
    expect(error.message).toContain(`e.g. ${suggestion}`);
  });

  it('names a key of another type as belonging to it', () => {
    const error = rejection(
      withHyperparameter({ type: 'uniform', min: 0, max: 1, candidates: [] }),
    );
    expect(error.parameter).toBe('experiment_cfg.json: hyperparameters.x.candidates');
    expect(error.message).toMatch(/belongs to "choice", not to "uniform"/);
  });
});

describe('unknown keys', () => {
  it.each([
    ['max_run', 'max_runs'],
    ['earlystopping_patience', 'early_stopping_patience'],
    ['optimisation_metric', 'optimization_metric'],
    ['Seed', 'seed'],
  ])('suggests the key that %s misspells', (typo, key) => {
    // The typo stands in for the key: the original has it misspelt, not twice.
    const error = rejection({ ...without(original(), key), [typo]: 1 });
    expect(error.parameter).toBe(`experiment_cfg.json: ${typo}`);
    expect(error.message).toContain(`Did you mean "${key}"?`);
  });

  it('lists the known keys when none is close', () => {
    const error = rejection({ ...original(), notes: 'first try' });
    expect(error.parameter).toBe('experiment_cfg.json: notes');
    expect(error.message).toMatch(/Remove it, or use one of: main_script_name, command, /);
  });

  it('suggests the key of a hyperparameter that a typo misspells', () => {
    const error = rejection(withHyperparameter({ type: 'choice', candidate: [1, 2] }));
    expect(error.message).toContain(
      'experiment_cfg.json: hyperparameters.x.candidate: it is not a key of a hyperparameter',
    );
    expect(error.message).toContain('Did you mean "candidates"?');
  });
});

describe('all problems at once', () => {
  it('lists every problem in one error, the first naming its key as the parameter', () => {
    const config = {
      ...original(),
      max_runs: 0,
      hyperparameters: {
        learning_rate: { type: 'uniform', min: 1e-2, max: 1e-5 },
        batch_size: { type: 'choice', candidates: [] },
      },
      max_run: 10,
    };
    const error = rejection(without(config, 'optimization_goal'));
    expect(error.parameter).toBe('experiment_cfg.json: max_run');
    const [first, ...lines] = error.message.split('\n');
    expect(first).toMatch(/^Invalid experiment_cfg\.json: max_run: .*and 4 more problems/);
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}- experiment_cfg\.json: max_run: .*Did you mean "max_runs"/),
      expect.stringMatching(/hyperparameters\.learning_rate\.max: it is 0\.00001, not above min/),
      expect.stringMatching(/hyperparameters\.batch_size\.candidates: it is empty/),
      expect.stringMatching(/max_runs: it is 0, not a positive integer/),
      expect.stringMatching(/optimization_goal: it is missing, and early_stopping is true/),
    ]);
  });

  it('names the file as the caller gave it', () => {
    const error = rejection({ ...original(), max_runs: -1 }, 'sweeps/b/experiment_cfg.json');
    expect(error.parameter).toBe('sweeps/b/experiment_cfg.json: max_runs');
    expect(error.message).toMatch(/^Invalid sweeps\/b\/experiment_cfg\.json: max_runs: it is -1/);
  });
});

describe('grid sweeps', () => {
  it('accepts choices and integer ranges', () => {
    const config = parseSweepConfig(
      minimal({
        method: 'grid',
        hyperparameters: {
          optimizer: { type: 'choice', candidates: ['adam', 'sgd'] },
          depth: { type: 'int_uniform', min: 1, max: 10_000 },
        },
      }),
    );
    expect(config.method).toBe('grid');
  });

  it.each([
    ['uniform', { type: 'uniform', min: 0, max: 1 }, '[0,0.5,1]'],
    ['log_uniform', { type: 'log_uniform', min: 1e-4, max: 1 }, '[0.0001,0.01,1]'],
  ])('rejects %s, suggesting a choice of values', (_, spec, candidates) => {
    const error = rejection(withHyperparameter(spec, { method: 'grid' }));
    expect(error.parameter).toBe('experiment_cfg.json: hyperparameters.x.type');
    expect(error.message).toMatch(/a continuous range that a grid cannot enumerate/);
    expect(error.message).toContain(`{"type": "choice", "candidates": ${candidates}}`);
    expect(error.message).toMatch(/or set method to "random"/);
  });

  it('rejects an integer range of more than 10,000 values', () => {
    const error = rejection(
      withHyperparameter({ type: 'int_uniform', min: 0, max: 10_000 }, { method: 'grid' }),
    );
    expect(error.parameter).toBe('experiment_cfg.json: hyperparameters.x');
    expect(error.message).toMatch(/has 10001 values, more than a grid enumerates \(10000\)/);
  });
});

describe('reading files', () => {
  async function written(name: string, text: string): Promise<string> {
    const path = join(folder, name);
    await writeFile(path, text);
    return path;
  }

  it.each([
    ['a missing comma', '{\n  "main_script_name": "t.py"\n  "max_runs": 3\n}', '"\\""', 3, 3],
    ['a trailing comma', '{\n  "max_runs": 3,\n}', '"}"', 3, 1],
    ['a misspelt literal', '{\n  "early_stopping": ture\n}', '"t"', 2, 21],
    ['single quotes', "{\n\n    'max_runs': 3}", '"\'"', 3, 5],
    ['a comment', '{\n  // runs\n  "max_runs": 3\n}', '"/"', 2, 3],
    ['a line break in a string', '{"main_script_name": "t\n.py"}', '"\\n"', 1, 24],
    ['a bad escape', '{"main_script_name": "C:\\data"}', '"\\\\"', 1, 25],
  ])('names the line and column of %s', async (_, text, character, line, column) => {
    const path = await written('syntax.json', text);
    const error = await readRejection(path);
    expect(error.parameter).toBe(path);
    expect(error.message).toContain(
      `it is not valid JSON: unexpected ${character} at line ${line}, column ${column}`,
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('says where a truncated file ends', async () => {
    const path = await written('truncated.json', '{\n  "max_runs": 3,\n  "hyper');
    expect((await readRejection(path)).message).toContain(
      'it ends before the JSON does (line 3, column 9)',
    );
  });

  it('says when the file is empty', async () => {
    const path = await written('empty.json', '\n');
    expect((await readRejection(path)).message).toContain('the file is empty');
  });

  it('names a file that does not exist', async () => {
    const path = join(folder, 'absent.json');
    const error = await readRejection(path);
    expect(error.parameter).toBe(path);
    expect(error.message).toMatch(/there is no such file/);
  });

  it('names the file in the problems of its content', async () => {
    const path = await written('bad.json', JSON.stringify({ ...original(), max_runs: 0 }));
    expect((await readRejection(path)).parameter).toBe(`${path}: max_runs`);
  });
});

describe('sweepConfigToJson', () => {
  it('writes the original format back with the original keys', async () => {
    const config = await readSweepConfig(ORIGINAL_EXAMPLE);
    expect(sweepConfigToJson(config)).toEqual({
      ...original(),
      method: 'random',
      early_stopping_grace_seconds: 10,
    });
  });

  it.each([
    ['the original example', original()],
    [
      'every extension',
      minimal({
        method: 'grid',
        hyperparameters: {
          optimizer: { type: 'choice', candidates: ['adam', 'sgd', true, 0.5] },
          depth: { type: 'int_uniform', min: -2, max: 4 },
        },
        seed: 9007199254740991,
        command: ['uv', 'run'],
        project: 'soil carbon',
        optimization_metric: 'RMSE',
        optimization_goal: 'min',
        early_stopping_patience: 3,
        early_stopping_grace_seconds: 0.5,
      }),
    ],
    [
      'every distribution',
      minimal({
        hyperparameters: {
          a: { type: 'uniform', min: -1.5, max: 1e-300 },
          b: { type: 'log_uniform', min: 1e-300, max: 1e300 },
          c: { type: 'int_uniform', min: -9007199254740991, max: 9007199254740991 },
        },
      }),
    ],
  ])('round-trips %s through JSON and parseSweepConfig', (_, input) => {
    const config = parseSweepConfig(input);
    const text = JSON.stringify(sweepConfigToJson(config));
    const back = parseSweepConfig(JSON.parse(text));
    expect(back).toEqual(config);
    expect(Object.keys(back.hyperparameters)).toEqual(Object.keys(config.hyperparameters));
  });
});

// A trial passes its values on its command line: a value no argv can carry would be accepted
// here and then fail every trial of the sweep, so the configuration refuses it.
describe('values that must fit on a command line', () => {
  const NUL = 'a\u0000b';
  const HUGE = 'x'.repeat(300 * 1024);

  it.each([
    [
      'a NUL in a candidate',
      { hyperparameters: { lr: { type: 'choice', candidates: [0.1, 'adam', NUL] } } },
      'hyperparameters.lr.candidates[2]',
      /NUL character.*at character 1/,
    ],
    [
      'a 300 KB candidate',
      { hyperparameters: { lr: { type: 'choice', candidates: [HUGE] } } },
      'hyperparameters.lr.candidates[0]',
      /it is 307200 bytes long, more than 4096/,
    ],
    [
      'a candidate of 4097 bytes in 2049 characters',
      { hyperparameters: { lr: { type: 'choice', candidates: [`${'é'.repeat(2048)}x`] } } },
      'hyperparameters.lr.candidates[0]',
      /4097 bytes/,
    ],
    ['a NUL in command', { command: ['uv', NUL] }, 'command[1]', /NUL character/],
    ['a 300 KB command argument', { command: [HUGE] }, 'command[0]', /307200 bytes/],
    ['a NUL in main_script_name', { main_script_name: `t${NUL}.py` }, 'main_script_name', /NUL/],
    [
      'a 300 KB hyperparameter name',
      { hyperparameters: { [`n${'a'.repeat(300 * 1024)}`]: { type: 'uniform', min: 0, max: 1 } } },
      /^hyperparameters\.na+/,
      /307201 bytes/,
    ],
  ])('refuses %s, naming its key path and the fix', (_, change, key, message) => {
    const error = rejection(minimal(change));
    const parameter = error.parameter.replace(/^experiment_cfg\.json: /, '');
    if (typeof key === 'string') expect(parameter).toBe(key);
    else expect(parameter).toMatch(key);
    expect(error.message).toMatch(message);
    // The fix says what to do instead.
    expect(error.message).toMatch(/file|Remove|short/);
  });

  it('accepts a candidate of exactly 4096 bytes', () => {
    const value = 'y'.repeat(4096);
    const spec = { type: 'choice', candidates: [value] };
    expect(parseSweepConfig(withHyperparameter(spec)).hyperparameters.x).toEqual(spec);
  });

  it('refuses a configuration whose longest trial command line passes 1 MiB', () => {
    const hyperparameters = Object.fromEntries(
      Array.from({ length: 300 }, (_, index) => [
        `h${index}`,
        { type: 'choice', candidates: ['short', 'z'.repeat(4000)] },
      ]),
    );
    const error = rejection(minimal({ hyperparameters }));
    expect(error.parameter).toBe('experiment_cfg.json: hyperparameters');
    expect(error.message).toMatch(/command line .* (\d+) bytes.*1048576/);
  });
});

// Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms. A
// grace period past that would SIGKILL a stopped trial at once instead of never.
describe('early_stopping_grace_seconds, which reaches a timer', () => {
  it.each([1e300, 3601, 2 ** 31])('refuses %d, naming the maximum', (seconds) => {
    const error = rejection(minimal({ early_stopping_grace_seconds: seconds }));
    expect(error.parameter).toBe('experiment_cfg.json: early_stopping_grace_seconds');
    expect(error.message).toMatch(/at most 3600/);
  });

  it('accepts 3600 (one hour)', () => {
    const config = parseSweepConfig(minimal({ early_stopping_grace_seconds: 3600 }));
    expect(config.earlyStoppingGraceSeconds).toBe(3600);
  });
});
