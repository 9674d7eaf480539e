/**
 * `ModelTracker`: the table an `Experiment` records its runs in, one row per model, with the
 * ordered union of the rows' column names (rows may differ: each experiment reports its own
 * results). Kept in the store as JSON (types survive) or CSV (for spreadsheets), rewritten whole
 * by a compare-and-swap on the object's generation, so two writers never overwrite each other
 * unseen; `update` adds the retries and a writer's key, so a change lands exactly once.
 */
import { parse } from 'csv-parse/sync';
import { encodeTable, FORMULA_START, PLAIN_NUMBER, type CellValue } from '../csv/encode.js';
import { ValidationError } from '../errors.js';
import { jsonText } from '../_json.js';
import { commitTrackerFile, writeTrackerFile } from '../records/experiment-records.js';
import { readTextIfExists } from '../store/outcomes.js';
import type { ObjectInfo, Store } from '../store/types.js';

/** One row of a tracker: values by column name. */
export type TrackerRow = Record<string, unknown>;

/** What `find` and `remove` match: a predicate, or values that matching rows hold exactly. */
export type TrackerQuery = ((row: Readonly<TrackerRow>) => boolean) | TrackerRow;

/** What {@link ModelTracker.toJSON} returns and {@link ModelTracker.fromJSON} reads. */
export interface ModelTrackerJson {
  columns: string[];
  rows: TrackerRow[];
}

/** The stored file's format, chosen by the path's extension. */
type TrackerFormat = 'json' | 'csv';

/**
 * A table of rows and the ordered union of their column names: a column's place is where it
 * first appeared, and columns stay when rows are removed (a tracker's columns only grow, as a
 * spreadsheet's would).
 *
 * @example
 * const tracker = await ModelTracker.load(store, 'experiment-trackers/soil.json');
 * tracker.upsert('model_name', { model_name: 'rf-200', accuracy: 0.91 });
 * await tracker.save(store, 'experiment-trackers/soil.json'); // ConflictError if someone saved first
 */
export class ModelTracker {
  private rowList: TrackerRow[] = [];
  private readonly columns: string[] = [];
  private readonly columnSet = new Set<string>();
  /** Path and generation of the stored file this tracker was loaded from or saved to. */
  private stored: { path: string; generation: string } | undefined;

  /** A tracker holding `rows` (copied), in order. */
  constructor(rows: Iterable<TrackerRow> = []) {
    for (const row of rows) this.addRow(row);
  }

  /** The column names, in order of first appearance. */
  get columnNames(): string[] {
    return [...this.columns];
  }

  /** How many rows the tracker holds. */
  get length(): number {
    return this.rowList.length;
  }

  /**
   * The generation of the stored file this tracker was last loaded from or saved to: `"0"` when
   * it was loaded from a path that held no file yet, `undefined` for a tracker never loaded or
   * saved. `save` to the same path writes only if the file is still at this generation.
   */
  get generation(): string | undefined {
    return this.stored?.generation;
  }

  /** Adds a row (a shallow copy) at the end; its new columns go after the existing ones. */
  addRow(row: TrackerRow): this {
    this.rowList.push(this.accept(row));
    return this;
  }

  /**
   * Replaces the row whose `key` column equals `row[key]`, in place, or adds `row` when none
   * does. If several rows match (added with `addRow`), the first is replaced and the others are
   * removed: afterwards exactly one row has that key.
   * @returns `'replaced'` or `'added'`
   * @example tracker.upsert('model_name', { model_name: 'rf-200', accuracy: 0.93 })
   */
  upsert(key: string, row: TrackerRow): 'replaced' | 'added' {
    checkColumnName(key, 'key');
    const accepted = this.accept(row, false);
    if (accepted[key] === undefined) {
      throw new ValidationError(
        'row',
        `it has no value for the key column "${key}"`,
        `Give the row a "${key}" value: it is what identifies the row to replace.`,
      );
    }
    const matches = (candidate: TrackerRow) => sameValue(candidate[key], accepted[key]);
    const first = this.rowList.findIndex(matches);
    this.addColumns(accepted);
    if (first === -1) {
      this.rowList.push(accepted);
      return 'added';
    }
    this.rowList = this.rowList.filter((candidate, index) => index <= first || !matches(candidate));
    this.rowList[first] = accepted;
    return 'replaced';
  }

  /**
   * The rows that match, in order, as copies (change them through `upsert` or `addRow`).
   * @example tracker.find({ model_name: 'rf-200' }); tracker.find((row) => Number(row.accuracy) > 0.9)
   */
  find(query: TrackerQuery): TrackerRow[] {
    const matches = matcher(query);
    return this.rowList.filter((row) => matches(row)).map((row) => ({ ...row }));
  }

  /** Removes the rows that match; returns how many were removed. Columns stay. */
  remove(query: TrackerQuery): number {
    const matches = matcher(query);
    const before = this.rowList.length;
    this.rowList = this.rowList.filter((row) => !matches(row));
    return before - this.rowList.length;
  }

  /** Every row, as copies, in order (a row lacks the columns it has no value for). */
  toRecords(): TrackerRow[] {
    return this.rowList.map((row) => ({ ...row }));
  }

  /**
   * The table as CSV with the project's encoder: a header of every column, one line per row,
   * a cell left empty where a row has no value, nested values (objects, arrays) as JSON text,
   * dates as RFC 3339, and text that a spreadsheet would run as a formula (`=1+1`) neutralised
   * with a leading `'` (which `fromCSV` takes off again).
   */
  toCSV(): string {
    return encodeTable(
      this.columns,
      this.rowList.map((row) => this.columns.map((column) => toCell(row[column]))),
    );
  }

  /** The columns and rows, for `JSON.stringify` (values JSON cannot hold become null or go). */
  toJSON(): ModelTrackerJson {
    return { columns: this.columnNames, rows: this.toRecords() };
  }

  /**
   * A tracker from what `toJSON` wrote: `{ columns, rows }` (or its JSON text), or a plain array
   * of rows. Columns listed in `columns` keep their order even where no row has a value.
   */
  static fromJSON(value: unknown): ModelTracker {
    const fix = 'Pass what ModelTracker.toJSON() returned: { columns: string[], rows: object[] }.';
    let data = value;
    if (typeof value === 'string') {
      try {
        data = JSON.parse(value) as unknown;
      } catch (error) {
        throw new ValidationError('json', 'it is not valid JSON', fix, { cause: error });
      }
    }
    const shaped = Array.isArray(data) ? { rows: data as unknown[] } : data;
    if (typeof shaped !== 'object' || shaped === null || !('rows' in shaped)) {
      throw new ValidationError('json', 'it has no rows', fix);
    }
    const { rows, columns } = shaped as { rows: unknown; columns?: unknown };
    if (!Array.isArray(rows)) throw new ValidationError('json.rows', 'it is not an array', fix);
    const tracker = new ModelTracker();
    if (columns !== undefined) {
      if (!Array.isArray(columns)) {
        throw new ValidationError('json.columns', 'it is not an array', fix);
      }
      for (const column of columns) tracker.addColumn(checkColumnName(column, 'json.columns'));
    }
    rows.forEach((row: unknown, index) => {
      if (!isPlainRow(row)) {
        throw new ValidationError(`json.rows[${index}]`, 'it is not an object', fix);
      }
      tracker.addRow(row);
    });
    return tracker;
  }

  /**
   * A tracker from CSV text with a header. CSV has no types: every value comes back as text, and
   * an empty cell as no value (the column stays). Column order is the header's.
   */
  static fromCSV(text: string): ModelTracker {
    const fix = 'Pass CSV text with a header line, such as ModelTracker.toCSV() writes.';
    let records: string[][];
    try {
      records = parse(text, { skip_empty_lines: true });
    } catch (error) {
      throw new ValidationError('csv', 'it is not valid CSV', fix, { cause: error });
    }
    const [header, ...lines] = records;
    const tracker = new ModelTracker();
    if (header === undefined) return tracker;
    const names = header.map((cell) => checkColumnName(fromCell(cell), 'csv header'));
    if (new Set(names).size !== names.length) {
      throw new ValidationError('csv header', 'a column name appears twice', fix);
    }
    for (const name of names) tracker.addColumn(name);
    for (const line of lines) {
      const row: TrackerRow = {};
      line.forEach((cell, index) => {
        if (cell !== '') row[names[index]!] = fromCell(cell);
      });
      tracker.addRow(row);
    }
    return tracker;
  }

  /**
   * Loads a tracker from the store, JSON or CSV by the path's extension (`.json`, `.csv`). A path
   * with no file yet gives an empty tracker at generation `"0"`, so that its first `save` creates
   * the file only if nobody else did meanwhile.
   * @example const tracker = await ModelTracker.load(store, 'experiment-trackers/soil.json');
   */
  static async load(store: Store, path: string): Promise<ModelTracker> {
    formatOf(path);
    const file = await readTextIfExists(store, path);
    const tracker = file === undefined ? new ModelTracker() : trackerFromText(file.text, path);
    tracker.stored = { path, generation: file?.generation ?? '0' };
    return tracker;
  }

  /**
   * Loads, changes and saves the tracker at `path` as one step that is safe to race and to retry.
   * When another writer saved first, it loads again and applies `change` to the fresh rows; and
   * `key` (values of a row that only this writer adds, such as its run id) tells a change that is
   * in already (this writer's earlier save, whose answer was lost on the way back) from one still
   * to make: the change lands exactly once, where a `save` retried by hand could add a row twice.
   * @returns `'applied'`, or `'already'` when a row matching `key` was there (nothing written).
   * @throws ValidationError when `key` is empty or `change` leaves no row matching it (the change
   *   could never be recognised); ConflictError when other writers kept saving first through
   *   every retry; what `change` throws (nothing is written then).
   * @example
   * await ModelTracker.update(store, 'trackers/soil.json', { run_id: runId }, (tracker) => {
   *   tracker.addRow({ run_id: runId, model_name: 'rf-200', accuracy: 0.91 });
   * });
   */
  static async update(
    store: Store,
    path: string,
    key: TrackerRow,
    change: (tracker: ModelTracker) => void,
  ): Promise<'applied' | 'already'> {
    formatOf(path);
    if (!isPlainRow(key) || Object.keys(key).length === 0) {
      throw new ValidationError(
        'key',
        'it is not an object of column values',
        'Pass values of the row this change adds, e.g. { run_id: runId }.',
      );
    }
    const result = await commitTrackerFile(store, path, {
      hasKey: (text) => trackerFromText(text, path).find(key).length > 0,
      apply: (current) => {
        const tracker =
          current === undefined ? new ModelTracker() : trackerFromText(current.text, path);
        change(tracker);
        if (tracker.find(key).length === 0) {
          throw new ValidationError(
            'key',
            `no row matches ${jsonText(key) ?? 'it'} after the change`,
            'Pass values of a row the change adds (such as its run id): they are how a retry knows the change is in.',
          );
        }
        return trackerText(tracker, path);
      },
    });
    return result.status === 'already' ? 'already' : 'applied';
  }

  /**
   * Writes the tracker to the store (JSON or CSV by extension), only if the file is still as it
   * was loaded: at the generation `load` (or the last `save`) saw at this path. A tracker not
   * loaded from this path is written only if no file exists there.
   * @throws ConflictError when another writer saved first: load again, re-apply the change, save.
   *   A save whose answer was lost can also throw it after it landed, so a change re-applied by
   *   hand must be one that is harmless twice (`upsert`), or use {@link ModelTracker.update}.
   */
  async save(store: Store, path: string): Promise<ObjectInfo> {
    const text = trackerText(this, path);
    const ifGeneration = this.stored?.path === path ? this.stored.generation : '0';
    const info = await writeTrackerFile(store, path, text, ifGeneration);
    this.stored = { path, generation: info.generation };
    return info;
  }

  /** Checks a row and returns a copy; registers its columns unless told not to yet. */
  private accept(row: unknown, register = true): TrackerRow {
    if (!isPlainRow(row)) {
      throw new ValidationError(
        'row',
        'it is not an object',
        'Pass a plain object of values by column name, e.g. { model_name: "rf", accuracy: 0.9 }.',
      );
    }
    const copy: TrackerRow = {};
    for (const [name, value] of Object.entries(row)) copy[checkColumnName(name, 'row')] = value;
    if (register) this.addColumns(copy);
    return copy;
  }

  private addColumns(row: TrackerRow): void {
    for (const name of Object.keys(row)) this.addColumn(name);
  }

  private addColumn(name: string): void {
    if (this.columnSet.has(name)) return;
    this.columnSet.add(name);
    this.columns.push(name);
  }
}

/** @internal A tracker from a stored file's text, JSON or CSV by the path's extension. */
export function trackerFromText(text: string, path: string): ModelTracker {
  return formatOf(path) === 'json' ? ModelTracker.fromJSON(text) : ModelTracker.fromCSV(text);
}

/** @internal A tracker's stored text, JSON or CSV by the path's extension. */
export function trackerText(tracker: ModelTracker, path: string): string {
  return formatOf(path) === 'json' ? `${jsonText(tracker) ?? '{}'}\n` : tracker.toCSV();
}

function formatOf(path: string): TrackerFormat {
  if (typeof path === 'string' && path.endsWith('.json')) return 'json';
  if (typeof path === 'string' && path.endsWith('.csv')) return 'csv';
  throw new ValidationError(
    'path',
    `${JSON.stringify(path)} ends in neither .json nor .csv`,
    'Name the tracker file *.json (keeps value types) or *.csv (for spreadsheets).',
  );
}

function checkColumnName(name: unknown, parameter: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new ValidationError(
      parameter,
      `${JSON.stringify(name)} is not a column name`,
      'Use non-empty text as column names.',
    );
  }
  return name;
}

function isPlainRow(value: unknown): value is TrackerRow {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matcher(query: TrackerQuery): (row: TrackerRow) => boolean {
  if (typeof query === 'function') return (row) => query(row);
  if (!isPlainRow(query)) {
    throw new ValidationError(
      'query',
      'it is neither a function nor an object',
      'Pass a predicate (row) => boolean, or values to match such as { model_name: "rf-200" }.',
    );
  }
  const wanted = Object.entries(query);
  return (row) => wanted.every(([column, value]) => sameValue(row[column], value));
}

/** Equal values: primitives by `Object.is`, objects and arrays by their JSON text. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return jsonText(a) === jsonText(b);
}

function toCell(value: unknown): CellValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return undefined;
      if (value instanceof Date) return value.toISOString();
      return jsonText(value);
    default:
      // Functions and symbols have no text a reader could use.
      return undefined;
  }
}

/** encode.ts's formula guard undone: a `'` comes off only where encodeCell would have put one. */
function fromCell(cell: string): string {
  if (!cell.startsWith("'")) return cell;
  const rest = cell.slice(1);
  return FORMULA_START.test(rest) && !PLAIN_NUMBER.test(rest) ? rest : cell;
}
