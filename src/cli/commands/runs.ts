import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { RUN_STATUSES, type RunStatus } from '../../layout/tables.js';
import { listRuns } from '../../runs/read-runs.js';
import type { RunRecord } from '../../runs/run-record.js';
import type { OnSkipped } from '../../skipped-files.js';
import { ValidationError } from '../../errors.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import { warnSkipped } from '../_skipped-warnings.js';
import { storeArg } from '../_shared-args.js';
import { formatDuration, formatTime, printTable } from '../_table.js';

/** Options of {@link runsCommand}. */
export interface RunsCommandOptions extends CommandOptions {
  project?: string | undefined;
  /** Only the trials of this sweep. */
  sweep?: string | undefined;
  /** Only runs of this status, as typed. */
  status?: string | undefined;
  /** Told of each file that could not be read. */
  onSkipped?: OnSkipped;
}

/** `ml-tracking runs`: the runs, newest first. */
export function runsCommand(options: RunsCommandOptions = {}): Promise<RunRecord[]> {
  const { status } = options;
  if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) {
    throw new ValidationError(
      '--status',
      `"${status}" is not a run status`,
      `Use one of ${RUN_STATUSES.join(', ')}.`,
    );
  }
  return withCommandStore(
    options,
    (store) =>
      listRuns({
        store,
        // A command is run again and again over one store: the next listing reads only the run
        // files that changed (on GCS, one listing instead of a download per run).
        cache: true,
        ...(options.project !== undefined && { project: options.project }),
        ...(options.sweep !== undefined && { sweep: options.sweep }),
        ...(status !== undefined && { status: status as RunStatus }),
        ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }),
      }),
    { existing: true },
  );
}

export const runsCli = defineCliCommand({
  meta: {
    name: 'runs',
    description: COMMAND_DESCRIPTIONS.runs,
  },
  args: {
    project: { type: 'string', description: 'Only this project' },
    sweep: { type: 'string', description: 'Only the trials of this sweep' },
    status: { type: 'string', description: `Only this status: ${RUN_STATUSES.join(', ')}` },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env, stderr }) =>
    runsCommand({
      project: args.project,
      sweep: args.sweep,
      status: args.status,
      store: args.store,
      cwd,
      env,
      onSkipped: warnSkipped(stderr),
    }),
  render: (runs, output) => {
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
          (run.endedAt?.getTime() ?? (run.status === 'running' ? now : run.heartbeatAt.getTime())) -
            run.startedAt.getTime(),
        ),
        String(Object.keys(run.summary).length),
      ]),
    );
  },
});
