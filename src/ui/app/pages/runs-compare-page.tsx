import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { RunDetail, RunsCompareResponse, TagSummaryJson } from '../../api.js';
import { fetchJson, query } from '../api-client.js';
import { runColors } from '../charts/run-colors.js';
import { DifferingRow } from '../components/differing-row.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed } from '../components/page.js';
import { StatusPill } from '../components/status-pill.js';
import { bestValue } from '../experiment-sort.js';
import { formatDuration, formatNumber, formatTime, formatValue, shortRunId } from '../format.js';
import { listParam, useRoute } from '../router.js';
import { bestFirst, tagGoal } from '../runs/tag-goal.js';

type Stat = 'last' | 'min' | 'max';
const STATS: readonly Stat[] = ['last', 'min', 'max'];
const STEP_OF = { last: 'lastStep', min: 'minStep', max: 'maxStep' } as const;

/**
 * `/runs/compare?ids=a,b,…[&metric=<tag>]`: runs side by side, what `ml-tracking compare` prints.
 * Its parameters (`GET /api/runs/compare`: compareRuns, what the CLI prints: hyperparameters, a
 * `trainModel` run's classes, data set and seed, the commit), those that differ first; then where
 * each run came from; then each summary tag's last, min and max, the best of each row
 * highlighted. `metric` orders the runs best first by that tag's last value and puts its rows
 * first, as `--metric` does. Every run is fetched at once with `GET /api/runs/:id`.
 */
export function RunsComparePage(): JSX.Element {
  const { search } = useRoute();
  // A repeated id is one run: one column.
  const ids = [...new Set(listParam(search, 'ids'))];
  const metric = search.get('metric') ?? '';
  const key = ids.join(',');
  const [runs, setRuns] = useState<
    { details: RunDetail[]; parameters: RunsCompareResponse } | undefined
  >(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    setRuns(undefined);
    setError(undefined);
    // Nothing to ask for: the page says how to pick runs.
    if (ids.length === 0) return;
    Promise.all([
      Promise.all(
        ids.map((id) => fetchJson<RunDetail>(`/api/runs/${segment(id)}`, controller.signal)),
      ),
      fetchJson<RunsCompareResponse>(
        `/api/runs/compare${query({ ids: ids.join(',') })}`,
        controller.signal,
      ),
    ]).then(
      ([details, parameters]) => {
        setRuns({ details, parameters });
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(reason);
      },
    );
    return () => {
      controller.abort();
    };
    // `key` stands for `ids` (a new array every render).
  }, [key]);

  const state =
    ids.length === 0
      ? 'ready'
      : error !== undefined
        ? 'error'
        : runs === undefined
          ? 'loading'
          : 'ready';
  return (
    <Page name="runs-compare" state={state} title="Compare runs">
      {ids.length === 0 ? (
        <p class="muted">Tick two or more runs on the Runs tab and press Compare.</p>
      ) : error !== undefined ? (
        <RequestFailed error={error} />
      ) : runs === undefined ? (
        <Loading />
      ) : (
        <RunsCompareTables
          runs={orderedBy(runs.details, metric)}
          parameters={runs.parameters}
          metric={metric}
        />
      )}
    </Page>
  );
}

function RunsCompareTables({
  runs,
  parameters,
  metric,
}: {
  runs: RunDetail[];
  parameters: RunsCompareResponse;
  metric: string;
}): JSX.Element {
  // As the Runs tab charts them: colours in the order of `ids`.
  const colors = runColors(parameters.runIds);
  const header = (
    <thead>
      <tr>
        <th />
        {runs.map((run) => (
          <th key={run.id} data-testid="runs-compare-column" data-run-id={run.id}>
            <span class="run-swatch" style={{ background: colors.get(run.id) }} />
            <Link href={`/runs/${segment(run.id)}`} class="run-name" title={run.id}>
              {run.name}
            </Link>
            <div class="runs-compare-meta">
              <StatusPill status={run.status} />
              <span class="muted small mono" title={run.id}>
                {shortRunId(run.id)}
              </span>
            </div>
          </th>
        ))}
      </tr>
    </thead>
  );

  // The comparison's values in this page's column order (`metric` may have reordered the runs).
  const columnOf = runs.map((run) => parameters.runIds.indexOf(run.id));
  const parameterRows = parameters.parameters.map(({ name, values, differs }) => ({
    name,
    values: columnOf.map((column) => formatValue(values[column])),
    differs,
  }));
  const provenance: { name: string; values: string[] }[] = [
    { name: 'project', values: runs.map((run) => run.project) },
    { name: 'origin', values: runs.map((run) => run.origin) },
    { name: 'host', values: runs.map((run) => run.host) },
    { name: 'started', values: runs.map((run) => formatTime(run.startedAt)) },
    { name: 'duration', values: runs.map((run) => formatDuration(run.durationSeconds)) },
  ];
  const tags = union(runs.map((run) => Object.keys(run.summary))).sort();
  // The tag asked for by `metric` leads, as `ml-tracking compare --metric` ranks by it.
  const orderedTags = tags.includes(metric) ? [metric, ...tags.filter((t) => t !== metric)] : tags;

  return (
    <>
      <div class="toolbar">
        <span class="muted">
          {runs.length} run{runs.length === 1 ? '' : 's'}
        </span>
        <span class="spacer" />
        <Link
          href={`/runs${query({ select: runs.map((run) => run.id).join(',') }).replaceAll('%2C', ',')}`}
          class="button"
          data-testid="runs-compare-chart"
        >
          Chart these runs
        </Link>
      </div>
      <h2>Parameters</h2>
      {parameterRows.length === 0 ? (
        <p class="muted">No parameters were recorded.</p>
      ) : (
        <CompareTable header={header} testId="runs-compare-parameters">
          {parameterRows.map(({ name, values, differs }) => (
            <DifferingRow key={name} name={name} values={values} differs={differs} />
          ))}
        </CompareTable>
      )}
      <h2>Provenance</h2>
      <CompareTable header={header} testId="runs-compare-provenance">
        {provenance.map(({ name, values }) => {
          const differs = new Set(values).size > 1;
          return (
            <tr key={name} data-name={name} data-differs={differs ? 'true' : 'false'}>
              <th scope="row">{name}</th>
              {values.map((value, index) => (
                <td key={index} class={name === 'git commit' ? 'mono' : ''}>
                  {value}
                </td>
              ))}
            </tr>
          );
        })}
      </CompareTable>
      <h2>Summary</h2>
      {orderedTags.length === 0 ? (
        <p class="muted">None of these runs recorded scalars.</p>
      ) : (
        <CompareTable header={header} testId="runs-compare-summary">
          {orderedTags.flatMap((tag) =>
            STATS.map((stat) => (
              <SummaryRow
                key={`${tag}\u0000${stat}`}
                tag={tag}
                stat={stat}
                summaries={runs.map((run) => run.summary[tag])}
                ranked={tag === metric}
              />
            )),
          )}
        </CompareTable>
      )}
    </>
  );
}

/** The runs best first by `metric`'s last value (its goal from {@link tagGoal}); else as given. */
function orderedBy(runs: RunDetail[], metric: string): RunDetail[] {
  if (metric === '') return runs;
  const order = bestFirst(
    runs.map((run) => run.summary[metric]?.last),
    tagGoal(metric),
  );
  return order.map((index) => runs[index]!);
}

function CompareTable({
  header,
  testId,
  children,
}: {
  header: JSX.Element;
  testId: string;
  children: ComponentChildren;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="table compare" data-testid={testId}>
        {header}
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function SummaryRow({
  tag,
  stat,
  summaries,
  ranked,
}: {
  tag: string;
  stat: Stat;
  summaries: (TagSummaryJson | undefined)[];
  ranked: boolean;
}): JSX.Element {
  const values = summaries.map((summary) => summary?.[stat] ?? null);
  const steps = summaries.map((summary) => summary?.[STEP_OF[stat]]);
  const goal = tagGoal(tag);
  const best = bestValue(values, goal);
  const differs = new Set(values).size > 1;
  return (
    <tr
      data-tag={tag}
      data-stat={stat}
      data-goal={goal}
      class={`${stat === 'last' ? 'tag-first' : ''} ${ranked ? 'ranked' : ''}`}
    >
      <th scope="row">
        {stat === 'last' ? tag : ''} <span class="muted small">{stat}</span>
      </th>
      {values.map((value, index) => {
        const isBest = differs && best !== null && value === best;
        const step = steps[index];
        return (
          <td
            key={index}
            class={`num ${isBest ? 'best' : ''}`}
            data-best={isBest ? 'true' : 'false'}
            title={value === null ? '' : `${String(value)} at step ${String(step)}`}
          >
            {formatNumber(value)}
          </td>
        );
      })}
    </tr>
  );
}

/** Every name in any of the lists, in first-seen order. */
function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
