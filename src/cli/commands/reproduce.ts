import { COMMAND_DESCRIPTIONS } from '../_command-descriptions.js';
import { checkTypedId, resolveId, RUN_IDS } from '../../_id-prefixes.js';
import { ValidationError } from '../../errors.js';
import { ReproduceError } from '../../experiments/reproduce-error.js';
import { reproduceRun, type ReproduceRunResult } from '../../experiments/reproduce-run.js';
import {
  commandStoreUrl,
  defineCliCommand,
  withCommandStore,
  type CommandOptions,
} from '../_command.js';
import { signalExitCode } from '../_interrupts.js';
import { storeArg } from '../_shared-args.js';
import { formatNumber, printTable } from '../_table.js';

/** Options of {@link reproduceCommand}. */
export interface ReproduceCommandOptions extends CommandOptions {
  /** The trainModel run to reproduce. */
  runId: string;
  /** The training script that registers the run's classes, relative to `cwd`. */
  entry?: string | undefined;
  /** Reproduce in a working tree with uncommitted changes. @default false */
  allowDirty?: boolean | undefined;
  /** A line of the training's output. */
  onOutput?: (line: string) => void;
  /** The interpreter of a Python entry. @default python3 */
  python?: string | undefined;
}

/**
 * `ml-tracking reproduce`: trains a run again at its recorded commit, on its stored data set.
 * @throws ReproduceError with `interruptedBy` when SIGINT or SIGTERM stopped it.
 */
export async function reproduceCommand(
  options: ReproduceCommandOptions,
): Promise<ReproduceRunResult> {
  const { entry } = options;
  if (entry === undefined || entry === '') {
    throw new ValidationError(
      '--entry',
      'missing',
      `Name the training script that registers the run's classes, e.g. ml-tracking reproduce ${options.runId} --entry train.ts (or train.py)`,
    );
  }
  // The run id as people type it (its first 8+ characters), and a store that must be there.
  checkTypedId(RUN_IDS, options.runId, 'runId');
  const runId = await withCommandStore(
    options,
    (store) => resolveId(store, RUN_IDS, options.runId, 'runId'),
    { existing: true },
  );
  return reproduceRun({
    runId,
    entry,
    allowDirty: options.allowDirty === true,
    store: commandStoreUrl(options),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.onOutput !== undefined && { onOutput: options.onOutput }),
    ...(options.python !== undefined && { python: options.python }),
  });
}

/** What `ml-tracking reproduce` did: the new run, or the signal that stopped it. */
export type ReproduceResult =
  | { reproduced: ReproduceRunResult; interruptedBy?: undefined }
  | { reproduced?: undefined; interruptedBy: NodeJS.Signals };

export const reproduceCli = defineCliCommand({
  meta: {
    name: 'reproduce',
    description: COMMAND_DESCRIPTIONS.reproduce,
  },
  args: {
    runId: {
      type: 'positional',
      description: 'The trainModel run to reproduce (its id, or its first 8+ characters)',
      required: true,
    },
    entry: {
      type: 'string',
      description:
        'The training script that registers the classes: .js/.ts, or .py (it is imported, so it must train only when run as the main module)',
      valueHint: 'file',
    },
    python: {
      type: 'string',
      description: 'The interpreter of a .py entry, e.g. .venv/bin/python (default: python3)',
      valueHint: 'path',
    },
    'allow-dirty': {
      type: 'boolean',
      description:
        'Reproduce in a working tree with uncommitted changes (the new run records git_dirty)',
    },
    json: { type: 'boolean', description: 'Print JSON for scripts' },
    ...storeArg,
  },
  // Not `interruptible`: reproduceRun passes SIGINT and SIGTERM to its training child itself.
  run: async (args, { cwd, env, stderr, passthrough }): Promise<ReproduceResult> => {
    try {
      const reproduced = await reproduceCommand({
        runId: args.runId,
        entry: args.entry,
        allowDirty: args['allow-dirty'],
        python: args.python,
        store: args.store,
        cwd,
        env,
        // The training's output is progress: standard output stays this command's report.
        onOutput: (line) => {
          passthrough.stderr(`${line}\n`);
        },
      });
      for (const warning of reproduced.warnings) stderr.line(`ml-tracking: warning: ${warning}`);
      return { reproduced };
    } catch (error) {
      // Ctrl-C: the child was stopped and the worktree removed; exit as a shell expects.
      if (error instanceof ReproduceError && error.interruptedBy !== undefined) {
        stderr.line(`ml-tracking: reproduce interrupted by ${error.interruptedBy}`);
        return { interruptedBy: error.interruptedBy };
      }
      throw error;
    }
  },
  json: (result) => result.reproduced,
  // The Python client's train_model(run_id=…, entry=…) reads the last line of stdout.
  jsonOnOneLine: true,
  render: (outcome, output, args) => {
    if (outcome.interruptedBy !== undefined) return;
    const result = outcome.reproduced;
    const { ranAt } = result;
    output.line(`reproduced run ${result.reproduced?.runId ?? args.runId} as run ${result.runId}`);
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
  },
  exitCode: (outcome) =>
    outcome.interruptedBy === undefined ? 0 : signalExitCode(outcome.interruptedBy),
});
