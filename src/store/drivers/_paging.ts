import { mapConcurrently } from '../../_map-concurrently.js';
import type { ListOptions, ListPage, ObjectInfo } from '../types.js';

/** Stats in flight at once while a page is described. */
const STATS_IN_FLIGHT = 64;

/** The page size when the caller names none, as on GCS. */
export const DEFAULT_PAGE_SIZE = 1000;

/**
 * Cuts one page out of a full listing. The token is the last path of the previous page, so a
 * listing stays correct when objects are added or removed between pages.
 */
export function pageOf(sortedObjects: readonly ObjectInfo[], options: ListOptions): ListPage {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const after = options.pageToken;
  const start = after === undefined ? 0 : sortedObjects.findIndex((object) => object.path > after);
  const objects = start === -1 ? [] : sortedObjects.slice(start, start + pageSize);
  const last = objects.at(-1);
  const more = start !== -1 && start + pageSize < sortedObjects.length;
  return more && last ? { objects, nextPageToken: last.path } : { objects };
}

/**
 * One page of a listing known by path only: the page is cut first and `describe` is called for
 * its paths alone (a stat each, locally), so paging through n objects costs n stats, not n per
 * page. An object that vanished in between is left out of its page.
 */
export async function pageOfPaths(
  paths: readonly string[],
  options: ListOptions,
  describe: (path: string) => Promise<ObjectInfo | undefined>,
): Promise<ListPage> {
  const sorted = [...paths].sort();
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const after = options.pageToken;
  const start = after === undefined ? 0 : sorted.findIndex((path) => path > after);
  const page = start === -1 ? [] : sorted.slice(start, start + pageSize);
  // A bounded number of stats in flight: a page of 100,000 started at once held the event loop
  // for 2 s settling them (a server answering nothing meanwhile), where 64 at a time interleave.
  const objects = (await mapConcurrently(page, STATS_IN_FLIGHT, describe)).filter(
    (object): object is ObjectInfo => object !== undefined,
  );
  const last = page.at(-1);
  const more = start !== -1 && start + pageSize < sorted.length;
  return more && last !== undefined ? { objects, nextPageToken: last } : { objects };
}

/** Code-unit order, the order GCS lists in. */
export function byPath(a: ObjectInfo, b: ObjectInfo): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * Every path of a listing known by path only, described in path order a page at a time (a
 * bounded number of stats in flight): one walk serves the whole listing. An object that vanished
 * in between is left out.
 */
export async function* describeAll(
  paths: readonly string[],
  describe: (path: string) => Promise<ObjectInfo | undefined>,
): AsyncIterable<ObjectInfo> {
  const sorted = [...paths].sort();
  for (let start = 0; start < sorted.length; start += DEFAULT_PAGE_SIZE) {
    const page = sorted.slice(start, start + DEFAULT_PAGE_SIZE);
    for (const object of await mapConcurrently(page, STATS_IN_FLIGHT, describe)) {
      if (object !== undefined) yield object;
    }
  }
}
