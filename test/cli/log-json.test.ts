import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogResult } from '../../src/cli/commands/log.js';
import { openStore } from '../../src/index.js';
import { logFlags } from '../support/log-flags.js';
import { cli as runInProcess } from './_in-process.js';

const cli = (args: string[], cwd: string) => runInProcess(args, { cwd });

describe('ml-tracking log --json', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-log-json-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  const logArgs = (predictions: string, store: string, ...flags: string[]) => [
    'log',
    ...logFlags({ project: 'json run', predictions, store, plots: true }),
    '--json',
    ...flags,
  ];

  it('prints one JSON object: prediction id, project, tracker, scores, files, plots, warnings', async () => {
    const predictions = join(cwd, 'predictions.csv');
    await writeFile(predictions, 'sample_id,y_true,y_pred\nA,1,1\nB,0,1\nC,1,1\nD,0,0\n');
    const store = join(cwd, 'store');
    const result = await cli(logArgs(predictions, store), cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const logged = JSON.parse(result.stdout) as LogResult;
    expect(Object.keys(logged).sort()).toEqual(
      ['files', 'plots', 'predictionId', 'project', 'scores', 'tracker', 'warnings'].sort(),
    );
    expect(logged.project).toBe('json-run');
    expect(logged.warnings).toEqual([]);
    // Every metric of the kind is there; those the run cannot define are null, not missing.
    expect(logged.scores).toMatchObject({ overall_accuracy: 0.75, n_classes: 2 });
    expect(logged.scores.log_loss).toBeNull();
    expect(logged.scores.roc_auc).toBeNull();

    const opened = await openStore(store);
    const [row] = parse<Record<string, string>>(await opened.readText(logged.tracker), {
      columns: true,
    });
    expect(row).toMatchObject({ prediction_id: logged.predictionId, overall_accuracy: '0.75' });
    expect(Object.keys(logged.files).sort()).toEqual(
      ['confusion', 'predictions', 'scoring', 'tracker'].sort(),
    );
    for (const file of [...Object.values(logged.files), ...Object.values(logged.plots)]) {
      expect(await opened.stat(file.path)).toBeDefined();
      expect(file.url).toContain(file.path);
    }
    expect(Object.keys(logged.plots)).toContain('confusion_matrix');
    expect(row!.plot_confusion_matrix).toBe(logged.plots.confusion_matrix!.url);
  });

  it('a warning goes to stderr on one line and into "warnings"; stdout stays the JSON alone', async () => {
    const predictions = join(cwd, 'backwards.csv');
    // p is the probability of class 0, read as that of 1 (the greater label): roc_auc is 0.
    await writeFile(predictions, 'y_true,y_pred,p\n1,1,0.1\n0,0,0.8\n1,1,0.3\n0,0,0.9\n');
    const result = await cli(
      logArgs(predictions, join(cwd, 'store'), '--y-score', 'p', '--no-plots'),
      cwd,
    );
    expect(result.code).toBe(0);
    const logged = JSON.parse(result.stdout) as LogResult;
    expect(logged.scores.roc_auc).toBe(0);
    expect(logged.warnings).toHaveLength(1);
    expect(logged.warnings[0]).toMatch(/^roc_auc is 0\.000, below 0\.5/);
    expect(result.stderr).toBe(`ml-tracking: warning: ${logged.warnings[0]}\n`);
  });

  it('bad input: nothing on stdout, one JSON line on stderr, exit code 2', async () => {
    const predictions = join(cwd, 'bad.csv');
    await writeFile(predictions, 'y_true,y_pred,p\n1,1,2\n');
    const result = await cli(logArgs(predictions, join(cwd, 'store'), '--y-score', 'p'), cwd);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.message).toMatch(
      /column "p", data row 1 \(line 2\): the cell "2" is not a probability/,
    );
  });
});
