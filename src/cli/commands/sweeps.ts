import { defineCommand } from 'citty';
import { listSweeps } from '../../sweeps/list-sweeps.js';
import type { Output } from '../_output.js';
import { stderrOutput, warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';
import { formatNumber, printTable } from '../_table.js';

export function sweepsCommand(output: Output, warnings: Output = stderrOutput) {
  return defineCommand({
    meta: {
      name: 'sweeps',
      description: 'List sweeps, newest first, with their progress and best trial',
    },
    args: {
      project: { type: 'string', description: 'Only this project' },
      json: { type: 'boolean', description: 'Print JSON for scripts' },
      ...storeArg,
    },
    run: async ({ args }) => {
      const sweeps = await listSweeps({
        ...(args.store !== undefined && { store: args.store }),
        ...(args.project !== undefined && { project: args.project }),
        onSkipped: warnSkipped(warnings),
      });
      if (args.json) {
        output.line(JSON.stringify(sweeps, null, 2));
        return;
      }
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
}
