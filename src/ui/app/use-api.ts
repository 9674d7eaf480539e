/**
 * One request's state for a component: the newest answer, the error if the newest attempt
 * failed, and whether a request is in flight. A new `path` aborts the request before it (so a
 * fast typist's older filter cannot overwrite a newer one); the previous data stays on screen
 * while the next loads, so paging does not flash an empty page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchJson } from './api-client.js';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  /** A request the user asked for is in flight (a refresh does not count). */
  loading: boolean;
  /** Fetches the same path again without showing it as loading (live pages). */
  refresh: () => void;
}

export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [generation, setGeneration] = useState(0);
  const refreshing = useRef(false);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    if (!refreshing.current) setLoading(true);
    refreshing.current = false;
    fetchJson<T>(path, controller.signal).then(
      (body) => {
        setData(body);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason);
        setLoading(false);
      },
    );
    return () => {
      controller.abort();
    };
  }, [path, generation]);

  return {
    data,
    error,
    loading,
    refresh: () => {
      refreshing.current = true;
      setGeneration((value) => value + 1);
    },
  };
}

/**
 * Calls `refresh` `ms` after each new answer (`answer` changes) while `active`: polling that
 * never overlaps itself, however slow the server is.
 */
export function useRefreshWhile(
  active: boolean,
  ms: number,
  refresh: () => void,
  answer: unknown,
): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => {
      latest.current();
    }, ms);
    return () => {
      clearTimeout(timer);
    };
  }, [active, ms, answer]);
}

/** The page root's `data-state` for tests and the benchmark. */
export function pageState(state: { data: unknown; error: unknown; loading: boolean }): string {
  if (state.error !== undefined) return 'error';
  return state.data === undefined || state.loading ? 'loading' : 'ready';
}
