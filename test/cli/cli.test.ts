import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { logFlags } from '../support/log-flags.js';
import { cli as runInProcess } from './_in-process.js';

// In-process: the exit codes are runCli's; cli-process.test.ts checks a real process's.
const cli = (args: string[], cwd: string) => runInProcess(args, { cwd });

describe('ml-tracking CLI', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-cli-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('--help lists every command, and each command has --help with --store', async () => {
    const help = await cli(['--help'], cwd);
    expect(help.code).toBe(0);
    for (const command of [
      'demo',
      'log',
      'new-csv',
      'list',
      'show',
      'check-store',
      'looker',
      'bigquery',
      'gc',
      'migrate',
    ]) {
      expect(help.stdout).toContain(command);
      const own = await cli([command, '--help'], cwd);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain('--store');
    }
  });

  it('new-csv prints the new tracker path; a second call makes the next one', async () => {
    const first = await cli(['new-csv', '--project', 'Soil Carbon', '--kind', 'regression'], cwd);
    expect(first.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(first.stdout.trim()).toBe(`projects/regression/soil-carbon_${today}_1.csv`);
    const second = await cli(['new-csv', '--project', 'Soil Carbon', '--kind', 'regression'], cwd);
    expect(second.stdout.trim()).toBe(`projects/regression/soil-carbon_${today}_2.csv`);
  });

  it('log records a CSV of predictions; list --trackers counts it; show prints it', async () => {
    const predictions = join(cwd, 'predictions.csv');
    await writeFile(predictions, 'sample_id,y_true,y_pred\nA,1,1\nB,0,1\nC,1,1\nD,0,0\n');
    const logged = await cli(
      [
        'log',
        '--kind',
        'classification',
        '--project',
        'cli test',
        '--predictions',
        predictions,
        '--dataset-uri',
        'file:///d.csv',
        '--target-column',
        'y',
        '--model',
        'LogisticRegression',
        '--params',
        '{"C":1}',
        '--extra',
        '{"note":"=cmd"}',
        '--no-plots',
      ],
      cwd,
    );
    expect(logged.stderr).toBe('');
    expect(logged.code).toBe(0);
    const predictionId = /prediction id\s+(\S+)/.exec(logged.stdout)?.[1] ?? '';

    const store = await openStore(join(cwd, 'ml-tracking'));
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const [row] = parse<Record<string, string>>(
      await store.readText(`projects/classification/cli-test_${today}_1.csv`),
      { columns: true },
    );
    expect(row).toMatchObject({
      prediction_id: predictionId,
      model: 'LogisticRegression',
      hyperparameters: '{"C":1}',
      overall_accuracy: '0.75',
      n_classes: '2',
      plot_confusion_matrix: '',
      extra_parameters: '{"note":"=cmd"}',
    });

    const list = await cli(['list', '--trackers', '--project', 'cli test'], cwd);
    expect(list.stdout).toMatch(
      new RegExp(`projects/classification/cli-test_${today}_1\\.csv\\s+1 row`),
    );

    const show = await cli(['show', predictionId], cwd);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('LogisticRegression');
    expect(show.stdout).toMatch(/overall_accuracy\s+0\.75/);
    // Per class: class 1 was predicted 3 times, 2 of them right, and both of its samples found.
    expect(show.stdout).toMatch(/^\s*class\s+precision\s+recall\b/m);
    expect(show.stdout).toMatch(/^\s*1\s+0\.6666\d*\s+1\s/m);

    // Prediction ids are written in lower case; one pasted in upper case is the same run.
    const upper = await cli(['show', predictionId.toUpperCase()], cwd);
    expect(upper.stderr).toBe('');
    expect(upper.code).toBe(0);
    expect(upper.stdout).toContain(predictionId);
  });

  const logArgs = (kind: string, project: string, predictions: string, store: string) => [
    'log',
    ...logFlags({ kind, project, predictions, store }),
  ];

  it('log keeps labels as text unless every one reads back as the same integer', async () => {
    const predictions = join(cwd, 'padded-labels.csv');
    // As text, 01 ≠ 1 and 007 ≠ 7: two of the four predictions are right, not all four.
    await writeFile(predictions, 'sample_id,y_true,y_pred\nA,01,1\nB,007,7\nC,1,1\nD,7,7\n');
    const store = join(cwd, 'labels-store');
    const logged = await cli(logArgs('classification', 'labels', predictions, store), cwd);
    expect(logged.stderr).toBe('');
    expect(logged.code).toBe(0);
    expect(logged.stdout).toMatch(/overall_accuracy=0\.50*\s/);
    expect(logged.stdout).toMatch(/n_classes=4\b/);
  });

  it('log rejects a regression cell that is not a decimal number, naming where it is', async () => {
    const predictions = join(cwd, 'hex.csv');
    await writeFile(predictions, 'sample_id,y_true,y_pred\nA,1,1\nB,0x10,16\n');
    const store = join(cwd, 'hex-store');
    const logged = await cli(logArgs('regression', 'hex', predictions, store), cwd);
    expect(logged.code).toBe(2);
    expect(logged.stderr.trim().split('\n')).toHaveLength(1);
    expect(logged.stderr).toMatch(
      /Invalid --predictions: .*hex\.csv, column "y_true", data row 2 \(line 3\): the cell "0x10" is not a decimal number/,
    );
    expect((await (await openStore(store)).list()).objects).toEqual([]);
  });

  it('bad input: one clear line, a non-zero exit, nothing written; --verbose adds the stack', async () => {
    const store = join(cwd, 'untouched');
    const bad = await cli(
      ['new-csv', '--project', '___', '--kind', 'regression', '--store', store],
      cwd,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^ml-tracking: Invalid project: .*letter or digit/);
    expect((await (await openStore(store)).list()).objects).toEqual([]);

    const kind = await cli(['new-csv', '--project', 'p', '--kind', 'clustering'], cwd);
    expect(kind.stderr).toMatch(/Invalid --kind/);
    const scheme = await cli(['list', '--store', 's3://bucket'], cwd);
    expect(scheme.stderr).toMatch(/Invalid store: "s3:" stores are not supported/);
    const verbose = await cli(['list', '--store', 's3://bucket', '--verbose'], cwd);
    expect(verbose.stderr).toMatch(/at .*open-store/);
    const unknown = await cli(['launch'], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "launch"/);
  });
});
