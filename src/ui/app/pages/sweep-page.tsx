import type { JSX } from 'preact';
import { useCallback, useMemo } from 'preact/hooks';
import type { SweepDetail } from '../../api.js';
import { query } from '../api-client.js';
import { ParallelCoordinates } from '../charts/parallel-coordinates.js';
import { ScalarCharts, chartSettingsFrom } from '../charts/scalar-charts.js';
import { POLL_MS, chartResolution, useScalars } from '../charts/use-scalars.js';
import { segment } from '../components/link.js';
import { Loading, Page, RequestFailed, SkippedNotice } from '../components/page.js';
import { Pagination } from '../components/pagination.js';
import { StatusCounts } from '../components/status-counts.js';
import { formatNumber, shortRunId } from '../format.js';
import { setSearch, useRoute } from '../router.js';
import { SweepConfig } from '../sweeps/sweep-config.js';
import { TrialsTable } from '../sweeps/trials-table.js';
import { pageState, useApi, useRefreshWhile } from '../use-api.js';

const PAGE_SIZE = 20;

/**
 * `/sweeps/:id?page=&sort=&order=`: the configuration, one page of trials (sorted and paged by
 * the server), the metric over steps for that page's trials, and every trial on parallel
 * coordinates. Live while any trial runs.
 */
export function SweepPage({ sweepId }: { sweepId: string }): JSX.Element {
  const { search } = useRoute();
  const page = Math.max(1, Math.floor(Number(search.get('page') ?? 1)) || 1);
  const sort = search.get('sort');
  const order = search.get('order') === 'asc' ? 'asc' : 'desc';
  const request = useApi<SweepDetail>(
    `/api/sweeps/${segment(sweepId)}${query({ offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, sort, order: sort === null ? null : order })}`,
  );
  const { data, error } = request;
  useRefreshWhile((data?.counts.running ?? 0) > 0, POLL_MS, request.refresh, data);
  return (
    <Page name="sweep" state={pageState(request)} title={<span class="mono">{sweepId}</span>}>
      {error !== undefined && data === undefined ? (
        <RequestFailed error={error} />
      ) : data === undefined ? (
        <Loading />
      ) : (
        <SweepView sweep={data} sort={sort} order={order} page={page} />
      )}
    </Page>
  );
}

function SweepView({
  sweep,
  sort,
  order,
  page,
}: {
  sweep: SweepDetail;
  sort: string | null;
  order: 'asc' | 'desc';
  page: number;
}): JSX.Element {
  const runIdsKey = sweep.trials.map((trial) => trial.runId).join(',');
  const runIds = useMemo(() => (runIdsKey === '' ? [] : runIdsKey.split(',')), [runIdsKey]);
  const trialsByRun = useMemo(
    () => new Map(sweep.trials.map((trial) => [trial.runId, trial])),
    [sweep.trials],
  );
  const [maxPoints] = useMemo(() => [chartResolution(80)], []);
  const tags = useMemo(() => (sweep.metric === null ? [] : [sweep.metric]), [sweep.metric]);
  const scalars = useScalars(sweep.metric === null ? [] : runIds, { maxPoints, tags });
  const earlyStopped = useCallback(
    (runId: string) => trialsByRun.get(runId)?.status === 'early_stopped',
    [trialsByRun],
  );
  const labelOf = useCallback(
    (runId: string) => {
      const trial = trialsByRun.get(runId);
      if (trial === undefined) return shortRunId(runId);
      return `trial ${trial.trial}${trial.status === 'early_stopped' ? ' (early stopped)' : ''}`;
    },
    [trialsByRun],
  );
  const { search } = useRoute();
  const settings = chartSettingsFrom(search);

  return (
    <>
      <p class="subtitle">
        {sweep.project} · best {sweep.metric ?? 'value'} <strong>{formatNumber(sweep.best)}</strong>{' '}
        · <StatusCounts counts={sweep.counts} />
      </p>
      <SkippedNotice skipped={[...sweep.skipped, ...scalars.skipped]} />
      <SweepConfig sweep={sweep} />
      <h2>Trials</h2>
      <Pagination
        offset={sweep.offset}
        shown={sweep.trials.length}
        total={sweep.total}
        onPage={(direction) => {
          setSearch({ page: page + direction === 1 ? null : page + direction });
        }}
      />
      <TrialsTable sweep={sweep} sort={sort} order={order} />
      {sweep.metric !== null && (
        <>
          <h2>{sweep.metric} of the trials on this page</h2>
          {scalars.runs.size === 0 && runIds.length > 0 ? (
            <Loading />
          ) : (
            <ScalarCharts
              runIds={runIds}
              runs={scalars.runs}
              labelOf={labelOf}
              dashed={earlyStopped}
              settings={settings}
              tags={tags}
              testId="sweep-chart"
            />
          )}
        </>
      )}
      <h2>Hyperparameters against {sweep.metric ?? 'the metric'}</h2>
      <ParallelCoordinates sweep={sweep} />
    </>
  );
}
