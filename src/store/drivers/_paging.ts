import type { ListOptions, ListPage, ObjectInfo } from '../types.js';

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

/** Code-unit order, the order GCS lists in. */
export function byPath(a: ObjectInfo, b: ObjectInfo): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
