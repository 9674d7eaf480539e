import type { JSX } from 'preact';
import { formatCount } from '../format.js';

/**
 * `counts[actual][predicted]` as a table whose cells are shaded by their share of the actual
 * class (row), so a small class's errors show as clearly as a large one's.
 */
export function ConfusionMatrix({
  labels,
  counts,
}: {
  labels: string[];
  counts: number[][];
}): JSX.Element {
  return (
    <div class="table-wrap confusion-wrap">
      <table class="table confusion" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th class="corner">actual ↓ predicted →</th>
            {labels.map((label) => (
              <th key={label} class="num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((actual, row) => {
            const cells = counts[row] ?? [];
            const total = cells.reduce((sum, count) => sum + count, 0);
            return (
              <tr key={actual}>
                <th scope="row">{actual}</th>
                {labels.map((predicted, column) => {
                  const count = cells[column] ?? 0;
                  const share = total > 0 ? count / total : 0;
                  return (
                    <td
                      key={predicted}
                      class={`num heat ${row === column ? 'diagonal' : ''}`}
                      style={{
                        backgroundColor: `rgba(37, 99, 235, ${(share * 0.9).toFixed(3)})`,
                        color: share > 0.5 ? '#fff' : undefined,
                      }}
                      title={`actual ${actual}, predicted ${predicted}: ${count} (${(share * 100).toFixed(1)}% of ${actual})`}
                    >
                      {formatCount(count)}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
