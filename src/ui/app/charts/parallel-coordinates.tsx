import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SweepDetail } from '../../api.js';

type Input = Pick<
  SweepDetail,
  'allTrials' | 'hyperparameterNames' | 'parameters' | 'metric' | 'goal'
>;

/**
 * Every trial's hyperparameters and metric on parallel axes. Vega and Vega-Lite are large, so
 * they load here, on demand, after the rest of the page is on screen. `data-state` turns
 * `drawn` once the chart is rendered (`error` if it could not be).
 */
export function ParallelCoordinates({ sweep }: { sweep: Input }): JSX.Element {
  const root = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // Redraw only when what the chart shows changed (polling returns equal data most times).
  const key = JSON.stringify([
    sweep.allTrials,
    sweep.hyperparameterNames,
    sweep.metric,
    sweep.goal,
  ]);
  const latest = useRef(sweep);
  latest.current = sweep;

  useEffect(() => {
    const element = container.current!;
    const state = root.current!.dataset;
    let finalize: (() => void) | undefined;
    let cancelled = false;
    // A function, since a check after `await` must read the variable again.
    const isCancelled = (): boolean => cancelled;
    import('./parallel-coordinates-view.js')
      .then(async ({ renderParallelCoordinates }) => {
        if (isCancelled()) return;
        const done = await renderParallelCoordinates(element, latest.current);
        if (isCancelled()) {
          done();
          return;
        }
        finalize = done;
        state.state = 'drawn';
      })
      .catch((reason: unknown) => {
        state.state = 'error';
        setFailure(reason instanceof Error ? reason.message : String(reason));
      });
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [key]);

  return (
    <div
      ref={root}
      class="parallel-coordinates"
      data-testid="parallel-coordinates"
      data-state="loading"
    >
      {failure !== null && <p class="error-box">Could not draw the chart: {failure}</p>}
      <div ref={container} class="vega-container" />
    </div>
  );
}
