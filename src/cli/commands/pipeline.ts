import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { listPipeline, type PipelineListing } from '../../pipeline/list-pipeline.js';
import type { PipelineMode } from '../../pipeline/pipeline-model.js';
import {
  runPipeline,
  type PipelineEvent,
  type PipelineReport,
} from '../../pipeline/run-pipeline.js';
import { commandStoreUrl, defineCliCommand, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { formatDuration, formatNumber, printTable } from '../_table.js';

/** Options of {@link pipelineCommand}. */
export interface PipelineCommandOptions extends CommandOptions {
  /** `execution` records a run per version (`-r`). @default 'test' */
  mode?: PipelineMode;
  /** The configuration file. @default ml-tracking.pipeline.json */
  config?: string | undefined;
  /** Execution mode: `script` or `script:version` to run again, comma-separated. */
  rerun?: string | undefined;
  /** Only read the queue and each version's state; run nothing. @default false */
  list?: boolean | undefined;
  /** Aborting stops the running version; the report says `interrupted`. */
  signal?: AbortSignal;
  /** What the pipeline does as it happens: versions started and ended, epochs, log lines. */
  onEvent?: (event: PipelineEvent) => void;
}

/** What `ml-tracking pipeline` did: the queue (`list`), or the report of a run. */
export type PipelineResult =
  { action: 'list'; listing: PipelineListing } | { action: 'run'; report: PipelineReport };

/** `ml-tracking pipeline`: runs the versions of the model scripts, or lists them. */
export async function pipelineCommand(
  options: PipelineCommandOptions = {},
): Promise<PipelineResult> {
  const common = {
    mode: options.mode ?? 'test',
    ...(options.config !== undefined && { config: options.config }),
    // Test mode opens no store: the URL is passed, and opened only by execution mode.
    store: commandStoreUrl(options),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  };
  if (options.list === true) return { action: 'list', listing: await listPipeline(common) };
  const report = await runPipeline({
    ...common,
    rerun: (options.rerun ?? '')
      .split(',')
      .map((each) => each.trim())
      .filter((each) => each !== ''),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.onEvent !== undefined && { onEvent: options.onEvent }),
  });
  return { action: 'run', report };
}

export const pipelineCli = defineCliCommand({
  meta: {
    name: 'pipeline',
    description: COMMAND_DESCRIPTIONS.pipeline,
  },
  args: {
    run: {
      type: 'boolean',
      alias: 'r',
      description:
        'Execution mode: models.config, a run per version, outputs/log-<host> and output-<host> in the store; finished versions are skipped',
    },
    config: {
      type: 'string',
      description: 'The configuration file (default ml-tracking.pipeline.json)',
    },
    rerun: {
      type: 'string',
      description:
        'With -r: run these again though they ended, e.g. iris_forest:large or iris_forest,other (comma-separated)',
    },
    list: {
      type: 'boolean',
      description: 'Print the queue (scripts, versions, done or not) and run nothing',
    },
    quiet: { type: 'boolean', description: 'No progress on standard error' },
    json: { type: 'boolean', description: 'Print the report (or the --list queue) as JSON' },
    ...storeArg,
  },
  interruptible: true,
  run: (args, { cwd, env, signal, interruptedBy, passthrough }) => {
    const mode: PipelineMode = args.run === true ? 'execution' : 'test';
    // Progress is the versions' own output too: passed on as it is, like exec's.
    const say = (text: string) => {
      passthrough.stderr(`${text}\n`);
    };
    signal.addEventListener('abort', () => {
      say(
        `ml-tracking: ${interruptedBy() ?? 'SIGINT'}: stopping the running version (Ctrl-C again to quit now)`,
      );
    });
    return pipelineCommand({
      mode,
      config: args.config,
      rerun: args.rerun,
      list: args.list,
      store: args.store,
      cwd,
      env,
      signal,
      onEvent: args.quiet === true ? () => undefined : progressPrinter(mode, say),
    });
  },
  json: (result) => (result.action === 'list' ? result.listing : result.report),
  render: (result, output) => {
    if (result.action === 'list') printListing(output, result.listing);
    else printReport(output, result.report);
  },
  exitCode: (result) => {
    if (result.action === 'list') return 0;
    const { report } = result;
    if (report.interrupted) return 'interrupted';
    const failed = report.versions.some((each) => each.status === 'failed');
    return failed || report.scriptErrors.length > 0 ? 1 : 0;
  },
});

/** Progress on standard error: one line per version as it starts, changes epoch and ends. */
function progressPrinter(
  mode: PipelineMode,
  say: (text: string) => void,
): (event: PipelineEvent) => void {
  // An epoch line at most every 2 s: a fast model goes through hundreds a second.
  let lastEpochLine = 0;
  return (event) => {
    switch (event.type) {
      case 'queue':
        say(
          `pipeline (${mode === 'test' ? 'test mode: nothing is recorded' : 'execution mode'}): ${event.scripts.join(', ') || 'nothing'} from ${event.listFile}`,
        );
        return;
      case 'version-started':
        say(
          `${event.script}:${event.version} started${event.runId === undefined ? '' : ` (run ${event.runId})`}`,
        );
        return;
      case 'epoch':
        if (event.epoch < event.epochCount && Date.now() - lastEpochLine < 2000) return;
        lastEpochLine = Date.now();
        say(
          `${event.script}:${event.version} epoch ${event.epoch}/${event.epochCount} (step ${event.step}) ${formatDuration(event.elapsedMs)}`,
        );
        return;
      case 'version-ended':
        say(
          `${event.script}:${event.version} ${event.status} in ${formatDuration(event.elapsedMs)}${event.error === undefined ? '' : `: ${event.error}`} ${formatMetrics(event.metrics)}`.trimEnd(),
        );
        return;
      case 'version-skipped':
        say(
          `${event.script}:${event.version} skipped: it ${event.reason} before (--rerun ${event.script}:${event.version} runs it again)`,
        );
        return;
      case 'script-failed':
        say(`${event.script}: ${event.error}`);
        return;
      case 'output':
        // Execution mode keeps the lines in the store's log; errors are shown either way.
        if (mode === 'test' || event.stream === 'stderr') {
          say(`${event.script}:${event.version} | ${event.line}`);
        }
        return;
      case 'list-changed':
        say(
          `the list changed: added ${event.added.join(', ') || 'none'}, removed ${event.removed.join(', ') || 'none'}`,
        );
        return;
      case 'list-error':
        say(`the list cannot be read (the last good one is kept): ${event.error}`);
        return;
      case 'waiting':
        say(`waiting for other processes running ${event.running.join(', ')}`);
        return;
    }
  };
}

function printReport(output: Output, report: PipelineReport): void {
  printTable(
    output,
    ['script', 'version', 'status', 'seconds', 'run', 'results'],
    report.versions.map((each) => [
      each.script,
      each.version,
      each.status,
      each.seconds === undefined ? '-' : formatNumber(each.seconds),
      each.runId ?? '-',
      each.error ?? formatMetrics(each.metrics),
    ]),
  );
  for (const failed of report.scriptErrors) output.line(`${failed.script}: ${failed.error}`);
  const ran = report.versions.filter(
    (each) => each.status === 'finished' || each.status === 'failed',
  );
  const failures = ran.filter((each) => each.status === 'failed').length;
  // Stopped because another process took them over: run there, neither run nor failed here.
  const lost = report.versions.filter((each) => each.status === 'lost').length;
  output.line(
    `${report.mode} mode: ${ran.length} version${ran.length === 1 ? '' : 's'} run${failures > 0 ? `, ${failures} failed` : ''}${lost > 0 ? `, ${lost} taken over by another process` : ''}${report.store === undefined ? ', nothing recorded' : ` into ${report.store}`}${report.interrupted ? ' (interrupted)' : ''}`,
  );
}

function printListing(output: Output, listing: PipelineListing): void {
  const execution = listing.mode === 'execution';
  output.line(
    `${listing.mode} mode, project ${listing.project}, ${listing.listFile}${execution ? `, ${listing.store ?? ''}` : ' (test mode runs every version and records nothing)'}`,
  );
  const rows: string[][] = [];
  for (const script of listing.scripts) {
    if (script.error !== undefined) {
      rows.push([script.script, '-', '-', '-', '-', ...(execution ? ['cannot load', '-'] : [])]);
      continue;
    }
    for (const version of script.versions) {
      rows.push([
        script.script,
        version.name,
        version.order === undefined ? '-' : String(version.order),
        String(version.epochCount),
        String(version.batchSize),
        ...(execution ? [describeStatus(version.status), version.runId ?? '-'] : []),
      ]);
    }
  }
  printTable(
    output,
    ['script', 'version', 'order', 'epochs', 'batch', ...(execution ? ['state', 'run'] : [])],
    rows,
  );
  for (const script of listing.scripts) {
    if (script.error !== undefined) output.line(`${script.script}: ${script.error}`);
  }
}

const describeStatus = (status: string | undefined): string =>
  status === 'finished' ? 'done' : status === 'failed' ? 'done (failed)' : (status ?? '-');

function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .filter(([name]) => !name.startsWith('stage_seconds/'))
    .slice(0, 4)
    .map(([name, value]) => `${name}=${formatNumber(value)}`)
    .join(' ');
}
