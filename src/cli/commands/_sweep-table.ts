import type { SweepSummary } from '../../sweeps/list-sweeps.js';
import type { Output } from '../_output.js';
import { formatNumber, printTable } from '../_table.js';

/** The trials of a sweep, best first: what `sweep show` prints. */
export function printSweepTrials(output: Output, sweep: SweepSummary): void {
  const { description } = sweep;
  const metric = (description.config.optimization_metric as string | undefined) ?? 'best';
  output.line(
    `sweep ${description.sweepId}  project ${description.project}  ${description.trialCount} trials  seed ${description.seed}`,
  );
  const counts = Object.entries(sweep.counts)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  output.line(counts === '' ? 'no trials have run yet' : counts);
  if (sweep.trials.length === 0) return;
  const names = Object.keys(
    (description.config.hyperparameters as Record<string, unknown> | undefined) ?? {},
  );
  output.line('');
  printTable(
    output,
    ['trial', 'status', metric, ...names, 'run_id'],
    sweep.trials.map((trial) => [
      String(trial.trial),
      trial.status,
      formatNumber(trial.best),
      ...names.map((name) =>
        JSON.stringify(trial.hyperparameters[name] ?? '-').replace(/^"(.*)"$/, '$1'),
      ),
      trial.runId,
    ]),
  );
}
