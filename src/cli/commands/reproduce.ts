import { constants } from 'node:os';
import { defineCommand } from 'citty';
import { ValidationError } from '../../errors.js';
import { ReproduceError } from '../../experiments/reproduce-error.js';
import { reproduceRun } from '../../experiments/reproduce-run.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { formatNumber, printTable } from '../_table.js';

export function reproduceCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'reproduce',
      description:
        "Re-run a trainModel run from its id, at its recorded commit (in a temporary git worktree when HEAD is another), on its stored data set; prints the new run and each metric's difference",
    },
    args: {
      runId: { type: 'positional', description: 'The trainModel run to reproduce', required: true },
      entry: {
        type: 'string',
        description:
          'The training script that registers the classes (it is imported, so it must train only when run as the main module)',
        valueHint: 'file',
      },
      'allow-dirty': {
        type: 'boolean',
        description:
          'Reproduce in a working tree with uncommitted changes (the new run records git_dirty)',
      },
      json: { type: 'boolean', description: 'Print JSON for scripts' },
      ...storeArg,
    },
    run: async ({ args }) => {
      if (args.entry === undefined || args.entry === '') {
        throw new ValidationError(
          '--entry',
          'missing',
          `Name the training script that registers the run's classes, e.g. ml-tracking reproduce ${args.runId} --entry train.ts`,
        );
      }
      let result;
      try {
        result = await reproduceRun({
          runId: args.runId,
          entry: args.entry,
          allowDirty: args['allow-dirty'] === true,
          ...(args.store !== undefined && { store: args.store }),
          // The training's output is progress: standard output stays this command's report.
          onOutput: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (error) {
        // Ctrl-C: the child was stopped and the worktree removed; exit as a shell expects.
        if (error instanceof ReproduceError && error.interruptedBy !== undefined) {
          process.stderr.write(`ml-tracking: reproduce interrupted by ${error.interruptedBy}\n`);
          return 128 + constants.signals[error.interruptedBy];
        }
        throw error;
      }
      for (const warning of result.warnings)
        process.stderr.write(`ml-tracking: warning: ${warning}\n`);
      if (args.json) {
        output.line(JSON.stringify(result, null, 2));
        return 0;
      }
      const { ranAt } = result;
      output.line(`reproduced run ${args.runId} as run ${result.runId}`);
      output.line(
        ranAt.worktree
          ? `ran at the recorded commit ${ranAt.commit ?? ''} in a temporary git worktree (removed)`
          : `ran in place: ${ranAt.commit === undefined ? 'no git commit was recorded' : `HEAD is the recorded commit ${ranAt.commit}`}`,
      );
      const differences = result.reproduced?.metricDifferences ?? {};
      const metrics = Object.keys(result.metrics).sort();
      printTable(
        output,
        ['metric', 'value', 'difference (new - original)'],
        metrics.map((metric) => [
          metric,
          formatNumber(result.metrics[metric]),
          formatNumber(differences[metric]),
        ]),
      );
      const changed = metrics.filter((metric) => (differences[metric] ?? 0) !== 0);
      const unmatched = metrics.filter((metric) => differences[metric] === undefined);
      output.line(
        changed.length > 0
          ? `${changed.length} of ${metrics.length} metrics differ from the original run's: ${changed.join(', ')}`
          : unmatched.length === 0
            ? "identical: every metric equals the original run's"
            : 'every metric the original run recorded is equal',
      );
      if (unmatched.length > 0)
        output.line(`not recorded by the original run: ${unmatched.join(', ')}`);
      return 0;
    },
  });
}
