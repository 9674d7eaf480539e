import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { checkTypedId, resolveId, RUN_IDS } from '../../_id-prefixes.js';
import { getRun } from '../../runs/read-runs.js';
import type { RunRecord } from '../../runs/run-record.js';
import { reproduceLineIn, type ReproduceLine } from '../../runs/reproduce-line.js';
import { shellCommand } from '../../runs/shell-command.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { formatDuration, formatNumber, formatTime, printTable } from '../_table.js';

/** Options of {@link showRunCommand}. */
export interface ShowRunCommandOptions extends CommandOptions {
  /** The run's id, as `ml-tracking runs` prints it, or its first 8+ characters. */
  runId: string;
}

/** A run's record, and how to run it again (what the dashboard's run page shows too). */
export interface ShownRun extends RunRecord {
  /** The line that runs it again, when anything says how. */
  reproduce?: ReproduceLine;
}

/** `ml-tracking run`: one run's record. */
export function showRunCommand(options: ShowRunCommandOptions): Promise<ShownRun> {
  checkTypedId(RUN_IDS, options.runId, 'runId');
  return withCommandStore(
    options,
    async (store) => {
      const run = await getRun(await resolveId(store, RUN_IDS, options.runId, 'runId'), { store });
      const reproduce = await reproduceLineIn(store, run);
      return reproduce === undefined ? run : { ...run, reproduce };
    },
    { existing: true },
  );
}

export const showRunCli = defineCliCommand({
  meta: {
    name: 'run',
    description: COMMAND_DESCRIPTIONS.run,
  },
  args: {
    runId: {
      type: 'positional',
      description: 'The run id, as ml-tracking runs prints it (or its first 8+ characters)',
      required: true,
    },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  run: (args, { cwd, env }) => showRunCommand({ runId: args.runId, store: args.store, cwd, env }),
  render: (run, output) => {
    printRun(output, run);
  },
});

function printRun(output: Output, run: ShownRun): void {
  const end = run.endedAt ?? (run.status === 'running' ? new Date() : run.heartbeatAt);
  const fields: [string, string | undefined][] = [
    ['run_id', run.id],
    ['project', run.project],
    ['name', run.name],
    ['status', run.status],
    ['origin', run.origin],
    ['started', `${formatTime(run.startedAt)} UTC`],
    ['duration', formatDuration(end.getTime() - run.startedAt.getTime())],
    ['host', run.host],
    ['git', run.gitCommit && `${run.gitCommit}${run.gitDirty ? ' (dirty)' : ''}`],
    ['sweep', run.sweepId && `${run.sweepId} trial ${run.trial ?? '?'}`],
    ['hyperparameters', JSON.stringify(run.hyperparameters)],
    ['command', run.command && shellCommand(run.command)],
    ['directory', run.workingDirectory],
    // The line to run it again, unless it is the command above as it stands.
    [
      'reproduce',
      run.reproduce?.command === (run.command && shellCommand(run.command))
        ? undefined
        : run.reproduce?.command,
    ],
    ['', run.reproduce?.note],
    ['error', run.error],
    ['predictions', run.predictionIds.join(', ') || undefined],
    ['scalars', run.scalarsUri],
    ['log', run.logUri],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  for (const [name, value] of fields) if (value) output.line(`${name.padEnd(width)}  ${value}`);
  const tags = Object.entries(run.summary);
  if (tags.length === 0) return;
  output.line('');
  printTable(
    output,
    ['tag', 'last', 'step', 'min', 'max', 'count'],
    tags.map(([tag, s]) => [
      tag,
      formatNumber(s.last),
      String(s.lastStep),
      formatNumber(s.min),
      formatNumber(s.max),
      String(s.count),
    ]),
  );
}
