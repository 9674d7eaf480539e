/**
 * The files of a view's folders, grouped by header, as the engine reads them: a file is read by
 * the columns its own header names (older schema versions have fewer), so every group is one
 * `read_csv` with declared columns and no type sniffing. A file that is not a table of its folder
 * (another header, binary bytes) is left out and named to `onSkipped`,
 * as every listing of the store does, rather than taking the query down.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Column } from '../layout/tables.js';
import type { OnSkipped } from '../skipped-files.js';
import { mapConcurrently } from '../_map-concurrently.js';
import type { ViewSource } from './views.js';

/** Files of one folder that share a header: one `read_csv`. */
export interface FileGroup {
  /** The header's columns, in file order, typed by the data contract. */
  columns: readonly Column[];
  /** Absolute paths. */
  files: string[];
}

// A header is a line of column names: far shorter than this.
const HEADER_BYTES = 16 * 1024;
// Files opened at once: enough to hide the disk's latency, few enough for any ulimit.
const FILES_AT_ONCE = 16;

/** Whether `path` is a file of the table in `folder`: `<folder><name>.csv`, not in a sub-folder. */
export function isTableFile(folder: string, path: string): boolean {
  if (!path.startsWith(folder) || !path.endsWith('.csv')) return false;
  const name = path.slice(folder.length);
  return !name.includes('/') && name.length > '.csv'.length;
}

/**
 * Groups the table files `paths` (relative to `root`) of `source` by header.
 * @param paths the store's listing of the folder; only table files are looked at.
 */
export async function groupTableFiles(
  root: string,
  source: ViewSource,
  paths: readonly string[],
  onSkipped: OnSkipped | undefined,
): Promise<FileGroup[]> {
  const files = paths.filter((path) => isTableFile(source.folder, path));
  const headers = await mapConcurrently(files, FILES_AT_ONCE, async (path) => {
    const read = await readHeader(join(root, path));
    if (read.problem !== undefined) {
      onSkipped?.({ path, problem: read.problem });
      return undefined;
    }
    if (read.header === undefined) return undefined;
    const problem = headerProblem(read.header, source.columns);
    if (problem !== undefined) {
      onSkipped?.({ path, problem });
      return undefined;
    }
    return { path: join(root, path), header: read.header };
  });
  const groups = new Map<string, FileGroup>();
  for (const found of headers) {
    if (found === undefined) continue;
    const key = found.header.join(',');
    let group = groups.get(key);
    if (group === undefined) {
      const columns = found.header.map((name) =>
        source.columns.find((column) => column.name === name)!,
      );
      group = { columns, files: [] };
      groups.set(key, group);
    }
    group.files.push(found.path);
  }
  return [...groups.values()];
}

/**
 * A file's header cells; no header for an empty file (a table not yet written to has no rows);
 * a problem for a file the engine must not read.
 */
async function readHeader(file: string): Promise<{ header?: string[]; problem?: string }> {
  // No link is looked at: the local store's listing leaves links out, a mirror holds none, and
  // the engine refuses to open one that leads out of the store.
  const handle = await open(file, 'r').catch((error: unknown) => {
    // Deleted since the listing: as if it had not been listed.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (handle === undefined) return {};
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    if (bytesRead === 0) return {};
    const bytes = buffer.subarray(0, bytesRead);
    const end = bytes.indexOf(0x0a);
    if (end < 0 && bytesRead === HEADER_BYTES) return { problem: 'its first line is not a header' };
    const line = bytes
      .subarray(0, end < 0 ? bytesRead : end)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .replace(/\r$/, '');
    return { header: line.split(',') };
  } finally {
    await handle.close();
  }
}

/** Why a header is not one of the table's, or `undefined` when it is. */
function headerProblem(header: readonly string[], columns: readonly Column[]): string | undefined {
  const names = new Set(columns.map((column) => column.name));
  const key = columns[0]?.name;
  const unknown = header.filter((name) => !names.has(name));
  if (unknown.length > 0 || new Set(header).size !== header.length || !header.includes(key ?? '')) {
    const shown = header.join(',');
    return `its first line is not a header of this table (${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown})`;
  }
  return undefined;
}
