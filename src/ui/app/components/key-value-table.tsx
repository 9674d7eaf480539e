import type { JSX } from 'preact';
import { formatValue } from '../format.js';

/** A two-column table of names and values (record fields, hyperparameters, metrics). */
export function KeyValueTable({
  entries,
  numeric = false,
  testId,
}: {
  entries: [string, unknown][];
  numeric?: boolean;
  testId?: string;
}): JSX.Element {
  return (
    <table class="table key-value" data-testid={testId}>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td class={numeric ? 'num' : 'value'}>{formatValue(value)}</td>
          </tr>
        ))}
        {entries.length === 0 && (
          <tr>
            <td class="muted">none</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
