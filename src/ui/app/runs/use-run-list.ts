/**
 * The Runs tab's list: the first page for the current filter, and the pages "Load more"
 * appends. A new filter starts over (and aborts the older filter's request). Right after the
 * server restarted, its answer comes from its cache (`checkedAt` null) while it checks the store:
 * the list asks again until the server has, so runs started or ended meanwhile show without a
 * reload.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RunItem, RunsResponse, SkippedFileJson } from '../../api.js';
import { fetchJson, query } from '../api-client.js';

export const RUNS_PAGE_SIZE = 100;
/** How long to wait before asking again a server that has not checked the store yet. */
const RECHECK_MS = 1000;

export interface RunList {
  runs: RunItem[];
  total: number;
  projects: string[];
  /** Run files the server could not read (from the latest page). */
  skipped: SkippedFileJson[];
  error: unknown;
  /** The first page for this filter has not arrived. */
  loading: boolean;
  /** The list is the server's cache of its last start; it is checking the store for changes. */
  checking: boolean;
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
    checking: boolean;
  } | null>(null);
  /** Bumped to ask again for what is loaded (the server was still checking the store). */
  const [recheck, setRecheck] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = `${project}\u0000${text}`;

  const fetchPage = (offset: number, limit: number, signal?: AbortSignal): Promise<RunsResponse> =>
    fetchJson<RunsResponse>(`/api/runs${query({ project, q: text, limit, offset })}`, signal);

  const current = answer?.key === key ? answer : null;
  // On a recheck, as many runs as "Load more" had brought (the server answers up to 1000).
  const loaded = Math.max(RUNS_PAGE_SIZE, current?.runs.length ?? 0);

  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    fetchPage(0, recheck === 0 ? RUNS_PAGE_SIZE : loaded, controller.signal).then(
      (page) => {
        setAnswer({
          key,
          runs: page.runs,
          total: page.total,
          projects: page.projects,
          skipped: page.skipped,
          checking: page.checkedAt === null,
        });
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(reason);
      },
    );
    return () => {
      controller.abort();
    };
  }, [key, recheck]);

  useEffect(() => {
    if (current?.checking !== true) return;
    const timer = setTimeout(() => {
      setRecheck((count) => count + 1);
    }, RECHECK_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [current]);

  return {
    runs: current?.runs ?? answer?.runs ?? [],
    total: current?.total ?? 0,
    projects: answer?.projects ?? [],
    skipped: answer?.skipped ?? [],
    error,
    loading: current === null && error === undefined,
    checking: current?.checking ?? false,
    loadingMore,
    loadMore: () => {
      if (current === null || loadingMore) return;
      setLoadingMore(true);
      fetchPage(current.runs.length, RUNS_PAGE_SIZE).then(
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
