/**
 * A small router over the History API: the URL (path and search parameters) is the page's
 * state, so every view can be bookmarked, shared and reached with the back button.
 */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();
const notify = (): void => {
  for (const listener of listeners) listener();
};
window.addEventListener('popstate', notify);

export interface NavigateOptions {
  /** Replace the history entry instead of adding one (typing, toggles, selections). */
  replace?: boolean;
}

/** Goes to `url` (a path with its search) without reloading the page. */
export function navigate(url: string, options: NavigateOptions = {}): void {
  const current = location.pathname + location.search;
  if (url === current) return;
  if (options.replace === true) {
    history.replaceState(null, '', url);
  } else {
    const newPage = new URL(url, location.href).pathname !== location.pathname;
    history.pushState(null, '', url);
    // A new page starts at its top; a changed parameter (sort, selection) keeps the place.
    if (newPage) window.scrollTo(0, 0);
  }
  notify();
}

export interface Route {
  path: string;
  search: URLSearchParams;
}

const readRoute = (): Route => ({
  path: location.pathname,
  search: new URLSearchParams(location.search),
});

/** The current route; re-renders the caller on every navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const listener = (): void => {
      setRoute(readRoute());
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return route;
}

/**
 * The current URL with some search parameters changed: `null` or `''` removes one. Commas stay
 * readable (`select=a,b`) since they need no escaping in a query.
 */
export function withSearch(changes: Record<string, string | number | null>): string {
  const search = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') search.delete(key);
    else search.set(key, String(value));
  }
  const text = search.toString().replaceAll('%2C', ',');
  return location.pathname + (text === '' ? '' : `?${text}`);
}

/** Changes search parameters of the current page (see {@link withSearch}). */
export function setSearch(
  changes: Record<string, string | number | null>,
  options: NavigateOptions = {},
): void {
  navigate(withSearch(changes), options);
}

/** A comma-separated list parameter (`select=a,b`) as an array, without empty items. */
export function listParam(search: URLSearchParams, name: string): string[] {
  return (search.get(name) ?? '').split(',').filter((item) => item !== '');
}
