/**
 * The records of selected runs that the list has not loaded (a shared URL selects runs from
 * anywhere), for their names in the legends and the sidebar. Fetched after the charts' data
 * (never on the critical path), a few at a time, and applied in one update so the charts are
 * rebuilt once, not once per run.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RunItem } from '../../api.js';
import { fetchJson } from '../api-client.js';
import { segment } from '../components/link.js';

const CONCURRENT_REQUESTS = 6;

export function useSelectedRuns(
  selected: readonly string[],
  listed: ReadonlyMap<string, RunItem>,
  enabled: boolean,
): Map<string, RunItem> {
  const [fetched, setFetched] = useState<Map<string, RunItem>>(() => new Map());
  const missing = selected.filter((id) => !listed.has(id) && !fetched.has(id));
  const missingKey = missing.join(',');

  useEffect(() => {
    if (!enabled || missingKey === '') return;
    const controller = new AbortController();
    const queue = missingKey.split(',');
    const found = new Map<string, RunItem>();
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          found.set(id, await fetchJson<RunItem>(`/api/runs/${segment(id)}`, controller.signal));
        } catch {
          // A run that is gone keeps its id as its label; the charts say the rest.
          if (controller.signal.aborted) return;
        }
      }
    };
    void Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, worker)).then(() => {
      if (controller.signal.aborted || found.size === 0) return;
      setFetched((previous) => new Map([...previous, ...found]));
    });
    return () => {
      controller.abort();
    };
  }, [missingKey, enabled]);

  return fetched;
}
