import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setSearch } from '../router.js';
import type { ChartSettings } from './scalar-charts.js';

/**
 * x axis, smoothing and log scale. They live in the URL (replacing the history entry, so the
 * back button leaves the page instead of undoing a slider); the slider shows its value at
 * once and writes the URL when the drag settles.
 */
export function ChartControls({ settings }: { settings: ChartSettings }): JSX.Element {
  const [smoothing, setSmoothing] = useState(settings.smoothing);
  useEffect(() => {
    setSmoothing(settings.smoothing);
  }, [settings.smoothing]);
  return (
    <div class="chart-controls">
      <label>
        x axis{' '}
        <select
          data-testid="x-axis"
          value={settings.xAxis}
          onChange={(event) => {
            setSearch(
              { x: event.currentTarget.value === 'time' ? 'time' : null },
              { replace: true },
            );
          }}
        >
          <option value="step">step</option>
          <option value="time">wall time</option>
        </select>
      </label>
      <label class="smoothing">
        smoothing{' '}
        <input
          type="range"
          data-testid="smoothing"
          min="0"
          max="0.99"
          step="0.01"
          value={smoothing}
          onInput={(event) => {
            setSmoothing(Number(event.currentTarget.value));
          }}
          onChange={(event) => {
            const value = Number(event.currentTarget.value);
            setSearch({ smooth: value > 0 ? value : null }, { replace: true });
          }}
        />
        <output class="num">{smoothing.toFixed(2)}</output>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="log-scale"
          checked={settings.logScale}
          onChange={(event) => {
            setSearch({ log: event.currentTarget.checked ? '1' : null }, { replace: true });
          }}
        />{' '}
        log scale
      </label>
    </div>
  );
}
