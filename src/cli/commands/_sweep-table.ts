import type { SweepSummary, SweepTrial } from '../../sweeps/list-sweeps.js';
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
  // Only a sweep whose trials were stopped early or reached a decision point has this column.
  const withProgress = sweep.trials.some(
    (trial) => trial.stoppedBy !== undefined || trial.reached !== undefined,
  );
  output.line('');
  printTable(
    output,
    [
      'trial',
      'status',
      ...(withProgress ? ['stopped by / reached'] : []),
      metric,
      ...names,
      'run_id',
    ],
    sweep.trials.map((trial) => [
      String(trial.trial),
      trial.replaced ? `${trial.status} (replaced)` : trial.status,
      ...(withProgress ? [progressCell(trial)] : []),
      formatNumber(trial.best),
      ...names.map((name) =>
        JSON.stringify(trial.hyperparameters[name] ?? '-').replace(/^"(.*)"$/, '$1'),
      ),
      trial.runId,
    ]),
  );
}

/**
 * Where a trial got to, as the sweep page says it: the rule that stopped it (its rung and step),
 * else the last rung or step of `early_terminate` it reached.
 */
function progressCell(trial: SweepTrial): string {
  const rung = (value: number | undefined) => (value === undefined ? '' : `rung ${value} · `);
  if (trial.stoppedBy !== undefined) {
    const { rule, step } = trial.stoppedBy;
    return `${rule} · ${rung(trial.stoppedBy.rung)}step ${step}`;
  }
  if (trial.reached !== undefined) return `${rung(trial.reached.rung)}step ${trial.reached.step}`;
  return '-';
}
