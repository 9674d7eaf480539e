// `ml_tracking.query` as a Python user calls it, against the built CLI: a list of dicts without
// pandas (and pandas never imported when it is not wanted), a DataFrame with it, and the CLI's
// errors as the client's exceptions.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/index.js';
import { runProcess } from '../support/processes.js';
import { python, pythonEnvironment, SKIP_NO_PYTHON } from '../support/python.js';
import { seedQueryStore, type Seed } from '../query/_query-store.js';

// Debian's python3-pandas is installed for /usr/bin/python3 (the PATH's python3 may lack it).
const PANDAS_PYTHON = '/usr/bin/python3';
const hasPandas = spawnSync(PANDAS_PYTHON, ['-c', 'import pandas']).status === 0;

const SCRIPT = `
import json, sys
from ml_tracking import query, ValidationError
store, mode = sys.argv[1], sys.argv[2]
sql = "SELECT kind, model, rmse, logged_at FROM experiments WHERE project = 'soil' ORDER BY kind"
if mode == "list":
    rows = query(sql, store=store, as_pandas=False)
    print(json.dumps({"type": type(rows).__name__, "rows": rows, "pandas_imported": "pandas" in sys.modules}))
elif mode == "auto":
    rows = query(sql, store=store)
    print(json.dumps({"type": type(rows).__name__, "pandas_imported": "pandas" in sys.modules}))
elif mode == "frame":
    frame = query(sql, store=store, as_pandas=True)
    print(json.dumps({"type": type(frame).__name__, "columns": list(frame.columns), "models": list(frame["model"]), "rmse": frame["rmse"].iloc[1]}))
elif mode == "comment":
    print(json.dumps(query("-- the number of experiments\\nSELECT count(*) AS n FROM experiments", store=store, as_pandas=False)))
elif mode == "error":
    try:
        query("SELEC 1", store=store, as_pandas=False)
    except ValidationError as error:
        print(json.dumps({"parameter": error.parameter, "code": error.code, "message": str(error)}))
`;

describe('ml_tracking.query (Python)', () => {
  let folder: string;
  let store: Store;
  let seed: Seed;
  const answer = async (interpreter: string, mode: string) => {
    const result = await runProcess(interpreter, ['-c', SCRIPT, folder, mode], {
      env: pythonEnvironment(),
    });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-python-query-'));
    store = await openStore(folder);
    seed = await seedQueryStore(store);
  });
  afterAll(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('returns a list of dicts with as_pandas=False, without importing pandas', async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    expect(await answer(python!, 'list')).toEqual({
      type: 'list',
      rows: [
        {
          kind: 'classification',
          model: 'Forest',
          rmse: null,
          logged_at: expect.stringMatching(/Z$/) as unknown,
        },
        {
          kind: 'regression',
          model: 'Ridge',
          rmse: seed.regressionScores.rmse,
          logged_at: expect.stringMatching(/Z$/) as unknown,
        },
      ],
      pandas_imported: false,
    });
    expect(await answer(python!, 'comment')).toEqual([{ n: 3 }]);
  });

  it('by default, a DataFrame where pandas is installed and a list where it is not', async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    const withoutPandas = spawnSync(python!, ['-c', 'import pandas']).status !== 0;
    expect(await answer(python!, 'auto')).toEqual(
      withoutPandas
        ? { type: 'list', pandas_imported: false }
        : { type: 'DataFrame', pandas_imported: true },
    );
    context.skip(!hasPandas, `${PANDAS_PYTHON} has no pandas (apt-get install python3-pandas)`);
    expect(await answer(PANDAS_PYTHON, 'auto')).toEqual({
      type: 'DataFrame',
      pandas_imported: true,
    });
  });

  it('as_pandas=True gives a DataFrame with the columns in the order of the query', async (context) => {
    context.skip(!hasPandas, `${PANDAS_PYTHON} has no pandas (apt-get install python3-pandas)`);
    expect(await answer(PANDAS_PYTHON, 'frame')).toEqual({
      type: 'DataFrame',
      columns: ['kind', 'model', 'rmse', 'logged_at'],
      models: ['Forest', 'Ridge'],
      rmse: seed.regressionScores.rmse,
    });
  });

  it('a statement that does not parse raises ValidationError on sql', async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    expect(await answer(python!, 'error')).toEqual({
      parameter: 'sql',
      code: 'ERR_VALIDATION',
      message: expect.stringMatching(
        /^Invalid sql: Parser Error: syntax error at or near "SELEC"/,
      ) as unknown,
    });
  });
});
