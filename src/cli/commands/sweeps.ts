import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { listSweeps, type SweepSummary } from '../../sweeps/list-sweeps.js';
import type { OnSkipped } from '../../skipped-files.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';
import { formatNumber, printTable } from '../_table.js';

/** Options of {@link sweepsCommand}. */
export interface SweepsCommandOptions extends CommandOptions {
  project?: string | undefined;
  /** Told of each file that could not be read. */
  onSkipped?: OnSkipped;
}

/** `ml-tracking sweeps`: the sweeps, newest first, with their progress and best trial. */
export function sweepsCommand(options: SweepsCommandOptions = {}): Promise<SweepSummary[]> {
  return withCommandStore(
    options,
    (store) =>
      listSweeps({
        store,
        ...(options.project !== undefined && { project: options.project }),
        ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }),
      }),
    { existing: true },
  );
}

export const sweepsCli = defineCliCommand({
  meta: {
    name: 'sweeps',
    description: COMMAND_DESCRIPTIONS.sweeps,
  },
  args: {
    project: { type: 'string', description: 'Only this project' },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) =>
    sweepsCommand({
      project: args.project,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    }),
  render: (sweeps, output) => {
    if (sweeps.length === 0) {
      output.line('No sweeps.');
      return;
    }
    printTable(
      output,
      ['sweep_id', 'project', 'trials', 'done', 'running', 'metric', 'best', 'best trial'],
      sweeps.map(({ description, counts, best }) => [
        description.sweepId,
        description.project,
        String(description.trialCount),
        String(counts.finished + counts.failed + counts.early_stopped),
        String(counts.running),
        (description.config.optimization_metric as string | undefined) ?? '-',
        formatNumber(best?.best),
        best === undefined ? '-' : String(best.trial),
      ]),
    );
  },
});
