import type { JSX } from 'preact';
import type { ExperimentDetail } from '../../api.js';
import { ConfusionMatrix } from '../components/confusion-matrix.js';
import { KeyValueTable } from '../components/key-value-table.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed } from '../components/page.js';
import { formatNumber } from '../format.js';
import { pageState, useApi } from '../use-api.js';

/** `/experiments/:predictionId`: everything stored about one experiment. */
export function ExperimentPage({ predictionId }: { predictionId: string }): JSX.Element {
  const request = useApi<ExperimentDetail>(`/api/experiments/${segment(predictionId)}`);
  const { data, error } = request;
  return (
    <Page
      name="experiment"
      state={pageState(request)}
      title={<span class="mono">{predictionId}</span>}
    >
      {error !== undefined ? (
        <RequestFailed error={error} />
      ) : data === undefined ? (
        <Loading />
      ) : (
        <ExperimentView detail={data} />
      )}
    </Page>
  );
}

function ExperimentView({ detail }: { detail: ExperimentDetail }): JSX.Element {
  const classMetrics = [...new Set(detail.perClass.flatMap((row) => Object.keys(row.metrics)))];
  return (
    <>
      <p class="subtitle">
        <Link href={`/projects/${segment(detail.project)}?kind=${detail.kind}`}>
          {detail.project}
        </Link>{' '}
        · {detail.kind}
        {' · '}
        <a href={detail.predictions.href} download data-testid="predictions-link">
          Download predictions ({detail.predictions.name})
        </a>
      </p>
      <div class="columns">
        <section>
          <h2>Metrics</h2>
          <KeyValueTable
            entries={Object.entries(detail.metrics).map(([name, value]) => [
              name,
              formatNumber(value),
            ])}
            numeric
          />
          {detail.runIds.length > 0 && (
            <>
              <h2>Runs</h2>
              <ul class="plain-list">
                {detail.runIds.map((id) => (
                  <li key={id}>
                    <Link href={`/runs/${segment(id)}`} class="mono" title={id}>
                      {id}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <section>
          <h2>Record</h2>
          <KeyValueTable entries={Object.entries(detail.fields)} />
        </section>
      </div>
      {Object.keys(detail.hyperparameters).length > 0 && (
        <>
          <h2>Hyperparameters</h2>
          <KeyValueTable entries={Object.entries(detail.hyperparameters)} />
        </>
      )}
      {detail.perClass.length > 0 && (
        <>
          <h2>Scoring per class</h2>
          <div class="table-wrap">
            <table class="table" data-testid="scoring-table">
              <thead>
                <tr>
                  <th>Class</th>
                  {classMetrics.map((metric) => (
                    <th key={metric} class="num">
                      {metric}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {detail.perClass.map((row) => (
                  <tr key={row.class}>
                    <th scope="row">{row.class}</th>
                    {classMetrics.map((metric) => (
                      <td key={metric} class="num">
                        {formatNumber(row.metrics[metric])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {detail.confusion !== undefined && (
        <>
          <h2>Confusion matrix</h2>
          <ConfusionMatrix labels={detail.confusion.labels} counts={detail.confusion.counts} />
        </>
      )}
      {detail.plots.length > 0 && (
        <>
          <h2>Plots</h2>
          <div class="plots">
            {detail.plots.map((plot) => (
              <figure key={plot.href}>
                <img src={plot.href} alt={plot.name} data-testid="plot" loading="lazy" />
                <figcaption>{plot.name}</figcaption>
              </figure>
            ))}
          </div>
        </>
      )}
    </>
  );
}
