import { defineCommand } from 'citty';
import { listPipeline, type PipelineListing } from '../../pipeline/list-pipeline.js';
import type { PipelineMode } from '../../pipeline/pipeline-model.js';
import {
  runPipeline,
  type PipelineEvent,
  type PipelineReport,
} from '../../pipeline/run-pipeline.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { formatDuration, formatNumber, printTable } from '../_table.js';

export function pipelineCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'pipeline',
      description:
        'Run the versions of the model scripts in ml-tracking.pipeline.json: a test (nothing recorded, stops at the first error), or with -r a run per version, resumable and shared by several machines',
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
    async run({ args }) {
      const mode: PipelineMode = args.run ? 'execution' : 'test';
      const common = {
        mode,
        ...(args.config !== undefined && { config: args.config }),
        ...(args.store !== undefined && { store: args.store }),
      };
      if (args.list) {
        const listing = await listPipeline(common);
        if (args.json) output.line(JSON.stringify(listing, null, 2));
        else printListing(output, listing);
        return 0;
      }
      const progress = args.quiet ? () => undefined : progressPrinter(mode);
      const controller = new AbortController();
      let interrupts = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        interrupts += 1;
        if (interrupts > 1) process.exit(130);
        process.stderr.write(
          `ml-tracking: ${signal}: stopping the running version (Ctrl-C again to quit now)\n`,
        );
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const report = await runPipeline({
          ...common,
          rerun: (args.rerun ?? '')
            .split(',')
            .map((each) => each.trim())
            .filter((each) => each !== ''),
          signal: controller.signal,
          onEvent: progress,
        });
        if (args.json) output.line(JSON.stringify(report, null, 2));
        else printReport(output, report);
        if (report.interrupted) return 130;
        const failed = report.versions.some((each) => each.status === 'failed');
        return failed || report.scriptErrors.length > 0 ? 1 : 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  });
}

/** Progress on standard error: one line per version as it starts, changes epoch and ends. */
function progressPrinter(mode: PipelineMode): (event: PipelineEvent) => void {
  const say = (text: string) => process.stderr.write(`${text}\n`);
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
  output.line(
    `${report.mode} mode: ${ran.length} version${ran.length === 1 ? '' : 's'} run${failures > 0 ? `, ${failures} failed` : ''}${report.store === undefined ? ', nothing recorded' : ` into ${report.store}`}${report.interrupted ? ' (interrupted)' : ''}`,
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
