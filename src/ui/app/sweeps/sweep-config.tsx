import type { JSX } from 'preact';
import type { SweepDetail } from '../../api.js';
import { formatCount, formatValue } from '../format.js';

/** A spec object (`{ distribution: 'log_uniform', min: 1e-4 }`) as `distribution log_uniform · min 0.0001`. */
function describe(spec: unknown): string {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return formatValue(spec);
  return Object.entries(spec)
    .map(
      ([key, value]) =>
        `${key} ${Array.isArray(value) ? value.map(formatValue).join(', ') : formatValue(value)}`,
    )
    .join(' · ');
}

/** What the sweep searches and how: method, metric, budget, seed, search space, stopping rule. */
export function SweepConfig({ sweep }: { sweep: SweepDetail }): JSX.Element {
  return (
    <section class="sweep-config" data-testid="sweep-config">
      <dl class="facts">
        <div>
          <dt>method</dt>
          <dd>{sweep.method}</dd>
        </div>
        <div>
          <dt>metric</dt>
          <dd>
            {sweep.metric ?? '—'} ({sweep.goal === 'max' ? 'maximise' : 'minimise'})
          </dd>
        </div>
        <div>
          <dt>budget</dt>
          <dd>{formatCount(sweep.trialCount)} trials</dd>
        </div>
        <div>
          <dt>seed</dt>
          <dd>{sweep.seed}</dd>
        </div>
        <div>
          <dt>early stopping</dt>
          <dd>{sweep.earlyStopping === null ? 'none' : describe(sweep.earlyStopping)}</dd>
        </div>
      </dl>
      <table class="table key-value search-space">
        <thead>
          <tr>
            <th>hyperparameter</th>
            <th>search space</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(sweep.parameters).map(([name, spec]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td class="value">{describe(spec)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
