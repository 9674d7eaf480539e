import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import type { ExperimentsResponse } from '../../api.js';
import { query } from '../api-client.js';
import { ColumnsChooser } from '../components/columns-chooser.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed, SkippedNotice } from '../components/page.js';
import { metricOrder, shownMetrics } from '../experiment-columns.js';
import { rankExperiments, sortExperiments, type Order } from '../experiment-sort.js';
import { formatNumber, formatTime, shortId } from '../format.js';
import { listParam, navigate, setSearch, useRoute } from '../router.js';
import { pageState, useApi } from '../use-api.js';

/**
 * `/projects/:project`: one kind of a project's experiments, one row per prediction id, sorted
 * on the client (the project's experiments arrive at once). URL: `kind`, `sort` + `order` (a
 * clicked header), `rank` (the metric ranks are numbered by; the kind's headline metric when
 * absent), `select` (rows ticked for comparing), `columns` (the metric columns chosen; a few
 * headline metrics when absent, see experiment-columns.ts).
 */
export function ExperimentsPage({ project }: { project: string }): JSX.Element {
  const { search } = useRoute();
  const kind = search.get('kind');
  const request = useApi<ExperimentsResponse>(
    `/api/projects/${segment(project)}/experiments${query({ kind })}`,
  );
  const { data, error } = request;
  return (
    <Page name="experiments" state={pageState(request)} title={project}>
      {error === undefined && <SkippedNotice skipped={data?.skipped} />}
      {error !== undefined ? (
        <RequestFailed error={error} />
      ) : data === undefined ? (
        <Loading />
      ) : data.kinds.length === 0 ? (
        <p class="muted" data-testid="no-experiments">
          No experiments were logged in this project (<code>logExperiment</code>, or{' '}
          <code>ml-tracking log</code>). See its{' '}
          <Link href={`/runs?project=${segment(project)}`}>runs</Link> and the{' '}
          <Link href="/sweeps">sweeps</Link>.
        </p>
      ) : (
        <ExperimentsTable data={data} search={search} />
      )}
    </Page>
  );
}

function ExperimentsTable({
  data,
  search,
}: {
  data: ExperimentsResponse;
  search: URLSearchParams;
}): JSX.Element {
  const requestedRank = search.get('rank');
  const rankMetric =
    requestedRank !== null && data.metrics.includes(requestedRank)
      ? requestedRank
      : data.headlineMetric;
  const sort = search.get('sort');
  const order: Order = search.get('order') === 'asc' ? 'asc' : 'desc';
  const selected = listParam(search, 'select');
  const selectedSet = new Set(selected);
  const sortMetric = sort !== null && data.metrics.includes(sort) ? sort : null;
  const columns = shownMetrics(data, listParam(search, 'columns'), [rankMetric, sortMetric]);

  const ranked = useMemo(
    () => rankExperiments(data.experiments, rankMetric, data.goals[rankMetric]),
    [data, rankMetric],
  );
  const rankOf = useMemo(() => {
    const ranks = new Map<string, number>();
    ranked.forEach((item, index) => {
      if (item.metrics[rankMetric] !== null && item.metrics[rankMetric] !== undefined) {
        ranks.set(item.predictionId, index + 1);
      }
    });
    return ranks;
  }, [ranked, rankMetric]);
  const rows = useMemo(
    () =>
      sort !== null && data.metrics.includes(sort)
        ? sortExperiments(data.experiments, sort, order)
        : ranked,
    [data, ranked, sort, order],
  );

  const toggle = (id: string): void => {
    const next = selectedSet.has(id) ? selected.filter((item) => item !== id) : [...selected, id];
    setSearch({ select: next.join(',') });
  };
  const sortBy = (metric: string): void => {
    const nextOrder = sort === metric && order === 'desc' ? 'asc' : 'desc';
    setSearch({ sort: metric, order: nextOrder });
  };

  return (
    <>
      <div class="toolbar">
        {data.kinds.length > 1 && (
          <label>
            Kind{' '}
            <select
              data-testid="kind-select"
              value={data.kind}
              onChange={(event) => {
                setSearch({
                  kind: event.currentTarget.value,
                  sort: null,
                  order: null,
                  rank: null,
                  select: null,
                  columns: null,
                });
              }}
            >
              {data.kinds.map((kind) => (
                <option key={kind} value={kind}>
                  {kind}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Rank by{' '}
          <select
            data-testid="rank-metric"
            value={rankMetric}
            onChange={(event) => {
              setSearch({ rank: event.currentTarget.value, sort: null, order: null });
            }}
          >
            {data.metrics.map((metric) => (
              <option key={metric} value={metric}>
                {metric} ({goalLabel(data.goals[metric])})
              </option>
            ))}
          </select>
        </label>
        <span class="muted">
          {data.experiments.length} {data.kind} experiment{data.experiments.length === 1 ? '' : 's'}
        </span>
        <span class="spacer" />
        <ColumnsChooser
          columns={metricOrder(data)}
          shown={columns}
          fixed={[rankMetric, ...(sortMetric === null ? [] : [sortMetric])]}
          onChange={(next) => {
            setSearch({ columns: next.join(',') }, { replace: true });
          }}
        />
        <button
          type="button"
          class="button primary"
          data-testid="compare-button"
          disabled={selected.length < 2}
          onClick={() => {
            navigate(`/compare?ids=${selected.map(segment).join(',')}`);
          }}
        >
          Compare{selected.length > 0 ? ` (${selected.length})` : ''}
        </button>
      </div>
      <div class="table-wrap">
        <table class="table" data-testid="experiments-table">
          <thead>
            <tr>
              <th class="check" />
              <th class="num">#</th>
              <th>Prediction id</th>
              <th>Model</th>
              <th>Logged at</th>
              {columns.map((metric) => (
                <th
                  key={metric}
                  class={`num ${metric === rankMetric ? 'ranked' : ''}`}
                  aria-sort={ariaSort(metric, sort, order)}
                >
                  <button
                    type="button"
                    class="sort"
                    data-testid={`sort-${metric}`}
                    onClick={() => {
                      sortBy(metric);
                    }}
                    title={`Sort by ${metric} (${goalLabel(data.goals[metric])})`}
                  >
                    {metric}
                    {sort === metric ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((item) => (
              <tr
                key={item.predictionId}
                data-testid="experiment-row"
                data-prediction-id={item.predictionId}
                class={selectedSet.has(item.predictionId) ? 'selected' : ''}
              >
                <td class="check">
                  <input
                    type="checkbox"
                    data-testid="experiment-select"
                    aria-label={`Select ${item.predictionId}`}
                    checked={selectedSet.has(item.predictionId)}
                    onChange={() => {
                      toggle(item.predictionId);
                    }}
                  />
                </td>
                <td class="num muted">{rankOf.get(item.predictionId) ?? ''}</td>
                <td class="mono">
                  <Link
                    href={`/experiments/${segment(item.predictionId)}`}
                    title={item.predictionId}
                  >
                    {shortId(item.predictionId)}
                  </Link>
                </td>
                <td>{item.model}</td>
                <td class="nowrap">{formatTime(item.loggedAt)}</td>
                {columns.map((metric) => (
                  <td
                    key={metric}
                    class={`num ${metric === rankMetric ? 'ranked' : ''}`}
                    title={String(item.metrics[metric] ?? '')}
                  >
                    {formatNumber(item.metrics[metric])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const goalLabel = (goal: string | undefined): string =>
  goal === 'higher'
    ? 'higher is better'
    : goal === 'lower'
      ? 'lower is better'
      : goal === 'zero'
        ? 'closer to 0 is better'
        : 'no goal';

const ariaSort = (
  metric: string,
  sort: string | null,
  order: Order,
): 'ascending' | 'descending' | undefined =>
  sort === metric ? (order === 'asc' ? 'ascending' : 'descending') : undefined;
