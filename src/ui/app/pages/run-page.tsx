import type { JSX } from 'preact';
import { useCallback, useMemo } from 'preact/hooks';
import type { RunDetail } from '../../api.js';
import { ChartControls } from '../charts/chart-controls.js';
import { ScalarCharts, chartSettingsFrom } from '../charts/scalar-charts.js';
import { POLL_MS, chartResolution, useScalars } from '../charts/use-scalars.js';
import { CopyButton } from '../components/copy-button.js';
import { KeyValueTable } from '../components/key-value-table.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed, SkippedNotice } from '../components/page.js';
import { StatusPill } from '../components/status-pill.js';
import { formatCount, formatDuration, formatNumber, formatTime } from '../format.js';
import { useRoute } from '../router.js';
import { RunLogView } from '../runs/run-log.js';
import { pageState, useApi, useRefreshWhile } from '../use-api.js';

/** `/runs/:id`: one run's record, summary, command, charts and log; live while it runs. */
export function RunPage({ runId }: { runId: string }): JSX.Element {
  const request = useApi<RunDetail>(`/api/runs/${segment(runId)}`);
  const { data, error } = request;
  useRefreshWhile(data?.status === 'running', POLL_MS, request.refresh, data);
  return (
    <Page name="run" state={pageState(request)} title={data?.name ?? runId}>
      {error !== undefined && data === undefined ? (
        <RequestFailed error={error} />
      ) : data === undefined ? (
        <Loading />
      ) : (
        <RunView run={data} />
      )}
    </Page>
  );
}

function RunView({ run }: { run: RunDetail }): JSX.Element {
  const { search } = useRoute();
  const settings = chartSettingsFrom(search);
  const runIds = useMemo(() => [run.id], [run.id]);
  const [maxPoints] = useMemo(() => [chartResolution(80)], []);
  const scalars = useScalars(runIds, { maxPoints });
  const labelOf = useCallback(() => run.name, [run.name]);
  const summary = Object.entries(run.summary).sort(([a], [b]) => a.localeCompare(b));

  return (
    <>
      <SkippedNotice skipped={scalars.skipped} />
      <div class="run-header">
        <StatusPill status={run.status} testId="run-status" />
        <span>
          <Link href={`/projects/${segment(run.project)}`}>{run.project}</Link>
        </span>
        <span class="muted mono" title="run id">
          {run.id}
        </span>
      </div>
      <div class="columns">
        <section>
          <h2>Record</h2>
          <table class="table key-value">
            <tbody>
              <Row name="started">{formatTime(run.startedAt)}</Row>
              <Row name="ended">{formatTime(run.endedAt)}</Row>
              <Row name="duration">{formatDuration(run.durationSeconds)}</Row>
              <Row name="last heartbeat">{formatTime(run.heartbeatAt)}</Row>
              <Row name="host">{run.host}</Row>
              <Row name="git commit">
                <span class="mono">{run.gitCommit ?? '—'}</span>
                {run.gitDirty === true && <span class="tag warn">dirty</span>}
              </Row>
              <Row name="origin">{run.origin}</Row>
              {run.sweepId !== null && (
                <Row name="sweep">
                  <Link href={`/sweeps/${segment(run.sweepId)}`} class="mono">
                    {run.sweepId}
                  </Link>
                  {run.trial !== null && ` · trial ${run.trial}`}
                </Row>
              )}
              {run.experiment !== null && <Row name="experiment">{run.experiment}</Row>}
              {run.pipelineScript !== null && (
                <Row name="pipeline">
                  {run.pipelineScript}
                  {run.pipelineVersion !== null && ` (${run.pipelineVersion})`}
                </Row>
              )}
              <Row name="scalars">
                <span class="mono small">{run.scalarsUri}</span>
              </Row>
            </tbody>
          </table>
          {run.predictionIds.length > 0 && (
            <>
              <h2>Predictions</h2>
              <ul class="plain-list" data-testid="run-predictions">
                {run.predictionIds.map((id) => (
                  <li key={id}>
                    <Link href={`/experiments/${segment(id)}`} class="mono">
                      {id}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <section>
          <h2>Hyperparameters</h2>
          <KeyValueTable
            entries={Object.entries(run.hyperparameters)}
            testId="run-hyperparameters"
          />
        </section>
      </div>
      {run.error !== null && (
        <>
          <h2>Error</h2>
          <pre class="error-text">{run.error}</pre>
        </>
      )}
      {run.reproduce !== null && (
        <>
          <h2>Reproduce</h2>
          <div class="command">
            <pre data-testid="run-command">{run.reproduce.command}</pre>
            <CopyButton text={run.reproduce.command} />
          </div>
          {run.reproduce.note !== null && (
            <p class="muted small" data-testid="run-command-note">
              {run.reproduce.note}
            </p>
          )}
        </>
      )}
      <h2>Summary</h2>
      <div class="table-wrap">
        <table class="table" data-testid="run-summary">
          <thead>
            <tr>
              <th>Tag</th>
              <th class="num">Last</th>
              <th class="num">Step</th>
              <th class="num">Min</th>
              <th class="num">Max</th>
              <th class="num">Points</th>
            </tr>
          </thead>
          <tbody>
            {summary.map(([tag, tagSummary]) => (
              <tr key={tag}>
                <th scope="row">{tag}</th>
                <td class="num">{formatNumber(tagSummary.last)}</td>
                <td class="num">{formatCount(tagSummary.lastStep)}</td>
                <td class="num" title={`step ${tagSummary.minStep}`}>
                  {formatNumber(tagSummary.min)}
                </td>
                <td class="num" title={`step ${tagSummary.maxStep}`}>
                  {formatNumber(tagSummary.max)}
                </td>
                <td class="num">{formatCount(tagSummary.count)}</td>
              </tr>
            ))}
            {summary.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No scalars recorded.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {summary.length > 0 && (
        <>
          <h2>Charts</h2>
          <ChartControls settings={settings} />
          {scalars.runs.size === 0 ? (
            <Loading />
          ) : (
            <ScalarCharts
              runIds={runIds}
              runs={scalars.runs}
              labelOf={labelOf}
              settings={settings}
            />
          )}
        </>
      )}
      <h2>Output</h2>
      {run.hasLog ? (
        <RunLogView runId={run.id} live={run.status === 'running'} />
      ) : (
        <p class="muted">No output was captured for this run.</p>
      )}
    </>
  );
}

function Row({
  name,
  children,
}: {
  name: string;
  children: JSX.Element | JSX.Element[] | string | (JSX.Element | string | false)[];
}): JSX.Element {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{children}</td>
    </tr>
  );
}
