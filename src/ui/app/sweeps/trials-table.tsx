import type { JSX } from 'preact';
import type { SweepDetail } from '../../api.js';
import { Link, segment } from '../components/link.js';
import { StatusPill } from '../components/status-pill.js';
import { formatNumber, formatTime, formatValue, shortRunId } from '../format.js';
import { setSearch } from '../router.js';

type Reached = NonNullable<SweepDetail['trials'][number]['reached']>;

/** The hover sentence of a trial's last decision point, e.g. `reached rung 2 at step 9: best accuracy so far 0.83`. */
const reachedSentence = (reached: Reached, metric: string | null): string =>
  `${reached.rung === null ? 'checked by the median rule' : `reached rung ${reached.rung}`} at step ${reached.step}: best ${metric ?? 'value'} so far ${formatNumber(reached.value)}`;

interface TrialsTableProps {
  sweep: SweepDetail;
  sort: string | null;
  order: 'asc' | 'desc';
}

/** One page of trials; a header click sorts on the server (`sort`, `order` in the URL). */
export function TrialsTable({ sweep, sort, order }: TrialsTableProps): JSX.Element {
  const sortBy = (column: string): void => {
    // A new column starts with the order its values read best in: the best value first.
    const next =
      sort === column ? (order === 'asc' ? 'desc' : 'asc') : column === 'best' ? 'desc' : 'asc';
    setSearch({ sort: column, order: next, page: null });
  };
  const header = (column: string, label: string, numeric = false): JSX.Element => (
    <th
      class={numeric ? 'num' : ''}
      aria-sort={sort === column ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button
        type="button"
        class="sort"
        data-testid={`sort-${column}`}
        onClick={() => {
          sortBy(column);
        }}
      >
        {label}
        {sort === column ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <div class="table-wrap">
      <table class="table" data-testid="trials-table">
        <thead>
          <tr>
            {header('trial', 'trial', true)}
            {header('status', 'status')}
            {header('best', `best ${sweep.metric ?? ''}`, true)}
            {sweep.hyperparameterNames.map((name) => header(`hp.${name}`, name, true))}
            {header('started', 'started')}
            <th>run</th>
          </tr>
        </thead>
        <tbody>
          {sweep.trials.map((trial) => (
            // By run: a trial run again has a row per attempt.
            <tr key={trial.runId} data-testid="trial-row" data-trial={trial.trial}>
              <td class="num">{trial.trial}</td>
              <td>
                <StatusPill status={trial.status} />
                {trial.replaced && (
                  <div
                    class="muted nowrap"
                    data-testid="replaced"
                    title="Its agent was lost or stopped, and another attempt ran the trial again: not counted"
                  >
                    replaced by a later attempt
                  </div>
                )}
                {trial.stoppedBy !== null && (
                  <div class="muted nowrap" data-testid="stopped-by" title={trial.stoppedBy.reason}>
                    {trial.stoppedBy.rule}
                    {trial.stoppedBy.rung === null ? '' : ` · rung ${trial.stoppedBy.rung}`}
                    {` · step ${trial.stoppedBy.step}`}
                  </div>
                )}
                {trial.stoppedBy === null && trial.reached !== null && (
                  <div
                    class="muted nowrap"
                    data-testid="rung-reached"
                    title={reachedSentence(trial.reached, sweep.metric)}
                  >
                    {trial.reached.rung === null ? '' : `rung ${trial.reached.rung} · `}
                    {`step ${trial.reached.step}`}
                  </div>
                )}
              </td>
              <td class="num strong">{formatNumber(trial.best)}</td>
              {sweep.hyperparameterNames.map((name) => (
                <td key={name} class="num">
                  {formatValue(trial.hyperparameters[name])}
                </td>
              ))}
              <td class="nowrap">{formatTime(trial.startedAt)}</td>
              <td>
                <Link href={`/runs/${segment(trial.runId)}`} class="mono" title={trial.runId}>
                  {shortRunId(trial.runId)}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
