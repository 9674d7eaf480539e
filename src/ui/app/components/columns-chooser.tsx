import type { JSX } from 'preact';

/**
 * A "Columns" button that opens a list of checkboxes, one per column (`column-<name>`); `fixed`
 * ones are shown whatever is chosen (the metric the rows are ranked or sorted by), so theirs
 * are ticked and disabled.
 */
export function ColumnsChooser({
  columns,
  shown,
  fixed,
  onChange,
}: {
  columns: readonly string[];
  shown: readonly string[];
  fixed: readonly string[];
  onChange: (next: string[]) => void;
}): JSX.Element {
  const shownSet = new Set(shown);
  return (
    <details class="columns-chooser">
      <summary class="button" data-testid="columns-button">
        Columns ({shown.length} of {columns.length})
      </summary>
      <div class="columns-menu">
        {columns.map((column) => (
          <label key={column}>
            <input
              type="checkbox"
              data-testid={`column-${column}`}
              checked={shownSet.has(column)}
              disabled={fixed.includes(column)}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                onChange(columns.filter((name) => (name === column ? on : shownSet.has(name))));
              }}
            />{' '}
            {column}
          </label>
        ))}
      </div>
    </details>
  );
}
