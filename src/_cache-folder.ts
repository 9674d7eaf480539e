/**
 * The user's cache folder for ml-tracking: where a process keeps what can be rebuilt from the
 * store (the journal of unsent writes, mirrors and indexes of a bucket), never inside the store.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * `$XDG_CACHE_HOME` (when absolute), `~/.cache`; `~/Library/Caches` on macOS; `%LOCALAPPDATA%` on
 * Windows; then `ml-tracking/<part>`.
 * @example cacheFolder('journal') // ~/.cache/ml-tracking/journal
 */
export function cacheFolder(
  part: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const xdg = env.XDG_CACHE_HOME;
  const cache =
    xdg !== undefined && isAbsolute(xdg)
      ? xdg
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : process.platform === 'win32'
          ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
          : join(homedir(), '.cache');
  return join(cache, 'ml-tracking', part);
}
