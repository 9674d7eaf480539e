import type { JSX } from 'preact';
import { useCallback, useMemo } from 'preact/hooks';
import { ChartControls } from '../charts/chart-controls.js';
import { ScalarCharts, chartSettingsFrom } from '../charts/scalar-charts.js';
import { chartResolution, useScalars } from '../charts/use-scalars.js';
import { ErrorBox, Page, SkippedNotice } from '../components/page.js';
import { setSearch, useRoute } from '../router.js';
import { RunSidebar } from '../runs/run-sidebar.js';
import { useRunList } from '../runs/use-run-list.js';
import { useSelectedRuns } from '../runs/use-selected-runs.js';
import { shortRunId } from '../format.js';

/** The sidebar's width and the page's padding: what a chart does not get of the window. */
const RESERVED_PIXELS = 380;

/**
 * `/runs`: runs that are not sweep trials, filtered by project and text, and the selected
 * ones (URL `select`, whether or not the list has loaded them) overlaid, one chart per tag.
 * The list and the series are requested at once, so neither waits for the other.
 */
export function RunsPage(): JSX.Element {
  const { search } = useRoute();
  const project = search.get('project') ?? '';
  const text = search.get('q') ?? '';
  const selectParam = search.get('select') ?? '';
  const selected = useMemo(() => selectParam.split(',').filter((id) => id !== ''), [selectParam]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const settings = chartSettingsFrom(search);
  const [maxPoints] = useMemo(() => [chartResolution(RESERVED_PIXELS)], []);

  const list = useRunList(project, text);
  const scalars = useScalars(selected, { maxPoints });

  const listed = useMemo(() => new Map(list.runs.map((run) => [run.id, run])), [list.runs]);
  const elsewhere = useSelectedRuns(selected, listed, !scalars.loading);
  const labelOf = useCallback(
    (id: string) => (listed.get(id) ?? elsewhere.get(id))?.name ?? shortRunId(id),
    [listed, elsewhere],
  );
  const notListed = selected.filter((id) => !listed.has(id));

  const toggle = (id: string): void => {
    const next = selectedSet.has(id) ? selected.filter((item) => item !== id) : [...selected, id];
    setSearch({ select: next.join(',') });
  };

  const state =
    list.error !== undefined || scalars.error !== undefined
      ? 'error'
      : list.loading || scalars.loading
        ? 'loading'
        : 'ready';
  return (
    <Page name="runs" state={state} class="runs-layout">
      <RunSidebar
        list={list}
        project={project}
        text={text}
        selected={selectedSet}
        notListed={notListed}
        labelOf={labelOf}
        onToggle={toggle}
        onClear={() => {
          setSearch({ select: null });
        }}
      />
      <section class="runs-main">
        <ChartControls settings={settings} />
        {list.checking && (
          <p class="muted" data-testid="runs-checking">
            Listed from the dashboard's cache of its last start; checking the store for runs
            started, changed or deleted since…
          </p>
        )}
        {scalars.error !== undefined && <ErrorBox error={scalars.error} />}
        <SkippedNotice skipped={[...list.skipped, ...scalars.skipped]} />
        {selected.length === 0 ? (
          <p class="muted empty-hint">
            Tick runs on the left to chart their scalars, one chart per tag.
          </p>
        ) : scalars.runs.size === 0 ? (
          <p class="muted">Loading scalars…</p>
        ) : (
          <ScalarCharts
            runIds={selected}
            runs={scalars.runs}
            labelOf={labelOf}
            settings={settings}
          />
        )}
      </section>
    </Page>
  );
}
