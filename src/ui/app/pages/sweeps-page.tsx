import type { JSX } from 'preact';
import type { SweepsResponse } from '../../api.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed, SkippedNotice } from '../components/page.js';
import { StatusCounts } from '../components/status-counts.js';
import { formatCount, formatNumber, formatTime } from '../format.js';
import { pageState, useApi } from '../use-api.js';

/** `/sweeps`: every sweep, newest first, with its progress and best value. */
export function SweepsPage(): JSX.Element {
  const request = useApi<SweepsResponse>('/api/sweeps');
  const { data, error } = request;
  return (
    <Page name="sweeps" state={pageState(request)} title="Sweeps">
      {error === undefined && <SkippedNotice skipped={data?.skipped} />}
      {error !== undefined ? (
        <RequestFailed error={error} />
      ) : data === undefined ? (
        <Loading />
      ) : data.sweeps.length === 0 ? (
        <p class="muted">
          No sweeps in this store yet (<code>ml-tracking sweep</code> starts one).
        </p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Sweep</th>
                <th>Project</th>
                <th>Created</th>
                <th>Method</th>
                <th>Metric</th>
                <th class="num">Trials</th>
                <th>By status</th>
                <th class="num">Best</th>
              </tr>
            </thead>
            <tbody>
              {data.sweeps.map((sweep) => {
                const done =
                  Object.values(sweep.counts).reduce((sum, count) => sum + count, 0) -
                  sweep.counts.running;
                return (
                  <tr key={sweep.id} data-testid="sweep-row" data-sweep-id={sweep.id}>
                    <td>
                      <Link href={`/sweeps/${segment(sweep.id)}`} class="mono strong">
                        {sweep.id}
                      </Link>
                    </td>
                    <td>{sweep.project}</td>
                    <td class="nowrap">{formatTime(sweep.createdAt)}</td>
                    <td>{sweep.method}</td>
                    <td>
                      {sweep.metric ?? '—'} <span class="muted">({sweep.goal})</span>
                    </td>
                    <td class="num">
                      {formatCount(done)} / {formatCount(sweep.trialCount)}
                    </td>
                    <td>
                      <StatusCounts counts={sweep.counts} />
                    </td>
                    <td class="num strong">{formatNumber(sweep.best)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
