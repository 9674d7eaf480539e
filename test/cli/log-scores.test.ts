import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { logFlags } from '../support/log-flags.js';
import { pairwiseAuc } from '../support/pairwise-auc.js';
import { cli } from './_in-process.js';

/** Mean negative log of the probability given to the true class. */
function logLoss(probabilitiesOfTruth: number[]): number {
  return (
    -probabilitiesOfTruth.reduce((sum, p) => sum + Math.log(p), 0) / probabilitiesOfTruth.length
  );
}

describe('ml-tracking log: class probabilities', () => {
  let folder: string;
  let count = 0;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-log-scores-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  /** `ml-tracking log` in this process on a CSV, and the store it wrote to. */
  async function runLog(text: string, flags: string[], kind: string) {
    const file = join(folder, `predictions-${(count += 1)}.csv`);
    await writeFile(file, text);
    const store = `memory://log-scores-${randomUUID()}`;
    const args = [
      'log',
      ...logFlags({ kind, project: 'scores', predictions: file, store }),
      ...flags,
    ];
    return { result: await cli(args), store };
  }

  /** Runs `log` in this process on a CSV; returns the tracker row, stdout and warnings. */
  async function log(text: string, flags: string[], kind = 'classification') {
    const { result, store } = await runLog(text, flags, kind);
    expect(result.stderr.startsWith('ml-tracking: warning:') || result.stderr === '').toBe(true);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const warnings = result.stderr === '' ? [] : result.stderr.trimEnd().split('\n');
    const opened = await openStore(store);
    const trackers: string[] = [];
    for await (const object of opened.listAll('projects/')) trackers.push(object.path);
    expect(trackers).toHaveLength(1);
    const [row] = parse<Record<string, string>>(await opened.readText(trackers[0]!), {
      columns: true,
    });
    return { row: row!, lines, warnings };
  }

  /** The error `log` refuses a CSV with, as --json reports it: code, message, the flag at fault. */
  async function failure(text: string, flags: string[], kind = 'classification') {
    const { result } = await runLog(text, [...flags, '--json'], kind);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const { error } = JSON.parse(result.stderr) as {
      error: { code: string; message: string; parameter?: string };
    };
    expect(error.code).toBe('ERR_VALIDATION');
    return error;
  }

  // Binary, labels 0/1: p1 is the probability of 1.
  const binary = {
    yTrue: [0, 0, 1, 1, 0, 1],
    yPred: [0, 1, 0, 1, 0, 1],
    p1: [0.1, 0.4, 0.35, 0.8, 0.2, 0.9],
  };
  const binaryCsv = (labels: (value: number) => string, header = 'sample_id,y_true,y_pred,p') =>
    `${header}\n${binary.yTrue
      .map((t, i) => `s${i},${labels(t)},${labels(binary.yPred[i]!)},${binary.p1[i]}`)
      .join('\n')}\n`;
  const auc = pairwiseAuc(
    binary.yTrue.map((t) => t === 1),
    binary.p1,
  );
  const binaryLogLoss = logLoss(
    binary.yTrue.map((t, i) => (t === 1 ? binary.p1[i]! : 1 - binary.p1[i]!)),
  );

  it('binary: one --y-score column is the probability of the greater label', async () => {
    const { row, warnings } = await log(
      binaryCsv((t) => String(t)),
      ['--y-score', 'p'],
    );
    expect(Number(row.roc_auc)).toBeCloseTo(auc, 12);
    expect(Number(row.log_loss)).toBeCloseTo(binaryLogLoss, 12);
    expect(warnings).toEqual([]);
  });

  it('binary text labels: yes is positive over no; --positive-label no reads the column as P(no)', async () => {
    const yesNo = (t: number) => (t === 1 ? 'yes' : 'no');
    const asYes = await log(binaryCsv(yesNo), ['--y-score', 'p']);
    expect(Number(asYes.row.roc_auc)).toBeCloseTo(auc, 12);

    // The same numbers read as the probabilities of "no": the ranking is backwards.
    const asNo = await log(binaryCsv(yesNo), ['--y-score', 'p', '--positive-label', 'no']);
    expect(Number(asNo.row.roc_auc)).toBeCloseTo(1 - auc, 12);
    expect(Number(asNo.row.true_positive_rate)).toBeCloseTo(2 / 3, 12); // recall of "no"
  });

  it('warns on one line when roc_auc < 0.5, naming the column and the positive class', async () => {
    const flipped = binaryCsv((t) => String(t)).replace(
      /,([0-9.]+)$/gm,
      (_, p: string) => `,${String(1 - Number(p))}`,
    );
    const { row, warnings, lines } = await log(flipped, ['--y-score', 'p']);
    expect(Number(row.roc_auc)).toBeLessThan(0.5);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^ml-tracking: warning: roc_auc is 0\.\d+, below 0\.5 .*the column "p" is read as the probability of the positive class, 1,.*--positive-label/,
    );
    expect(warnings[0]).not.toContain('\n');
    expect(lines.join('\n')).toContain('roc_auc=');
  });

  // Three classes; the file lists the probability columns in the order c, a, b.
  const multi = {
    yTrue: ['a', 'b', 'c', 'a', 'b', 'c', 'a'],
    yPred: ['a', 'b', 'b', 'a', 'c', 'c', 'b'],
    // Rows of P(a), P(b), P(c).
    p: [
      [0.7, 0.2, 0.1],
      [0.2, 0.5, 0.3],
      [0.1, 0.6, 0.3],
      [0.5, 0.25, 0.25],
      [0.3, 0.3, 0.4],
      [0.05, 0.15, 0.8],
      [0.4, 0.45, 0.15],
    ],
  };
  const multiCsv = `sample_id,y_true,y_pred,proba_c,proba_a,proba_b\n${multi.yTrue
    .map((t, i) => {
      const [a, b, c] = multi.p[i]!;
      return `s${i},${t},${multi.yPred[i]},${c},${a},${b}`;
    })
    .join('\n')}\n`;
  const classes = ['a', 'b', 'c'];
  const macroAuc =
    classes
      .map((label, c) =>
        pairwiseAuc(
          multi.yTrue.map((t) => t === label),
          multi.p.map((row) => row[c]!),
        ),
      )
      .reduce((sum, value) => sum + value, 0) / classes.length;
  const multiLogLoss = logLoss(multi.yTrue.map((t, i) => multi.p[i]![classes.indexOf(t)]!));

  it('multiclass: --y-score-prefix reads each column as the class its name ends with, in any order', async () => {
    const { row, warnings } = await log(multiCsv, ['--y-score-prefix', 'proba_']);
    expect(Number(row.roc_auc)).toBeCloseTo(macroAuc, 12);
    expect(Number(row.log_loss)).toBeCloseTo(multiLogLoss, 12);
    expect(warnings).toEqual([]);
  });

  it('multiclass: a comma-separated --y-score list is one column per class in sorted class order', async () => {
    const { row } = await log(multiCsv, ['--y-score', 'proba_a, proba_b,proba_c']);
    expect(Number(row.roc_auc)).toBeCloseTo(macroAuc, 12);
    expect(Number(row.log_loss)).toBeCloseTo(multiLogLoss, 12);

    // The file's own order is not the sorted class order: the scores fall, and log says why.
    const misordered = await log(multiCsv, ['--y-score', 'proba_c,proba_a,proba_b']);
    expect(Number(misordered.row.roc_auc)).toBeLessThan(0.5);
    expect(misordered.warnings).toEqual([
      expect.stringMatching(
        /roc_auc is .*columns are probably out of order; they are read as proba_c="a", proba_a="b", proba_b="c"/,
      ),
    ]);
  });

  it('a prefix may name classes the test set never shows, and integer classes', async () => {
    const text =
      'sample_id,y_true,y_pred,p_0,p_1,p_2,p_3\n' +
      'a,0,0,0.7,0.1,0.1,0.1\nb,1,1,0.1,0.6,0.2,0.1\nc,2,1,0.1,0.5,0.3,0.1\nd,0,2,0.3,0.1,0.5,0.1\n';
    const { row } = await log(text, ['--y-score-prefix', 'p_']);
    expect(Number(row.log_loss)).toBeCloseTo(logLoss([0.7, 0.6, 0.3, 0.3]), 12);
    expect(row.n_classes).toBe('3');

    const named = await failure(text.replace('p_3', 'p_x'), ['--y-score-prefix', 'p_']);
    expect(named.parameter).toBe('--y-score-prefix');
    expect(named.message).toMatch(
      /the column "p_x" names the class "x", but the labels .* are integers/,
    );
  });

  it.each<[string, string, string[], string, RegExp]>([
    [
      'a list with more columns than the run has classes',
      'multi',
      ['--y-score', 'proba_a,proba_b'],
      '--y-score',
      /names 2 columns, but the run has 3 classes \(a, b, c\)/,
    ],
    [
      'one column for three classes',
      'multi',
      ['--y-score', 'proba_a'],
      '--y-score',
      /names one column, "proba_a", which holds the probability of the positive class of a binary problem, but the run has 3 classes/,
    ],
    [
      'a column the file does not have',
      'multi',
      ['--y-score', 'proba_a,proba_b,proba_d'],
      '--y-score',
      /has no column "proba_d"/,
    ],
    [
      'a prefix that no column has',
      'multi',
      ['--y-score-prefix', 'prob_'],
      '--y-score-prefix',
      /has no column whose name starts with "prob_"/,
    ],
    [
      'a prefix that also matches y_true',
      'multi',
      ['--y-score-prefix', 'y_'],
      '--y-score-prefix',
      /"y_" also matches the column "y_true"/,
    ],
    [
      'a class of the run without a prefixed column',
      'no-c',
      ['--y-score-prefix', 'proba_'],
      '--y-score-prefix',
      /no column is named after the class "c"/,
    ],
    [
      'both ways of naming the columns',
      'multi',
      ['--y-score', 'proba_a', '--y-score-prefix', 'proba_'],
      '--y-score-prefix',
      /given together with --y-score/,
    ],
    [
      'a positive label in a multiclass run',
      'multi',
      ['--positive-label', 'a'],
      '--positive-label',
      /applies to binary problems, and this run has 3 classes/,
    ],
    [
      'a positive label that is not a class',
      'binary',
      ['--y-score', 'p', '--positive-label', 'maybe'],
      '--positive-label',
      /"maybe" is not one of the labels, which are integers/,
    ],
  ])('rejects %s, naming the flag', async (_, which, flags, parameter, message) => {
    const text =
      which === 'multi'
        ? multiCsv
        : which === 'binary'
          ? binaryCsv((t) => String(t))
          : multiCsv.replace(',proba_c,', ',other,');
    const error = await failure(text, flags);
    expect(error.parameter).toBe(parameter);
    expect(error.message).toMatch(message);
  });

  it('rejects --y-score and --positive-label for regression', async () => {
    const text = 'sample_id,y_true,y_pred,p\na,1,2,0.5\n';
    expect((await failure(text, ['--y-score', 'p'], 'regression')).message).toMatch(
      /Invalid --y-score: it only applies to classification/,
    );
    expect((await failure(text, ['--positive-label', '1'], 'regression')).parameter).toBe(
      '--positive-label',
    );
  });

  it.each([
    ['1.5', 'the cell "1.5" is not a probability between 0 and 1'],
    ['-0.1', 'the cell "-0.1" is not a probability between 0 and 1'],
    ['50%', 'the cell "50%" is not a decimal number'],
    ['0x1', 'the cell "0x1" is not a decimal number'],
    ['NaN', 'the cell "NaN" is not a decimal number'],
    ['', 'the empty cell is not a decimal number'],
  ])(
    'reads probabilities as decimal numbers from 0 to 1: rejects %j with its column, row and line',
    async (cell, problem) => {
      const text = `sample_id,y_true,y_pred,p\n\na,0,0,0.25\nb,1,1,${cell}\n`;
      const error = await failure(text, ['--y-score', 'p']);
      expect(error.parameter).toBe('--predictions');
      expect(error.message).toContain(`column "p", data row 2 (line 4): ${problem}`);
    },
  );

  it('--help says which class is positive and how the probability columns are read', async () => {
    // Read as one line per flag: the help wraps long descriptions.
    const usage = (await cli(['log', '--help'])).stdout.replace(/\n {2,}(?!-)/g, ' ');
    expect(usage).toContain('--y-score');
    expect(usage).toContain('--y-score-prefix');
    expect(usage).toMatch(/--positive-label.*Default: the greater label/);
    expect(usage).toMatch(/sorted class order/);
  });
});
