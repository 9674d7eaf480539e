import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { RunLog } from '../../api.js';
import { segment } from '../components/link.js';
import { ErrorBox } from '../components/page.js';
import { formatCount } from '../format.js';
import { useApi, useRefreshWhile } from '../use-api.js';
import { POLL_MS } from '../charts/use-scalars.js';

/** The end of a run's captured output; follows the output while the run is running. */
export function RunLogView({ runId, live }: { runId: string; live: boolean }): JSX.Element {
  const request = useApi<RunLog>(`/api/runs/${segment(runId)}/log`);
  useRefreshWhile(live, POLL_MS, request.refresh, request.data);
  const pre = useRef<HTMLPreElement>(null);
  const { data, error } = request;

  // Stay at the bottom when the reader is there (like `tail -f`), not when they scrolled up.
  const atBottom = useRef(true);
  useEffect(() => {
    const element = pre.current;
    if (element !== null && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [data]);

  if (error !== undefined) return <ErrorBox error={error} />;
  return (
    <>
      {data?.truncated === true && (
        <p class="muted small">
          Earlier output left out: the last part of {formatCount(data.size)} bytes is shown.
        </p>
      )}
      <pre
        class="log"
        data-testid="run-log"
        ref={pre}
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
        }}
      >
        {data === undefined ? 'Loading…' : data.text === '' ? '(no output yet)' : data.text}
      </pre>
    </>
  );
}
