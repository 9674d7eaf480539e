import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { checkTypedId, resolveId, SWEEP_IDS } from '../../_id-prefixes.js';
import { usageError } from '../_strict-args.js';
import { ValidationError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { createSweep } from '../../sweeps/create-sweep.js';
import { getSweep, type SweepSummary } from '../../sweeps/list-sweeps.js';
import type { SweepDescription } from '../../records/sweep-records.js';
import type { SweepEvent } from '../../sweeps/run-trial.js';
import { runSweepAgent, type SweepAgentReport } from '../../sweeps/sweep-agent.js';
import { defineCliCommand, withCommandStore, type CommandOptions } from '../_command.js';
import type { Output } from '../_output.js';
import { storeArg } from '../_shared-args.js';
import { printSweepTrials } from './_sweep-table.js';
import { warnSkipped } from '../_skipped-warnings.js';
import type { OnSkipped } from '../../skipped-files.js';

/** Options of {@link sweepCommand}. */
export interface SweepCommandOptions extends CommandOptions {
  /** `agent` (join a sweep), `show` (its trials), or none (create a sweep and run it). */
  action?: string | undefined;
  /** The sweep, for `agent` and `show`. */
  sweepId?: string | undefined;
  /** The configuration file. @default experiment_cfg.json */
  config?: string | undefined;
  /** Trials run at once by this process, as typed (a positive whole number). @default 1 */
  parallel?: string | undefined;
  /** Project of the trials' runs. @default the configuration's, else its folder's name */
  project?: string | undefined;
  /** Create the sweep and run nothing. @default false */
  createOnly?: boolean | undefined;
  /** Aborting stops the running trials; the result says `interrupted`. */
  signal?: AbortSignal;
  /** What the sweep does as it happens: created, trials started and ended, their output. */
  onEvent?: (event: SweepCommandEvent) => void;
  /** Told of each file `show` could not read (a run record, a trial's progress record). */
  onSkipped?: OnSkipped;
}

/** What `ml-tracking sweep` reports while it runs. */
export type SweepCommandEvent =
  SweepEvent | { type: 'sweep-created'; description: SweepDescription; store: string };

/** What `ml-tracking sweep` did. */
export type SweepResult =
  | { action: 'created'; sweepId: string }
  | { action: 'show'; sweep: SweepSummary }
  | { action: 'agent'; report: SweepAgentReport };

/** `ml-tracking sweep`: creates a sweep and runs it, joins one (`agent`), or reads one (`show`). */
export function sweepCommand(options: SweepCommandOptions): Promise<SweepResult> {
  // Every flag is checked before the store is opened: a bad one leaves no sweep behind.
  const parallel = parseParallel(options.parallel);
  if (options.action !== undefined && options.sweepId !== undefined) {
    checkTypedId(SWEEP_IDS, options.sweepId, 'sweepId');
  }
  const agent = (store: Store, sweepId: string, cwd: string | undefined) =>
    runSweepAgent({
      store,
      sweepId,
      parallel,
      ...(cwd !== undefined && { cwd }),
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.onEvent !== undefined && { onEvent: options.onEvent }),
    });
  return withCommandStore(
    options,
    async (store): Promise<SweepResult> => {
      switch (options.action) {
        case undefined: {
          const description = await createSweep({
            store,
            ...(options.cwd !== undefined && { cwd: options.cwd }),
            ...(options.config !== undefined && { config: options.config }),
            ...(options.project !== undefined && { project: options.project }),
          });
          if (options.createOnly === true)
            return { action: 'created', sweepId: description.sweepId };
          options.onEvent?.({ type: 'sweep-created', description, store: store.url });
          // The script createSweep checked is the one next to the configuration: a file of the
          // same name in the current folder must not run instead.
          return {
            action: 'agent',
            report: await agent(store, description.sweepId, description.configFolder),
          };
        }
        case 'agent':
          return {
            action: 'agent',
            report: await agent(
              store,
              await resolveId(store, SWEEP_IDS, requireId(options.sweepId, 'agent'), 'sweepId'),
              options.cwd,
            ),
          };
        case 'show':
          return {
            action: 'show',
            sweep: await getSweep(
              await resolveId(store, SWEEP_IDS, requireId(options.sweepId, 'show'), 'sweepId'),
              { store, ...(options.onSkipped !== undefined && { onSkipped: options.onSkipped }) },
            ),
          };
        default:
          throw usageError(
            `unknown sweep action "${options.action}": use agent or show, or none to run a new sweep`,
          );
      }
    },
    { existing: options.action !== undefined },
  );
}

export const sweepCli = defineCliCommand({
  meta: {
    name: 'sweep',
    description: COMMAND_DESCRIPTIONS.sweep,
  },
  args: {
    action: {
      type: 'positional',
      description: 'agent or show (none: create a sweep and run it)',
      required: false,
    },
    sweepId: {
      type: 'positional',
      description: 'The sweep id (for agent and show), or its first 8+ characters',
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
  interruptible: true,
  run: (args, { cwd, env, signal, interruptedBy, stdout, stderr }) => {
    const printer = trialPrinter(stdout, args.quiet ?? false);
    signal.addEventListener('abort', () => {
      stdout.line(
        `ml-tracking: ${interruptedBy() ?? 'SIGINT'}: stopping the running trials (Ctrl-C again to quit now)`,
      );
    });
    return sweepCommand({
      action: args.action,
      sweepId: args.sweepId,
      config: args.config,
      parallel: args.parallel,
      project: args.project,
      createOnly: args['create-only'],
      store: args.store,
      cwd,
      env,
      signal,
      onEvent: printer,
      onSkipped: warnSkipped(stderr),
    });
  },
  // Only `show` answers with data; a sweep run here has printed its trials as they went.
  json: (result) => (result.action === 'show' ? result.sweep : undefined),
  render: (result, output) => {
    switch (result.action) {
      case 'created':
        output.line(result.sweepId);
        return;
      case 'show':
        printSweepTrials(output, result.sweep);
        return;
      case 'agent': {
        const { report } = result;
        const counts = new Map<string, number>();
        for (const trial of report.trials)
          counts.set(trial.status, (counts.get(trial.status) ?? 0) + 1);
        const summary = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
        output.line(
          `agent done: ${report.trials.length} trials run here${summary ? ` (${summary})` : ''}; ml-tracking sweep show ${report.sweepId}`,
        );
        return;
      }
    }
  },
  // A sweep whose trials failed here is not a success: scripts and CI must see it.
  exitCode: (result) => {
    if (result.action !== 'agent') return 0;
    if (result.report.interrupted) return 'interrupted';
    return result.report.trials.some((trial) => trial.status === 'failed') ? 1 : 0;
  },
});

/** How many of a trial's last lines of standard error a failure shows under --quiet. */
const FAILED_TRIAL_LINES = 10;

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

/**
 * Prints a sweep's events as they come. Under `--quiet` a trial's output is not printed, but the
 * last lines of its standard error are kept, and shown when it fails: "exited with code 1" alone
 * does not say why.
 */
function trialPrinter(output: Output, quiet: boolean): (event: SweepCommandEvent) => void {
  const stderrTails = new Map<number, string[]>();
  return (event) => {
    if (quiet && event.type === 'output' && event.stream === 'stderr') {
      const tail = stderrTails.get(event.trial) ?? [];
      tail.push(event.line);
      if (tail.length > FAILED_TRIAL_LINES) tail.shift();
      stderrTails.set(event.trial, tail);
    }
    printEvent(output, event, quiet);
    if (event.type !== 'trial-ended') return;
    const tail = stderrTails.get(event.trial) ?? [];
    stderrTails.delete(event.trial);
    if (event.status !== 'failed' || tail.length === 0) return;
    output.line(`[trial ${event.trial}] its last lines of standard error:`);
    for (const line of tail) output.line(`[trial ${event.trial}] | ${line}`);
  };
}

function printEvent(output: Output, event: SweepCommandEvent, quiet: boolean): void {
  switch (event.type) {
    case 'sweep-created': {
      const { description, store } = event;
      output.line(
        `sweep ${description.sweepId}: ${description.trialCount} trials, project ${description.project}, ${store}`,
      );
      output.line(
        `more machines can join: ml-tracking sweep agent ${description.sweepId} --store ${store}`,
      );
      return;
    }
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
