import type { RunStatus } from '../status.js';
import type { JSX } from 'preact';
import { StatusPill } from './status-pill.js';

const ORDER: RunStatus[] = ['finished', 'running', 'early_stopped', 'failed', 'lost'];

/** Trials per status, as small pills with counts (statuses with none are left out). */
export function StatusCounts({
  counts,
}: {
  counts: Partial<Record<RunStatus, number>>;
}): JSX.Element {
  return (
    <span class="status-counts">
      {ORDER.filter((status) => (counts[status] ?? 0) > 0).map((status) => (
        <span key={status} class="status-count">
          <StatusPill status={status} /> <span class="num">{counts[status]}</span>
        </span>
      ))}
    </span>
  );
}
