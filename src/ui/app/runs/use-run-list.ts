/**
 * The Runs tab's list: the first page for the current filter, and the pages "Load more"
 * appends. A new filter starts over (and aborts the older filter's request).
 */
import { useEffect, useState } from 'preact/hooks';
import type { RunItem, RunsResponse, SkippedFileJson } from '../../api.js';
import { fetchJson, query } from '../api-client.js';

export const RUNS_PAGE_SIZE = 100;

export interface RunList {
  runs: RunItem[];
  total: number;
  projects: string[];
  /** Run files the server could not read (from the latest page). */
  skipped: SkippedFileJson[];
  error: unknown;
  /** The first page for this filter has not arrived. */
  loading: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

export function useRunList(project: string, text: string): RunList {
  const [answer, setAnswer] = useState<{
    key: string;
    runs: RunItem[];
    total: number;
    projects: string[];
    skipped: SkippedFileJson[];
  } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = `${project}\u0000${text}`;

  const fetchPage = (offset: number, signal?: AbortSignal): Promise<RunsResponse> =>
    fetchJson<RunsResponse>(
      `/api/runs${query({ project, q: text, limit: RUNS_PAGE_SIZE, offset })}`,
      signal,
    );

  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    fetchPage(0, controller.signal).then(
      (page) => {
        setAnswer({
          key,
          runs: page.runs,
          total: page.total,
          projects: page.projects,
          skipped: page.skipped,
        });
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(reason);
      },
    );
    return () => {
      controller.abort();
    };
  }, [key]);

  const current = answer?.key === key ? answer : null;
  return {
    runs: current?.runs ?? answer?.runs ?? [],
    total: current?.total ?? 0,
    projects: answer?.projects ?? [],
    skipped: answer?.skipped ?? [],
    error,
    loading: current === null && error === undefined,
    loadingMore,
    loadMore: () => {
      if (current === null || loadingMore) return;
      setLoadingMore(true);
      fetchPage(current.runs.length).then(
        (page) => {
          setAnswer((previous) =>
            previous?.key === key
              ? { ...previous, runs: [...previous.runs, ...page.runs], total: page.total }
              : previous,
          );
          setLoadingMore(false);
        },
        (reason: unknown) => {
          setError(reason);
          setLoadingMore(false);
        },
      );
    },
  };
}
