import { defineCommand } from 'citty';
import { RUN_STATUSES, type RunStatus } from '../../layout/tables.js';
import { listRuns } from '../../runs/read-runs.js';
import { ValidationError } from '../../errors.js';
import type { Output } from '../_output.js';
import { stderrOutput, warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';
import { formatDuration, formatTime, printTable } from '../_table.js';

export function runsCommand(output: Output, warnings: Output = stderrOutput) {
  return defineCommand({
    meta: { name: 'runs', description: 'List runs (loggers, exec, sweep trials…), newest first' },
    args: {
      project: { type: 'string', description: 'Only this project' },
      sweep: { type: 'string', description: 'Only the trials of this sweep' },
      status: { type: 'string', description: `Only this status: ${RUN_STATUSES.join(', ')}` },
      json: { type: 'boolean', description: 'Print JSON for scripts' },
      ...storeArg,
    },
    run: async ({ args }) => {
      if (args.status !== undefined && !RUN_STATUSES.includes(args.status as RunStatus)) {
        throw new ValidationError(
          '--status',
          `"${args.status}" is not a run status`,
          `Use one of ${RUN_STATUSES.join(', ')}.`,
        );
      }
      const runs = await listRuns({
        ...(args.store !== undefined && { store: args.store }),
        ...(args.project !== undefined && { project: args.project }),
        ...(args.sweep !== undefined && { sweep: args.sweep }),
        ...(args.status !== undefined && { status: args.status as RunStatus }),
        onSkipped: warnSkipped(warnings),
      });
      if (args.json) {
        output.line(JSON.stringify(runs, null, 2));
        return;
      }
      if (runs.length === 0) {
        output.line('No runs.');
        return;
      }
      const now = Date.now();
      printTable(
        output,
        ['run_id', 'project', 'name', 'status', 'started (UTC)', 'duration', 'tags'],
        runs.map((run) => [
          run.id,
          run.project,
          run.name,
          run.status,
          formatTime(run.startedAt),
          formatDuration(
            (run.endedAt?.getTime() ??
              (run.status === 'running' ? now : run.heartbeatAt.getTime())) -
              run.startedAt.getTime(),
          ),
          String(Object.keys(run.summary).length),
        ]),
      );
    },
  });
}
