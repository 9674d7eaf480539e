import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ExperimentDetail, ExperimentsResponse } from '../../api.js';
import { fetchJson, query } from '../api-client.js';
import { DifferingRow } from '../components/differing-row.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed } from '../components/page.js';
import { bestValue } from '../experiment-sort.js';
import { formatNumber, formatValue, shortId } from '../format.js';
import { listParam, useRoute } from '../router.js';

type Goals = ExperimentsResponse['goals'];

/**
 * `/compare?ids=a,b,…`: experiments side by side. Every experiment is fetched at once; the
 * metric goals (to highlight the best value) come from the project's experiments listing,
 * fetched after, since only then is the project known.
 */
export function ComparePage(): JSX.Element {
  const ids = listParam(useRoute().search, 'ids');
  const key = ids.join(',');
  const [details, setDetails] = useState<ExperimentDetail[] | undefined>(undefined);
  const [goals, setGoals] = useState<Goals>({});
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    setDetails(undefined);
    setError(undefined);
    Promise.all(
      ids.map((id) =>
        fetchJson<ExperimentDetail>(`/api/experiments/${segment(id)}`, controller.signal),
      ),
    )
      .then((loaded) => {
        setDetails(loaded);
        const first = loaded[0];
        if (
          first === undefined ||
          loaded.some((item) => item.project !== first.project || item.kind !== first.kind)
        )
          return;
        return fetchJson<ExperimentsResponse>(
          `/api/projects/${segment(first.project)}/experiments${query({ kind: first.kind })}`,
          controller.signal,
        ).then((listing) => {
          setGoals(listing.goals);
        });
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason);
      });
    return () => {
      controller.abort();
    };
    // `key` stands for `ids` (a new array every render).
  }, [key]);

  const state = error !== undefined ? 'error' : details === undefined ? 'loading' : 'ready';
  return (
    <Page name="compare" state={state} title="Compare experiments">
      {ids.length === 0 ? (
        <p class="muted">Pick two or more experiments in a project's table and press Compare.</p>
      ) : error !== undefined ? (
        <RequestFailed error={error} />
      ) : details === undefined ? (
        <Loading />
      ) : (
        <CompareTables details={details} goals={goals} />
      )}
    </Page>
  );
}

function CompareTables({
  details,
  goals,
}: {
  details: ExperimentDetail[];
  goals: Goals;
}): JSX.Element {
  const hyperparameterNames = union(details.map((detail) => Object.keys(detail.hyperparameters)));
  const metricNames = union(details.map((detail) => Object.keys(detail.metrics)));
  const plotNames = union(details.map((detail) => detail.plots.map((plot) => plot.name)));
  const header = (
    <thead>
      <tr>
        <th />
        {details.map((detail) => (
          <th
            key={detail.predictionId}
            data-testid="compare-column"
            data-prediction-id={detail.predictionId}
          >
            <Link
              href={`/experiments/${segment(detail.predictionId)}`}
              class="mono"
              title={detail.predictionId}
            >
              {shortId(detail.predictionId)}
            </Link>
            <div class="muted small">
              {formatValue(detail.fields.model ?? detail.fields.model_name ?? '')}
            </div>
          </th>
        ))}
      </tr>
    </thead>
  );
  return (
    <>
      <h2>Hyperparameters</h2>
      {hyperparameterNames.length === 0 ? (
        <p class="muted">No hyperparameters were recorded.</p>
      ) : (
        <div class="table-wrap">
          <table class="table compare" data-testid="compare-hyperparameters">
            {header}
            <tbody>
              {hyperparameterNames.map((name) => (
                <DifferingRow
                  key={name}
                  name={name}
                  values={details.map((detail) => formatValue(detail.hyperparameters[name]))}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Metrics</h2>
      <div class="table-wrap">
        <table class="table compare" data-testid="compare-metrics">
          {header}
          <tbody>
            {metricNames.map((name) => {
              const values = details.map((detail) => detail.metrics[name] ?? null);
              const best = bestValue(values, goals[name]);
              const differs = new Set(values).size > 1;
              return (
                <tr key={name} data-differs={differs ? 'true' : 'false'}>
                  <th scope="row">{name}</th>
                  {values.map((value, index) => (
                    <td
                      key={index}
                      class={`num ${best !== null && value === best && differs ? 'best' : ''}`}
                      title={String(value ?? '')}
                    >
                      {formatNumber(value)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {plotNames.length > 0 && <h2>Plots</h2>}
      {plotNames.map((name) => (
        <section key={name} class="plot-row">
          <h3>{name}</h3>
          <div
            class="plot-grid"
            style={{ gridTemplateColumns: `repeat(${details.length}, minmax(0, 1fr))` }}
          >
            {details.map((detail) => {
              const plot = detail.plots.find((item) => item.name === name);
              return plot === undefined ? (
                <div key={detail.predictionId} class="muted plot-missing">
                  —
                </div>
              ) : (
                <img
                  key={detail.predictionId}
                  src={plot.href}
                  alt={`${name}, ${detail.predictionId}`}
                  data-testid="plot"
                  loading="lazy"
                />
              );
            })}
          </div>
        </section>
      ))}
    </>
  );
}

/** Every name in any of the lists, in first-seen order. */
function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
