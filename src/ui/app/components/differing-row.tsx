/**
 * One row of a side-by-side comparison (experiments, runs): a parameter's name and each compared
 * item's value as text, marked `data-differs` and highlighted where the values differ.
 */
export function DifferingRow({
  name,
  values,
  differs = new Set(values).size > 1,
}: {
  name: string;
  values: readonly string[];
  /** Whether the values differ, when known better than their text (numbers shown rounded). */
  differs?: boolean;
}) {
  return (
    <tr data-name={name} data-differs={differs ? 'true' : 'false'} class={differs ? 'differs' : ''}>
      <th scope="row">{name}</th>
      {values.map((value, index) => (
        <td key={index} class="mono">
          {value}
        </td>
      ))}
    </tr>
  );
}
