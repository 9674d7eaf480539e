/**
 * BigQuery views over the external tables of `bigquery-ddl.ts` that join the store's tables on
 * their keys (runs ⋈ scalars on `run_id`, experiments ⋈ scoring on `prediction_id`, sweeps ⋈ runs
 * on `sweep_id`, model_runs ⋈ runs on `run_id`), and `experiments`, the trackers of both kinds in
 * one table. Every column is named from the data contract (`src/layout/tables.ts`) and checked
 * against it here, so a renamed column fails when the SQL is made, not in a user's BigQuery.
 * The SQL is plain (SELECT, JOIN, UNION ALL): DuckDB runs it too, which is how the tests check it.
 */
import {
  allTables,
  EXPERIMENT_KINDS,
  type Column,
  MODEL_RUNS_COLUMNS,
  RUNS_COLUMNS,
  SCALARS_COLUMNS,
  SCORING_COLUMNS,
  SWEEPS_COLUMNS,
  trackingColumns,
} from '../layout/tables.js';
import { bigQueryType, type JsonAs } from './bigquery-types.js';
import { dataSourceAlias } from './data-sources.js';

/** One view: its name in the dataset, what a row is, and the statement that creates it. */
export interface BigQueryView {
  /** `project.dataset.view` or `dataset.view`. */
  view: string;
  description: string;
  /** The view's columns, in order. */
  columns: string[];
  /** `CREATE OR REPLACE VIEW …;`, with the description as a comment above it. */
  ddl: string;
}

/** A table or view a view reads, under a short alias. */
interface Source {
  name: string;
  alias: string;
  columns: readonly Column[];
}

/** How a view reads: one source, optionally joined to a second on one key. */
interface JoinView {
  name: string;
  description: string;
  from: Source;
  join: { source: Source; type: 'JOIN' | 'LEFT JOIN'; key: string };
  /** `[source alias, column]`, in the view's order. */
  select: readonly (readonly [string, string])[];
}

const tableName = (folder: string): string => dataSourceAlias(folder);

function columnOf(source: Source, name: string): Column {
  const column = source.columns.find((candidate) => candidate.name === name);
  // A programming error: the contract and this file disagree.
  if (column === undefined) throw new Error(`${source.name} has no column ${name}`);
  return column;
}

/** The trackers of both kinds, every column of either (empty where a kind has none). */
function experimentsColumns(): Column[] {
  const columns: Column[] = [];
  for (const kind of EXPERIMENT_KINDS) {
    for (const column of trackingColumns(kind)) {
      if (!columns.some((known) => known.name === column.name)) columns.push(column);
    }
  }
  return columns;
}

function experimentsSql(dataset: string, jsonAs: JsonAs): string {
  const columns = experimentsColumns();
  return EXPERIMENT_KINDS.map((kind) => {
    const own = new Set(trackingColumns(kind).map((column) => column.name));
    // A kind without the column gives a NULL of the column's type, so that the union's type
    // never depends on which branch an engine types first.
    const select = columns.map((column) =>
      own.has(column.name)
        ? column.name
        : `CAST(NULL AS ${bigQueryType(column.type, jsonAs)}) AS ${column.name}`,
    );
    return `SELECT\n  ${select.join(',\n  ')}\nFROM \`${dataset}.${tableName(`projects/${kind}`)}\``;
  }).join('\nUNION ALL\n');
}

function joinViews(): JoinView[] {
  const runs = (alias: string): Source => ({ name: 'runs', alias, columns: RUNS_COLUMNS });
  return [
    {
      name: 'run_scalars',
      description:
        "Every point of every run's step series, with its run's name, project, status and sweep (scalars ⋈ runs on run_id).",
      from: { name: 'scalars', alias: 's', columns: SCALARS_COLUMNS },
      join: { source: runs('r'), type: 'LEFT JOIN', key: 'run_id' },
      select: [
        ['s', 'run_id'],
        ['r', 'project'],
        ['r', 'name'],
        ['r', 'status'],
        ['r', 'origin'],
        ['r', 'sweep_id'],
        ['r', 'trial'],
        ['r', 'experiment'],
        ['s', 'tag'],
        ['s', 'step'],
        ['s', 'value'],
        ['s', 'wall_time'],
      ],
    },
    {
      name: 'experiment_scores',
      description:
        'Every score of every logged experiment (per class where it applies), with what was trained on what (scoring ⋈ experiments on prediction_id).',
      from: { name: 'scoring', alias: 'sc', columns: SCORING_COLUMNS },
      join: {
        source: { name: 'experiments', alias: 'e', columns: experimentsColumns() },
        type: 'JOIN',
        key: 'prediction_id',
      },
      select: [
        ['sc', 'prediction_id'],
        ['sc', 'project'],
        ['sc', 'kind'],
        ['e', 'logged_at'],
        ['e', 'model'],
        ['e', 'dataset_uri'],
        ['e', 'target_column'],
        ['e', 'test_set_size'],
        ['e', 'test_set_sha256'],
        ['e', 'hyperparameters'],
        ['e', 'git_commit'],
        ['e', 'git_dirty'],
        ['sc', 'metric'],
        ['sc', 'class'],
        ['sc', 'value'],
      ],
    },
    {
      name: 'sweep_trials',
      description:
        "Every trial of every sweep: the sweep's method and optimisation metric beside the trial's run (sweeps ⋈ runs on sweep_id).",
      from: { name: 'sweeps', alias: 'sw', columns: SWEEPS_COLUMNS },
      join: { source: runs('r'), type: 'JOIN', key: 'sweep_id' },
      select: [
        ['sw', 'sweep_id'],
        ['sw', 'project'],
        ['sw', 'method'],
        ['sw', 'optimization_metric'],
        ['sw', 'optimization_goal'],
        ['r', 'trial'],
        ['r', 'run_id'],
        ['r', 'name'],
        ['r', 'status'],
        ['r', 'started_at'],
        ['r', 'ended_at'],
        ['r', 'hyperparameters'],
        ['r', 'summary'],
      ],
    },
    {
      name: 'trained_models',
      description:
        'Every trainModel run with its run record: classes, parameters, data set and metrics beside status, host and command (model_runs ⋈ runs on run_id).',
      from: { name: 'model_runs', alias: 'm', columns: MODEL_RUNS_COLUMNS },
      join: { source: runs('r'), type: 'LEFT JOIN', key: 'run_id' },
      select: [
        ['m', 'run_id'],
        ['m', 'project'],
        ['m', 'kind'],
        ['m', 'model_class'],
        ['m', 'hyperparameters'],
        ['m', 'feature_generator_class'],
        ['m', 'dataset_class'],
        ['m', 'dataset_params'],
        ['m', 'test_fraction'],
        ['m', 'seed'],
        ['m', 'metrics'],
        ['m', 'prediction_id'],
        ['m', 'reproduces'],
        ['m', 'git_commit'],
        ['m', 'git_dirty'],
        ['r', 'name'],
        ['r', 'status'],
        ['r', 'host'],
        ['r', 'started_at'],
        ['r', 'ended_at'],
        ['r', 'command'],
        ['r', 'working_directory'],
      ],
    },
  ];
}

function joinSql(dataset: string, view: JoinView): string {
  const { from, join } = view;
  const sources = new Map([from, join.source].map((source) => [source.alias, source]));
  const select = view.select.map(([alias, name]) => {
    const source = sources.get(alias);
    if (source === undefined) throw new Error(`${view.name} has no source ${alias}`);
    return `${alias}.${columnOf(source, name).name}`;
  });
  columnOf(from, join.key);
  columnOf(join.source, join.key);
  return [
    `SELECT\n  ${select.join(',\n  ')}`,
    `FROM \`${dataset}.${from.name}\` AS ${from.alias}`,
    `${join.type} \`${dataset}.${join.source.name}\` AS ${join.source.alias}`,
    `  ON ${join.source.alias}.${join.key} = ${from.alias}.${join.key}`,
  ].join('\n');
}

function statement(dataset: string, name: string, description: string, sql: string): string {
  return `-- ${description}\nCREATE OR REPLACE VIEW \`${dataset}.${name}\` AS\n${sql};`;
}

/**
 * The views of a dataset whose external tables `bigQueryExternalTables` made, in an order that
 * creates each after what it reads. `dataset` is checked by the caller.
 */
export function bigQueryViewsOf(dataset: string, jsonAs: JsonAs): BigQueryView[] {
  // The views read the external tables by the names bigquery-ddl.ts gives them.
  const tables = new Set(allTables().map((table) => tableName(table.folder)));
  const experiments: BigQueryView = {
    view: `${dataset}.experiments`,
    description:
      'Every logged experiment of both kinds, one row each (kind says which), with every column of either kind.',
    columns: experimentsColumns().map((column) => column.name),
    ddl: '',
  };
  experiments.ddl = statement(
    dataset,
    'experiments',
    experiments.description,
    experimentsSql(dataset, jsonAs),
  );
  return [
    experiments,
    ...joinViews().map((view) => {
      for (const source of [view.from, view.join.source]) {
        if (source.name !== 'experiments' && !tables.has(source.name)) {
          throw new Error(`${view.name} reads ${source.name}, which is no table of the store`);
        }
      }
      return {
        view: `${dataset}.${view.name}`,
        description: view.description,
        columns: view.select.map(([, name]) => name),
        ddl: statement(dataset, view.name, view.description, joinSql(dataset, view)),
      };
    }),
  ];
}
