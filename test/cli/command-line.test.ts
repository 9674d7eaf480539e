// The command line as runCli reads it, in-process; cli-process.test.ts has what needs a process.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFlags } from '../support/log-flags.js';
import { cli as runInProcess, type CliResult } from './_in-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (args: string[], cwd: string) => runInProcess(args, { cwd });

/** The one line a usage error prints, with the exit code and what stdout got. */
function expectUsageError(result: CliResult, line: string | RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
}

describe('ml-tracking command line', () => {
  let cwd: string;
  let predictions: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-command-line-'));
    predictions = join(cwd, 'predictions.csv');
    await writeFile(predictions, 'sample_id,y_true,y_pred\nA,1,1\nB,0,1\n');
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  const logArgs = (store: string) => ['log', ...logFlags({ project: 'typos', predictions, store })];

  it('log rejects a misspelt flag, names the closest one, and writes nothing', async () => {
    const store = join(cwd, 'typo-store');
    const paramz = await cli([...logArgs(store), '--paramz', '{"a":1}'], cwd);
    expectUsageError(
      paramz,
      'ml-tracking: unknown flag --paramz for "log"; did you mean --params?',
    );
    // A transposition is one typo, and `--flag=value` is checked like `--flag value`.
    const modle = await cli([...logArgs(store), '--modle=RandomForest'], cwd);
    expectUsageError(modle, 'ml-tracking: unknown flag --modle for "log"; did you mean --model?');
    expect(existsSync(store)).toBe(false);
  });

  it('every command rejects an unknown flag with the closest known one', async () => {
    const store = join(cwd, 'never-created');
    const cases: [string[], string, string][] = [
      [['demo'], '--stor', '--store'],
      [['new-csv', '--kind', 'regression', '--project', 'p'], '--projetc', '--project'],
      [['list'], '--projects', '--project'],
      [['show', '00000000-0000-4000-8000-000000000000'], '--sotre', '--store'],
      [['check-store'], '--verbos', '--verbose'],
      [['looker', '--template', 'abc'], '--nmae', '--name'],
      [['bigquery', '--dataset', 'd'], '--datset', '--dataset'],
      [['gc'], '--aply', '--apply'],
      [['log'], '--no-plot', '--no-plots'],
    ];
    const results = await Promise.all(
      cases.map(([args, flag]) => cli([...args, '--store', store, flag], cwd)),
    );
    results.forEach((result, index) => {
      const [[command], flag, closest] = cases[index]!;
      expectUsageError(
        result,
        `ml-tracking: unknown flag ${flag} for "${command}"; did you mean ${closest}?`,
      );
    });
    expect(existsSync(store)).toBe(false);
  });

  it('accepts what citty accepts: --no-<boolean>, --flag=value, camelCase, --verbose, -h', async () => {
    const store = join(cwd, 'forms-store');
    const logged = await cli(
      [...logArgs(store), '--params={"C":1}', '--targetColumn', 'y2', '--plots=false', '--verbose'],
      cwd,
    );
    expect(logged.stderr).toBe('');
    expect(logged.code).toBe(0);
    const help = await cli(['show', '-h'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('PREDICTIONID');
    expect(help.stdout).toContain('--verbose');
  });

  it('rejects --no- on a flag that is not a boolean, a flag without its value, and stray arguments', async () => {
    expectUsageError(
      await cli(['list', '--no-project'], cwd),
      /unknown flag --no-project for "list"/,
    );
    expectUsageError(
      await cli(['list', '--project'], cwd),
      'ml-tracking: flag --project of "list" needs a value',
    );
    expectUsageError(
      await cli(['list', 'soil'], cwd),
      'ml-tracking: unexpected argument "soil" for "list", which takes none',
    );
    expectUsageError(
      await cli(['show', 'a', 'b'], cwd),
      'ml-tracking: unexpected argument "b" for "show", which takes one: <PREDICTIONID>',
    );
    expectUsageError(
      await cli(['lsit'], cwd),
      /^ml-tracking: Unknown command "lsit"\. Did you mean list\?/,
    );
  });

  it('--version and -v print the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const result = await cli([flag], cwd);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('global flags may come before the command', async () => {
    const store = join(cwd, 'global-store');
    const created = await cli(
      ['--store', store, 'new-csv', '--project', 'g', '--kind', 'regression'],
      cwd,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(existsSync(join(store, created.stdout.trim()))).toBe(true);
    // The same as with --store after the command, and not what the default store holds.
    const after = await cli(['list', '--store', store], cwd);
    const before = await cli(['--store', store, 'list'], cwd);
    expect(before.stderr).toBe('');
    expect(before.code).toBe(0);
    expect(before.stdout).toBe(after.stdout);
    expect(before.stdout).not.toBe((await cli(['list'], cwd)).stdout);
    const equals = await cli([`--store=${store}`, '--verbose', 'list'], cwd);
    expect(equals.stdout).toBe(after.stdout);
    const verbose = await cli(['--verbose', 'list', '--store', 's3://bucket'], cwd);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/at .*open-store/);
    // Only global flags may come first: a command's own flag there is named as unknown.
    expectUsageError(
      await cli(['--project', 'g', 'list'], cwd),
      /^ml-tracking: unknown flag --project before the command/,
    );
  });

  it("ML Tracking Ops' sweep command line names the command that does it here", async () => {
    expectUsageError(
      await cli(['--run_sweep=True', '--logdir=runs'], cwd),
      "ml-tracking: --run_sweep is ML Tracking Ops' flag; here a sweep is a command: ml-tracking sweep --store runs (run it in the folder of experiment_cfg.json, or add --config PATH)",
    );
    expectUsageError(
      await cli(['--run_sweep', 'True'], cwd),
      /a sweep is a command: ml-tracking sweep --store <store> /,
    );
  });

  it('--json: a failure is one JSON line on stderr, but not for bigquery, whose --json is a type', async () => {
    const failed = await cli(['list', '--json', '--limit', 'ten'], cwd);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe('');
    expect(JSON.parse(failed.stderr)).toMatchObject({
      error: { code: 'ERR_VALIDATION', parameter: '--limit' },
    });
    const bigquery = await cli(
      ['bigquery', '--dataset', 'd', '--store', 'gs://b', '--json', 'xml'],
      cwd,
    );
    expect(bigquery.code).toBe(2);
    expect(bigquery.stderr).toBe(
      'ml-tracking: Invalid --json: "xml" is not a column type. Use STRING or JSON.\n',
    );
  });
});
