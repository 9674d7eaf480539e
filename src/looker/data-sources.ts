/**
 * The Looker Studio data sources of a store, derived from the data contract in
 * `src/layout/tables.ts`: one data source per folder, its fields typed for Looker Studio, and the
 * calculated fields a report adds on top. `dashboards/data-sources.json` is this, written out
 * (a test fails when it is stale).
 */
import { allTables, type Column, type ColumnType } from '../layout/tables.js';

/** Field types of Looker Studio that the store's columns map to. */
export type LookerFieldType = 'TEXT' | 'NUMBER' | 'BOOLEAN' | 'DATETIME' | 'DATE' | 'URL' | 'IMAGE';

/** A field of a data source, as the Cloud Storage connector should type it. */
export interface LookerField {
  name: string;
  /** The Looker Studio type to set on the field. */
  type: LookerFieldType;
  /** The column type of the data contract it comes from. */
  columnType: ColumnType;
  description: string;
  /** How to get the type when the connector guesses otherwise, if that needs saying. */
  note?: string;
}

/** A calculated field to add to a data source (Resource → Manage added data sources → Add a field). */
export interface LookerCalculatedField {
  name: string;
  /** The Looker Studio formula, to paste as is. */
  formula: string;
  type: LookerFieldType;
  description: string;
}

/** One Looker Studio data source: every CSV file of one folder of the store. */
export interface LookerDataSource {
  /** Data source alias in the template report and in Linking API parameters (`ds.<alias>.*`). */
  alias: string;
  /** Folder under the store root (`gs://bucket[/prefix]/<folder>`). */
  folder: string;
  /** Display name of the data source. */
  name: string;
  fields: LookerField[];
  calculatedFields: LookerCalculatedField[];
}

const FIELD_TYPES: Record<ColumnType, LookerFieldType> = {
  text: 'TEXT',
  number: 'NUMBER',
  integer: 'NUMBER',
  boolean: 'BOOLEAN',
  datetime: 'DATETIME',
  date: 'DATE',
  json: 'TEXT',
  url: 'URL',
};

const FIELD_NOTES: Partial<Record<ColumnType, string>> = {
  datetime:
    'Stored as RFC 3339 text (2024-05-01T12:34:56.789Z); set the type to Date & Time, or use the calculated field',
  date: 'Stored as YYYY-MM-DD text; set the type to Date, or use the calculated field',
  json: 'JSON text; Looker Studio has no JSON type, use REGEXP_EXTRACT to pull out a value',
  integer: 'Whole number',
  url: 'Set the type to URL; the calculated IMAGE field shows the picture itself',
};

/** The Looker Studio type of a column type of the data contract. */
export function lookerFieldType(type: ColumnType): LookerFieldType {
  return FIELD_TYPES[type];
}

/** The alias of a folder's data source: `projects/classification` → `tracking_classification`. */
export function dataSourceAlias(folder: string): string {
  return folder
    .replace(/^projects(?=\/|$)/, 'tracking')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

/** The display name of a folder's data source: `projects/regression` → `ml-tracking Tracking (regression)`. */
export function dataSourceName(folder: string): string {
  const [table = folder, kind] = folder.split('/');
  const title: Record<string, string> = {
    projects: 'Tracking',
    scoring: 'Model scoring',
    predictions: 'Predictions',
    confusion: 'Confusion matrices',
    runs: 'Runs',
    scalars: 'Scalars',
    sweeps: 'Sweeps',
    model_runs: 'Model runs',
  };
  const base = title[table] ?? table;
  return `ml-tracking ${base}${kind === undefined ? '' : ` (${kind})`}`;
}

function field(column: Column): LookerField {
  const note = FIELD_NOTES[column.type];
  return {
    name: column.name,
    type: lookerFieldType(column.type),
    columnType: column.type,
    description: column.description,
    ...(note === undefined ? {} : { note }),
  };
}

/** Turns a `gs://` plot URL into one a signed-in browser can load; https URLs pass unchanged. */
const browserUrl = (name: string) =>
  `REGEXP_REPLACE(${name}, "^gs://", "https://storage.cloud.google.com/")`;

const PLOT_TITLES: Record<string, string> = {
  plot_confusion_matrix: 'Confusion matrix',
  plot_confusion_matrix_normalized: 'Confusion matrix, normalised',
  plot_roc: 'ROC curve',
  plot_precision_recall: 'Precision–recall curve',
  plot_calibration: 'Calibration',
  plot_regression: 'Predicted vs actual',
  plot_residuals: 'Residuals',
};

function calculatedFields(columns: readonly Column[]): LookerCalculatedField[] {
  const names = new Set(columns.map((column) => column.name));
  const fields: LookerCalculatedField[] = [];
  for (const column of columns) {
    if (column.type === 'date') {
      fields.push({
        name: `${column.name}_day`,
        formula: `PARSE_DATE("%Y-%m-%d", ${column.name})`,
        type: 'DATE',
        description: `${column.name} as a date, for date-range controls and time series`,
      });
    } else if (column.type === 'datetime') {
      fields.push({
        name: `${column.name}_time`,
        formula: `PARSE_DATETIME("%Y-%m-%dT%H:%M:%S", LEFT(${column.name}, 19))`,
        type: 'DATETIME',
        description: `${column.name} as a date and time (UTC, to the second)`,
      });
    } else if (column.type === 'url' && column.name.startsWith('plot_')) {
      const title = PLOT_TITLES[column.name] ?? column.name.slice('plot_'.length);
      fields.push({
        name: `${column.name}_image`,
        formula: `IMAGE(${browserUrl(column.name)}, "${title}")`,
        type: 'IMAGE',
        description: `The ${title.toLowerCase()} plot itself, for a table cell`,
      });
    }
  }
  if (names.has('correct')) {
    fields.push({
      name: 'correct_count',
      formula: 'CASE WHEN correct THEN 1 ELSE 0 END',
      type: 'NUMBER',
      description: 'Average it for the accuracy of the selected samples',
    });
  }
  if (names.has('residual')) {
    fields.push({
      name: 'absolute_residual',
      formula: 'ABS(residual)',
      type: 'NUMBER',
      description: 'Average it for the MAE of the selected samples',
    });
  }
  if (names.has('actual') && names.has('predicted')) {
    fields.push({
      name: 'outcome',
      formula: 'CASE WHEN actual = predicted THEN "correct" ELSE "error" END',
      type: 'TEXT',
      description: 'Whether the cell is on the diagonal of the confusion matrix',
    });
  }
  if (names.has('metric') && names.has('class')) {
    fields.push({
      name: 'metric_label',
      formula:
        'CASE WHEN class IS NULL OR class = "" THEN metric ELSE CONCAT(metric, " · ", class) END',
      type: 'TEXT',
      description: 'The metric, with its class when it is a per-class metric',
    });
  }
  return fields;
}

/** Every data source of a store, in the order of `allTables()`: one per folder. */
export function lookerDataSources(): LookerDataSource[] {
  return allTables().map((table) => ({
    alias: dataSourceAlias(table.folder),
    folder: table.folder,
    name: dataSourceName(table.folder),
    fields: table.columns.map(field),
    calculatedFields: calculatedFields(table.columns),
  }));
}
