import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { RunItem } from '../../api.js';
import { runColors } from '../charts/run-colors.js';
import { Link, segment } from '../components/link.js';
import { ErrorBox } from '../components/page.js';
import { StatusPill } from '../components/status-pill.js';
import { formatCount, formatTime } from '../format.js';
import { setSearch } from '../router.js';
import type { RunList } from './use-run-list.js';

const FILTER_DELAY_MS = 200;

interface RunSidebarProps {
  list: RunList;
  project: string;
  text: string;
  selected: ReadonlySet<string>;
  /** Selected runs the list has not loaded (a shared URL selects runs from anywhere). */
  notListed: readonly string[];
  labelOf: (runId: string) => string;
  onToggle: (runId: string) => void;
  onClear: () => void;
}

/** Project and text filters, and the runs list with a checkbox per run. */
export function RunSidebar({
  list,
  project,
  text,
  selected,
  notListed,
  labelOf,
  onToggle,
  onClear,
}: RunSidebarProps): JSX.Element {
  // The charts' colours (selection order), on the boxes that select them.
  const colors = useMemo(() => runColors([...selected]), [selected]);
  const [typed, setTyped] = useState(text);
  // Follow the URL when it changes from elsewhere (back button).
  useEffect(() => {
    setTyped(text);
  }, [text]);
  useEffect(() => {
    if (typed === text) return;
    const timer = setTimeout(() => {
      setSearch({ q: typed }, { replace: true });
    }, FILTER_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [typed]);

  const projects =
    list.projects.includes(project) || project === '' ? list.projects : [project, ...list.projects];
  return (
    <aside class="sidebar">
      <div class="filters">
        <select
          data-testid="run-filter-project"
          aria-label="Project"
          value={project}
          onChange={(event) => {
            setSearch({ project: event.currentTarget.value });
          }}
        >
          <option value="">All projects</option>
          {projects.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <input
          type="search"
          data-testid="run-filter-text"
          placeholder="Filter: name, id, host, hyperparameter…"
          aria-label="Filter runs"
          value={typed}
          onInput={(event) => {
            setTyped(event.currentTarget.value);
          }}
        />
      </div>
      <div class="sidebar-status muted small">
        {list.loading
          ? 'Loading…'
          : `${formatCount(list.runs.length)} of ${formatCount(list.total)} runs`}
        {selected.size > 0 && (
          <>
            {' · '}
            {selected.size} selected{' '}
            <button type="button" class="link-button" onClick={onClear}>
              clear
            </button>
          </>
        )}
        {selected.size >= 2 && (
          <Link
            href={`/runs/compare?ids=${[...selected].map(segment).join(',')}`}
            class="button small primary compare-runs"
            data-testid="runs-compare-button"
          >
            Compare ({selected.size})
          </Link>
        )}
      </div>
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {notListed.length > 0 && !list.loading && (
        <details class="not-listed">
          <summary class="small">
            {notListed.length} selected run{notListed.length === 1 ? '' : 's'} not in this list
          </summary>
          <ul>
            {notListed.map((id) => (
              <li key={id} data-testid="selected-run">
                <label>
                  <input
                    type="checkbox"
                    checked
                    style={{ accentColor: colors.get(id) }}
                    onChange={() => {
                      onToggle(id);
                    }}
                  />{' '}
                  {labelOf(id)}
                </label>{' '}
                <Link href={`/runs/${segment(id)}`} class="muted small mono" title={id}>
                  open
                </Link>
              </li>
            ))}
          </ul>
        </details>
      )}
      <ul class="run-list">
        {list.runs.map((run) => (
          <RunListItem key={run.id} run={run} color={colors.get(run.id)} onToggle={onToggle} />
        ))}
      </ul>
      {!list.loading && list.runs.length < list.total && (
        <button
          type="button"
          class="button load-more"
          data-testid="load-more"
          disabled={list.loadingMore}
          onClick={list.loadMore}
        >
          {list.loadingMore
            ? 'Loading…'
            : `Load more (${formatCount(list.total - list.runs.length)} left)`}
        </button>
      )}
      {!list.loading && list.total === 0 && list.error === undefined && (
        <p class="muted small">No runs match. Runs that are sweep trials are on the Sweeps tab.</p>
      )}
    </aside>
  );
}

function RunListItem({
  run,
  color,
  onToggle,
}: {
  run: RunItem;
  /** Its colour on the charts when it is selected; `undefined` when it is not. */
  color: string | undefined;
  onToggle: (runId: string) => void;
}): JSX.Element {
  return (
    <li
      class={`run-item ${color !== undefined ? 'selected' : ''}`}
      data-testid="run-item"
      data-run-id={run.id}
    >
      <input
        type="checkbox"
        data-testid="run-select"
        aria-label={`Select ${run.name}`}
        checked={color !== undefined}
        style={color === undefined ? undefined : { accentColor: color }}
        onChange={() => {
          onToggle(run.id);
        }}
      />
      <div class="run-item-body">
        <div class="run-item-head">
          <Link href={`/runs/${segment(run.id)}`} class="run-name" title={run.id}>
            {run.name}
          </Link>
          <StatusPill status={run.status} />
        </div>
        <div class="muted small">
          {run.project} · {formatTime(run.startedAt)}
        </div>
      </div>
    </li>
  );
}
