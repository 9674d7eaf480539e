/**
 * An engine over a store: its table files found (read in place on a local store, mirrored into
 * the cache folder from any other), grouped by header, and the views made over them.
 */
import { realpath } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { requireExistingStore } from '../store/existing-store.js';
import type { Store } from '../store/types.js';
import type { OnSkipped } from '../skipped-files.js';
import { openQueryEngine, type QueryEngine, type ViewFiles } from './_engine.js';
import { mirrorFolder, mirrorTables } from './_mirror.js';
import { groupTableFiles } from './_table-files.js';
import { queryViews, type QueryView } from './views.js';

/** Options of {@link openStoreEngine}. */
export interface StoreEngineOptions {
  /** See `openQueryEngine`. */
  confined: boolean;
  /** Only these views. @default every view */
  views?: readonly QueryView[];
  /**
   * The statement the engine is for: only the views it names are given their files (the others
   * are made with no row), so a query of the experiments does not list and open every run and
   * scalars file. A name counts wherever it appears as a word, quoted or not: reading a view
   * for nothing costs time, never a wrong answer. @default every view gets its files
   */
  sql?: string;
  /** Where the cache folder is read from (`XDG_CACHE_HOME`). @default process.env */
  env?: Record<string, string | undefined>;
  onSkipped?: OnSkipped | undefined;
}

/** Opens an engine with the views over `store`'s tables as they are now. */
export async function openStoreEngine(
  store: Store,
  options: StoreEngineOptions,
): Promise<QueryEngine> {
  await requireExistingStore(store);
  const views = options.views ?? queryViews();
  const named = (view: QueryView) =>
    options.sql === undefined || new RegExp(`\\b${view.name}\\b`, 'i').test(options.sql);
  const folders = [
    ...new Set(views.filter(named).flatMap((view) => view.sources.map((source) => source.folder))),
  ];
  let root: string;
  let paths: string[];
  if (store.kind === 'local') {
    root = await realpath(fileURLToPath(store.url));
    paths = [];
    for (const folder of folders) {
      for await (const object of store.listAll(folder)) paths.push(object.path);
    }
  } else {
    const mirror = await mirrorTables(store, folders, mirrorFolder(store.url, options.env));
    root = await realpath(mirror.root);
    paths = mirror.paths;
  }
  const files: ViewFiles[] = [];
  for (const view of views) {
    const sources = [];
    for (const source of view.sources) {
      sources.push({
        source,
        groups: named(view) ? await groupTableFiles(root, source, paths, options.onSkipped) : [],
      });
    }
    files.push({ view, sources });
  }
  return openQueryEngine(root, files, { confined: options.confined });
}
