/**
 * The BigQuery views (and the SQL of dashboards/README.md) run by DuckDB over tables declared
 * from the data contract: DuckDB binds a view when it is created, so a table or column the
 * contract does not have fails here, and real files written through the public API check what
 * the joins give. DuckDB reads the same SQL once `identifiers` are "quoted" and FLOAT64 is named.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logExperiment, openStore, startRun, type Store } from '../../src/index.js';
import { allTables, type ColumnType } from '../../src/layout/tables.js';
import { bigQueryExternalTables, bigQueryViews } from '../../src/looker/bigquery-ddl.js';

const README = fileURLToPath(new URL('../../dashboards/README.md', import.meta.url));
const DATASET = 'my-project.ml_tracking';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  text: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  datetime: 'TIMESTAMP',
  date: 'DATE',
  json: 'VARCHAR',
  url: 'VARCHAR',
};

/** GoogleSQL's `a.b.c` identifiers as DuckDB's one quoted name each. */
const duckSql = (sql: string): string =>
  sql.replace(/`([^`]+)`/g, (_, name: string) => `"${name}"`);

/**
 * A connection with one table per folder of the contract, named as `ml-tracking bigquery` names
 * it, each filled from `files(folder)` (CSV files read with the contract's columns and types).
 */
async function contractDatabase(files: (folder: string) => string[] = () => []) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run('CREATE TYPE FLOAT64 AS DOUBLE');
  const tables = bigQueryExternalTables({ dataset: DATASET, store: 'gs://my-bucket/ml' });
  for (const [index, schema] of allTables().entries()) {
    const name = `"${tables[index]!.table}"`;
    const columns = schema.columns.map((column) => `${column.name} ${DUCKDB_TYPES[column.type]}`);
    await connection.run(`CREATE TABLE ${name} (${columns.join(', ')})`);
    const paths = files(schema.folder);
    if (paths.length === 0) continue;
    const types = schema.columns
      .map((column) => `'${column.name}': '${DUCKDB_TYPES[column.type]}'`)
      .join(', ');
    const list = paths.map((path) => `'${path.replace(/'/g, "''")}'`).join(', ');
    await connection.run(
      `INSERT INTO ${name} SELECT * FROM read_csv([${list}], header = true, columns = {${types}}, timestampformat = '%Y-%m-%dT%H:%M:%S.%gZ')`,
    );
  }
  for (const view of bigQueryViews({ dataset: DATASET })) await connection.run(duckSql(view.ddl));
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

async function rows(connection: DuckDBConnection, sql: string) {
  return (await connection.runAndReadAll(duckSql(sql))).getRowObjectsJS();
}

const START = '<!-- bigquery-views:start -->';
const END = '<!-- bigquery-views:end -->';

/** The views' statements as dashboards/README.md shows them, one SQL block each. */
const readmeViews = (): string =>
  bigQueryViews({ dataset: DATASET })
    .map((view) => `\`\`\`sql\n${view.ddl}\n\`\`\``)
    .join('\n\n');

/** The ```sql blocks of dashboards/README.md. */
async function readmeSql(): Promise<string[]> {
  const text = await readFile(README, 'utf8');
  return [...text.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

describe('the BigQuery views', () => {
  it('bind over the contract, every column named once and as declared', async () => {
    const database = await contractDatabase();
    try {
      for (const view of bigQueryViews({ dataset: DATASET })) {
        const described = await rows(database.connection, `DESCRIBE \`${view.view}\``);
        const names = described.map((row) => row.column_name);
        expect(names, view.view).toEqual(view.columns);
        expect(new Set(names).size, `${view.view} names a column twice`).toBe(names.length);
      }
    } finally {
      database.close();
    }
  });

  it('experiments has every tracker column of either kind, each typed as the contract says', async () => {
    const database = await contractDatabase();
    try {
      const described = await rows(database.connection, `DESCRIBE \`${DATASET}.experiments\``);
      const types = new Map(described.map((row) => [row.column_name, row.column_type]));
      for (const folder of ['projects/classification', 'projects/regression']) {
        for (const column of allTables().find((table) => table.folder === folder)!.columns) {
          expect(types.get(column.name), `${folder}.${column.name}`).toBe(
            DUCKDB_TYPES[column.type],
          );
        }
      }
    } finally {
      database.close();
    }
  });

  it('dashboards/README.md shows the views as the code makes them', async () => {
    const text = await readFile(README, 'utf8');
    const expected = `${START}\n\n${readmeViews()}\n\n${END}`;
    const region = new RegExp(`${START}[\\s\\S]*?${END}`);
    expect(text, `dashboards/README.md has no ${START} … ${END} region`).toMatch(region);
    if (process.env.UPDATE_DASHBOARDS === '1') {
      await writeFile(
        README,
        text.replace(region, () => expected),
      );
    }
    expect(
      (await readFile(README, 'utf8')).includes(expected),
      'The views in dashboards/README.md are stale: run UPDATE_DASHBOARDS=1 npx vitest run test/looker',
    ).toBe(true);
  });

  it('every SQL block of dashboards/README.md runs over the views', async () => {
    const blocks = await readmeSql();
    expect(blocks.length).toBeGreaterThanOrEqual(3 + bigQueryViews({ dataset: DATASET }).length);
    const database = await contractDatabase();
    try {
      for (const block of blocks) {
        // The views' own statements replace themselves; the queries read them.
        await rows(database.connection, block);
      }
    } finally {
      database.close();
    }
  });

  describe('over files written through the public API', () => {
    let root: string;
    let store: Store;
    let runId: string;
    let predictionId: string;
    let f1Macro: number;

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'ml-tracking-bigquery-views-'));
      store = await openStore(root);
      const run = await startRun({ project: 'Soil', name: 'brave-otter-1', store });
      run.addScalar('loss', 0.9, 0);
      run.addScalar('loss', 0.4, 1);
      run.addScalar('accuracy', 0.75, 1);
      runId = (await run.finish()).id;
      const logged = await logExperiment({
        kind: 'classification',
        project: 'Soil',
        parameters: {
          datasetUri: 'gs://data/soil.csv',
          targetColumn: 'texture',
          testSet: ['a', 'b', 'c', 'd'],
          model: { name: 'Forest', params: { trees: 10 } },
        },
        yTrue: ['x', 'y', 'x', 'y'],
        yPred: ['x', 'y', 'y', 'y'],
        plots: false,
        store,
      });
      predictionId = logged.predictionId;
      f1Macro = logged.scores.f1_macro!;
    });

    afterAll(async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    });

    async function filled() {
      const csvFiles = async (folder: string) => {
        const names = await readdir(join(root, folder)).catch(() => [] as string[]);
        return names
          .filter((name) => name.endsWith('.csv'))
          .map((name) => join(root, folder, name));
      };
      const byFolder = new Map(
        await Promise.all(
          allTables().map(async (table) => [table.folder, await csvFiles(table.folder)] as const),
        ),
      );
      return contractDatabase((folder) => byFolder.get(folder) ?? []);
    }

    it('run_scalars gives every point with its run, experiment_scores every score with its experiment', async () => {
      const database = await filled();
      try {
        const points = await rows(
          database.connection,
          `SELECT run_id, project, name, status, tag, step, value FROM \`${DATASET}.run_scalars\` ORDER BY tag, step`,
        );
        expect(points).toEqual([
          {
            run_id: runId,
            project: 'soil',
            name: 'brave-otter-1',
            status: 'finished',
            tag: 'accuracy',
            step: 1n,
            value: 0.75,
          },
          {
            run_id: runId,
            project: 'soil',
            name: 'brave-otter-1',
            status: 'finished',
            tag: 'loss',
            step: 0n,
            value: 0.9,
          },
          {
            run_id: runId,
            project: 'soil',
            name: 'brave-otter-1',
            status: 'finished',
            tag: 'loss',
            step: 1n,
            value: 0.4,
          },
        ]);
        const scores = await rows(
          database.connection,
          `SELECT prediction_id, model, dataset_uri, value FROM \`${DATASET}.experiment_scores\` WHERE metric = 'f1_macro' AND (class IS NULL OR class = '')`,
        );
        expect(scores).toEqual([
          {
            prediction_id: predictionId,
            model: 'Forest',
            dataset_uri: 'gs://data/soil.csv',
            value: f1Macro,
          },
        ]);
        const experiments = await rows(
          database.connection,
          `SELECT kind, f1_macro, rmse FROM \`${DATASET}.experiments\``,
        );
        expect(experiments).toEqual([{ kind: 'classification', f1_macro: f1Macro, rmse: null }]);
      } finally {
        database.close();
      }
    });
  });
});
