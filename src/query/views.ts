/**
 * The SQL views over a store, declared from the data contract (`layout/tables.ts`): each view's
 * columns and types, and the table folders it reads. Nothing here is sniffed from the files, so
 * an empty folder still gives a view with every column, and a view's types are the same on every
 * store.
 */
import {
  CONFUSION_COLUMNS,
  EXPERIMENT_KINDS,
  MODEL_RUNS_COLUMNS,
  RUNS_COLUMNS,
  SCALARS_COLUMNS,
  SCORING_COLUMNS,
  SWEEPS_COLUMNS,
  predictionColumns,
  trackingColumns,
  type Column,
  type ColumnType,
} from '../layout/tables.js';
import { RUNS_FOLDER, SCORING_FOLDER, SWEEPS_FOLDER, trackerFolder } from '../layout/paths.js';

/** One folder a view reads: every `<folder><name>.csv` directly in it is a file of its table. */
export interface ViewSource {
  /** Folder under the store root, with its trailing `/`. */
  folder: string;
  /**
   * The table's columns (its current schema). A file's header may hold any of them, in any
   * order (older schema versions hold fewer): the file is read by its own header.
   */
  columns: readonly Column[];
  /** Columns the folder decides rather than the files (a predictions file's kind). */
  constants?: Readonly<Record<string, string>>;
}

/** A view of `ml-tracking query`. */
export interface QueryView {
  name: string;
  description: string;
  /** The view's columns, in order. */
  columns: readonly Column[];
  sources: readonly ViewSource[];
}

/** The engine's type of each contract type: what a column of that type reads as. */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'VARCHAR',
  url: 'VARCHAR',
  json: 'JSON',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  datetime: 'TIMESTAMPTZ',
  date: 'DATE',
};

/**
 * The columns of several tables as one: each list's columns in its order, a column that a later
 * list adds placed after the column it follows there (regression metrics beside classification
 * metrics, not after the plots).
 */
function mergeColumns(lists: readonly (readonly Column[])[]): Column[] {
  const merged: Column[] = [];
  for (const list of lists) {
    list.forEach((column, index) => {
      if (merged.some((known) => known.name === column.name)) return;
      const before = list[index - 1];
      const at = before === undefined ? 0 : merged.findIndex((known) => known.name === before.name);
      merged.splice(at + 1, 0, column);
    });
  }
  return merged;
}

function folderOf(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

const single = (
  name: string,
  description: string,
  folder: string,
  columns: readonly Column[],
): QueryView => ({ name, description, columns, sources: [{ folder: folderOf(folder), columns }] });

const KIND_OF_FOLDER: Column = {
  name: 'kind',
  type: 'text',
  description: 'classification or regression (the folder the file is in)',
};

/** The predictions of both kinds: labels as text, since a class label is text and a regression target a number. */
function predictionsView(): QueryView {
  const classification = predictionColumns('classification');
  const regression = predictionColumns('regression');
  const [id, ...rest] = classification;
  const residual = regression.find((column) => column.name === 'residual');
  const columns = [
    ...(id === undefined ? [] : [id]),
    KIND_OF_FOLDER,
    ...rest.map((column) =>
      column.name === 'y_true' || column.name === 'y_pred'
        ? {
            ...column,
            type: 'text' as const,
            description: `${column.description}, as written: a class label, or a number (cast with ::DOUBLE)`,
          }
        : column,
    ),
    ...(residual === undefined ? [] : [residual]),
  ];
  return {
    name: 'predictions',
    description: 'One row per test sample of every experiment',
    columns,
    sources: EXPERIMENT_KINDS.map((kind) => ({
      folder: `predictions/${kind}/`,
      columns: predictionColumns(kind),
      constants: { kind },
    })),
  };
}

/** Every view, in the order `--tables` lists them. */
export function queryViews(): readonly QueryView[] {
  return [
    {
      name: 'experiments',
      description: 'Every logged experiment of both kinds (the trackers), one row each',
      columns: mergeColumns(EXPERIMENT_KINDS.map((kind) => trackingColumns(kind))),
      sources: EXPERIMENT_KINDS.map((kind) => ({
        folder: trackerFolder(kind),
        columns: trackingColumns(kind),
      })),
    },
    single(
      'scoring',
      'Every metric of every experiment, per class too',
      SCORING_FOLDER,
      SCORING_COLUMNS,
    ),
    predictionsView(),
    single(
      'confusion',
      'Confusion-matrix counts of each experiment',
      'confusion',
      CONFUSION_COLUMNS,
    ),
    single('runs', 'One row per run', RUNS_FOLDER, RUNS_COLUMNS),
    single('scalars', "Every run's step series, one row per point", 'scalars', SCALARS_COLUMNS),
    single('sweeps', 'One row per sweep', SWEEPS_FOLDER, SWEEPS_COLUMNS),
    single('model_runs', 'One row per trainModel run', 'model_runs', MODEL_RUNS_COLUMNS),
  ];
}

/** The names of every view. */
export const queryViewNames = (): string[] => queryViews().map((view) => view.name);
