import type { RunStatus } from '../status.js';
import type { JSX } from 'preact';

const LABELS: Record<RunStatus, string> = {
  running: 'running',
  finished: 'finished',
  failed: 'failed',
  early_stopped: 'early stopped',
  lost: 'lost',
};

/** A run's status as a coloured pill (colours in app.css by `data-status`). */
export function StatusPill({
  status,
  testId,
}: {
  status: RunStatus;
  testId?: string;
}): JSX.Element {
  return (
    <span class="pill" data-status={status} data-testid={testId}>
      {LABELS[status]}
    </span>
  );
}
