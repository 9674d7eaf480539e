/**
 * The step series of a set of runs, kept current. Series are cached per run, so ticking one
 * more run fetches that run only; runs whose status is `running` are fetched again every
 * {@link POLL_MS} after the previous answer (not on a fixed clock, so a slow server is never
 * asked twice at once). The API takes at most {@link RUNS_PER_REQUEST} runs per request; a
 * bigger selection is split into parallel requests.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RunStatus } from '../status.js';
import type { ScalarsResponse, SeriesJson, SkippedFileJson } from '../../api.js';
import { fetchJson, query } from '../api-client.js';

export const POLL_MS = 2000;
const RUNS_PER_REQUEST = 200;

export interface RunScalars {
  series: Record<string, SeriesJson>;
  status: RunStatus;
}

export interface ScalarsState {
  /** Per run id, once its series arrived. A new Map on every change. */
  runs: Map<string, RunScalars>;
  error: unknown;
  /** Some asked-for run has not arrived yet. */
  loading: boolean;
  /** Files of the asked-for runs the server could not read (their charts are left out). */
  skipped: SkippedFileJson[];
}

interface ScalarsOptions {
  /** Points per series the server thins to: about the chart's width in pixels. */
  maxPoints: number;
  /** Only these tags (the sweep's metric); all when absent. */
  tags?: readonly string[];
}

export function useScalars(
  runIds: readonly string[],
  { maxPoints, tags }: ScalarsOptions,
): ScalarsState {
  const tagKey = tags?.join(',') ?? '';
  const [runs, setRuns] = useState<Map<string, RunScalars>>(() => new Map());
  const [error, setError] = useState<unknown>(undefined);
  const cache = useRef(runs);
  // By path: the answer about a run replaces what an earlier answer said about its files.
  const [skipped, setSkipped] = useState<Map<string, SkippedFileJson>>(() => new Map());
  const idsKey = runIds.join(',');

  // A different tag set or resolution makes every cached series wrong.
  const cacheKey = `${tagKey}|${maxPoints}`;
  const cachedFor = useRef(cacheKey);
  if (cachedFor.current !== cacheKey) {
    cachedFor.current = cacheKey;
    cache.current = new Map();
  }

  useEffect(() => {
    const ids = idsKey === '' ? [] : idsKey.split(',');
    const missing = ids.filter((id) => !cache.current.has(id));
    const running = ids.filter((id) => cache.current.get(id)?.status === 'running');
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const load = (wanted: string[]): void => {
      if (wanted.length === 0) return;
      void fetchChunks(wanted, maxPoints, tagKey, controller.signal).then(
        (answer) => {
          const next = new Map(cache.current);
          for (const id of wanted) {
            next.set(id, {
              series: answer.series[id] ?? {},
              status: answer.status[id] ?? 'finished',
            });
          }
          cache.current = next;
          setRuns(next);
          setSkipped((previous) => {
            const files = new Map(
              [...previous].filter(([path]) => !wanted.some((id) => path.includes(id))),
            );
            for (const file of answer.skipped) files.set(file.path, file);
            return files;
          });
          setError(undefined);
        },
        (reason: unknown) => {
          if (!controller.signal.aborted) setError(reason);
        },
      );
    };

    load(missing);
    // Poll the running runs this effect knows of; new answers re-run the effect (via `runs`).
    if (running.length > 0) {
      timer = setTimeout(() => {
        load(running);
      }, POLL_MS);
    }
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [idsKey, maxPoints, tagKey, runs]);

  const loading = runIds.some((id) => !cache.current.has(id)) && error === undefined;
  const ids = new Set(runIds);
  const shown = [...skipped.values()].filter((file) =>
    [...ids].some((id) => file.path.includes(id)),
  );
  return { runs: cache.current, error, loading, skipped: shown };
}

async function fetchChunks(
  ids: readonly string[],
  maxPoints: number,
  tagKey: string,
  signal: AbortSignal,
): Promise<ScalarsResponse> {
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += RUNS_PER_REQUEST) {
    chunks.push(ids.slice(start, start + RUNS_PER_REQUEST));
  }
  const answers = await Promise.all(
    chunks.map((chunk) =>
      fetchJson<ScalarsResponse>(
        `/api/scalars${query({ runs: chunk.join(','), maxPoints, tags: tagKey })}`.replaceAll(
          '%2C',
          ',',
        ),
        signal,
      ),
    ),
  );
  const merged: ScalarsResponse = { series: {}, status: {}, skipped: [] };
  for (const answer of answers) {
    Object.assign(merged.series, answer.series);
    Object.assign(merged.status, answer.status);
    merged.skipped.push(...answer.skipped);
  }
  return merged;
}

/** Points to ask the server for: about the width a chart gets on this screen. */
export function chartResolution(reservedPixels = 0): number {
  return Math.max(300, Math.min(2000, Math.round(window.innerWidth - reservedPixels)));
}
