import { defineCommand } from 'citty';
import { usageError } from '../_strict-args.js';
import { ValidationError } from '../../errors.js';
import { withStore } from '../../store/with-store.js';
import type { Store } from '../../store/types.js';
import { createSweep } from '../../sweeps/create-sweep.js';
import { getSweep } from '../../sweeps/list-sweeps.js';
import type { SweepEvent } from '../../sweeps/run-trial.js';
import { runSweepAgent } from '../../sweeps/sweep-agent.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { printSweepTrials } from './_sweep-table.js';

export function sweepCommand(output: Output) {
  return defineCommand({
    meta: {
      name: 'sweep',
      description:
        'Run a hyperparameter sweep from experiment_cfg.json; `sweep agent <id>` joins one from any machine, `sweep show <id>` prints its trials',
    },
    args: {
      action: {
        type: 'positional',
        description: 'agent or show (none: create a sweep and run it)',
        required: false,
      },
      sweepId: {
        type: 'positional',
        description: 'The sweep id (for agent and show)',
        required: false,
      },
      config: {
        type: 'string',
        description: 'The configuration file (default experiment_cfg.json)',
      },
      parallel: { type: 'string', description: 'Trials run at once by this process (default 1)' },
      project: {
        type: 'string',
        description: "Project of the trials' runs (default: the config's, else its folder name)",
      },
      'create-only': {
        type: 'boolean',
        description: 'Create the sweep, print its id and run nothing (agents run it)',
      },
      quiet: { type: 'boolean', description: "Do not print the trials' output" },
      json: { type: 'boolean', description: 'Print JSON for scripts (show)' },
      ...storeArg,
    },
    run: ({ args }) => {
      // Every flag is checked before the store is opened: a bad one leaves no sweep behind.
      const parallel = parseParallel(args.parallel);
      return withStore(args.store, async (store) => {
        switch (args.action) {
          case undefined: {
            const description = await createSweep({
              store,
              ...(args.config !== undefined && { config: args.config }),
              ...(args.project !== undefined && { project: args.project }),
            });
            if (args['create-only']) {
              output.line(description.sweepId);
              return 0;
            }
            output.line(
              `sweep ${description.sweepId}: ${description.trialCount} trials, project ${description.project}, ${store.url}`,
            );
            output.line(
              `more machines can join: ml-tracking sweep agent ${description.sweepId} --store ${store.url}`,
            );
            // The script createSweep checked is the one next to the configuration: a file of
            // the same name in the current folder must not run instead.
            return await runAgent(
              output,
              store,
              description.sweepId,
              parallel,
              args.quiet ?? false,
              description.configFolder,
            );
          }
          case 'agent':
            return await runAgent(
              output,
              store,
              requireId(args.sweepId, 'agent'),
              parallel,
              args.quiet ?? false,
            );
          case 'show': {
            const sweep = await getSweep(requireId(args.sweepId, 'show'), { store });
            if (args.json) output.line(JSON.stringify(sweep, null, 2));
            else printSweepTrials(output, sweep);
            return 0;
          }
          default:
            throw usageError(
              `unknown sweep action "${args.action}": use agent or show, or none to run a new sweep`,
            );
        }
      });
    },
  });
}

/** `--parallel`: how many trials this process runs at once. */
function parseParallel(text: string | undefined): number {
  if (text === undefined) return 1;
  // Digits only: Number() would also read "0x10", "1e3" and " ".
  const parallel = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(parallel) || parallel < 1) {
    throw new ValidationError(
      '--parallel',
      `${JSON.stringify(text)} is not a positive whole number`,
      'Give how many trials to run at once, e.g. --parallel 2.',
    );
  }
  return parallel;
}

function requireId(sweepId: string | undefined, action: string): string {
  if (sweepId === undefined) {
    throw new ValidationError(
      'sweepId',
      'missing',
      `Give the sweep's id: ml-tracking sweep ${action} <sweep-id> (ml-tracking sweeps lists them).`,
    );
  }
  return sweepId;
}

async function runAgent(
  output: Output,
  store: Store,
  sweepId: string,
  parallel: number,
  quiet: boolean,
  cwd?: string,
): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    // A second Ctrl-C does not wait for the trials to close.
    if (interrupts > 1) process.exit(130);
    output.line(`ml-tracking: ${signal}: stopping the running trials (Ctrl-C again to quit now)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await runSweepAgent({
      store,
      sweepId,
      parallel,
      ...(cwd !== undefined && { cwd }),
      signal: controller.signal,
      onEvent: (event) => {
        printEvent(output, event, quiet);
      },
    });
    const counts = new Map<string, number>();
    for (const trial of report.trials)
      counts.set(trial.status, (counts.get(trial.status) ?? 0) + 1);
    const summary = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
    output.line(
      `agent done: ${report.trials.length} trials run here${summary ? ` (${summary})` : ''}; ml-tracking sweep show ${sweepId}`,
    );
    return report.interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printEvent(output: Output, event: SweepEvent, quiet: boolean): void {
  switch (event.type) {
    case 'trial-started': {
      output.line(
        `[trial ${event.trial}] started run ${event.runId} ${JSON.stringify(event.values)}`,
      );
      return;
    }
    case 'trial-ended': {
      output.line(
        `[trial ${event.trial}] ${event.status}${event.best === undefined ? '' : `, best ${event.best}`}${event.error === undefined ? '' : `: ${event.error}`}`,
      );
      return;
    }
    case 'output':
      if (!quiet) output.line(`[trial ${event.trial}] ${event.line}`);
      return;
    case 'warning': {
      output.line(`[trial ${event.trial}] warning: ${event.message}`);
      return;
    }
    case 'waiting':
      return;
  }
}
