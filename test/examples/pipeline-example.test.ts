// examples/pipeline run as a user runs it, through the built CLI (`ml-tracking pipeline`), then
// read back with the library: test mode runs every version and writes nothing; execution mode
// records one finished run per version with the per-host log and output files; a second `-r`
// runs nothing; and `--list -r` says every version is done.
//
// The scripts import `ml-tracking` by name, which resolves to this repository only from inside
// it, so the models folder stays where it is; the processes run in a temporary folder, and
// execution mode reads a copy of the example's configuration whose checkpoint folder is
// temporary too, so that no test leaves `examples/pipeline/checkpoints/` behind.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, openStore, type Store } from '../../src/index.js';
import { pipelineModelFolder } from '../../src/layout/paths.js';
import { BUILT_CLI } from '../support/programs.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const example = join(repositoryRoot, 'examples', 'pipeline');
const exampleConfig = join(example, 'ml-tracking.pipeline.json');
const cli = BUILT_CLI;
const PROJECT = 'iris-pipeline';
/** Every (script, version) of the example, in `script:version` form. */
const VERSIONS = ['iris_forest:large', 'iris_forest:small', 'iris_softmax:default'];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ml-tracking pipeline …args` in `cwd`, as the built package's binary. */
function pipeline(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'pipeline', ...args],
      { cwd, env: { ...process.env, ML_TRACKING_STORE: '' }, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function objectPaths(store: Store): Promise<string[]> {
  const paths: string[] = [];
  for await (const object of store.listAll()) paths.push(object.path);
  return paths.sort();
}

/** The lines of `text` that name both the script and the version of `scriptVersion`. */
function linesNaming(text: string, scriptVersion: string): string[] {
  const [script, version] = scriptVersion.split(':') as [string, string];
  const word = (name: string) => new RegExp(`(^|[^A-Za-z0-9._-])${name}($|[^A-Za-z0-9._-])`);
  return text.split('\n').filter((line) => word(script).test(line) && word(version).test(line));
}

// Needs `npm run build` (npm test builds first).
describe('examples/pipeline', () => {
  let folder: string;
  let checkpoints: string;
  let executionConfig: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ml-tracking-example-pipeline-'));
    checkpoints = join(folder, 'checkpoints');
    // The example's own configuration with absolute model folders and a temporary checkpoint
    // folder; its list files copied beside it, as they are.
    const config = JSON.parse(await readFile(exampleConfig, 'utf8')) as {
      project: string;
      modelDirs: string[];
    };
    const configFolder = join(folder, 'config');
    await mkdir(configFolder);
    executionConfig = join(configFolder, 'ml-tracking.pipeline.json');
    await writeFile(
      executionConfig,
      JSON.stringify({
        project: config.project,
        modelDirs: config.modelDirs.map((models) => join(example, models)),
        checkpointDir: checkpoints,
      }),
    );
    for (const list of ['models.config', 'models_test.config']) {
      await copyFile(join(example, list), join(configFolder, list));
    }
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runs all three versions in test mode and writes nothing to the store', async () => {
    const storeFolder = join(folder, 'test-mode-store');
    const hadCheckpoints = existsSync(join(example, 'checkpoints'));
    const outcome = await pipeline(['--config', exampleConfig, '--store', storeFolder], folder);
    expect(outcome.code, outcome.stderr).toBe(0);
    const output = `${outcome.stdout}\n${outcome.stderr}`;
    for (const version of VERSIONS) {
      expect(linesNaming(output, version), `${version} in:\n${output}`).not.toEqual([]);
    }
    const store = await openStore(storeFolder);
    try {
      expect(await objectPaths(store)).toEqual([]);
    } finally {
      await store.close();
    }
    // Test mode trains in temporary folders: the example's checkpoint folder is not made.
    if (!hadCheckpoints) expect(existsSync(join(example, 'checkpoints'))).toBe(false);
  }, 180_000);

  describe('execution mode', () => {
    let storeFolder: string;
    let store: Store;
    beforeAll(async () => {
      storeFolder = join(folder, 'store');
      store = await openStore(storeFolder);
    });
    afterAll(async () => {
      await store.close();
    });

    it('records a finished run per version, its model and the per-host log and output files', async () => {
      const outcome = await pipeline(
        ['-r', '--config', executionConfig, '--store', storeFolder],
        folder,
      );
      expect(outcome.code, outcome.stderr).toBe(0);

      const runs = await listRuns({ store, project: PROJECT });
      expect(runs).toHaveLength(3);
      expect(
        runs.map((run) => `${run.pipelineScript ?? '?'}:${run.pipelineVersion ?? '?'}`).sort(),
      ).toEqual(VERSIONS);
      for (const run of runs) {
        expect(run.status).toBe('finished');
        expect(run.origin).toBe('pipeline');
        // Iris is easy: every version of either model is right about most test flowers.
        expect(run.summary.accuracy?.last, run.pipelineVersion).toBeGreaterThan(0.8);
      }
      const forest = runs.find((run) => run.pipelineVersion === 'large')!;
      // The forest grows 5 trees an epoch (21 flowers a batch) for 10 epochs.
      expect(forest.summary['test/accuracy']?.count).toBe(10);
      expect(forest.summary['test/accuracy']?.lastStep).toBe(50);
      expect(forest.hyperparameters).toMatchObject({ batchSize: 21, epochCount: 10, seed: 7 });

      // Each model folder holds its model: in the store (ctx.outputs) and on disk (ctx.modelDir).
      for (const modelDir of ['iris_forest', 'iris_forest-large', 'iris_softmax']) {
        const saved = await store.readText(`${pipelineModelFolder(PROJECT, modelDir)}model.json`);
        expect(JSON.parse(saved)).toHaveProperty('classes', ['setosa', 'versicolor', 'virginica']);
        expect(await readdir(join(checkpoints, modelDir))).toContain('model.json');
      }

      const host = hostname();
      const log = await store.readText(`outputs/log-${host}`);
      const results = await store.readText(`outputs/output-${host}`);
      for (const version of VERSIONS) {
        expect(linesNaming(results, version), `${version} in:\n${results}`).not.toEqual([]);
      }
      // What the models log with this.log reaches the host's log.
      expect(log).toMatch(/epoch 10\/10: 50 trees/);
    }, 180_000);

    it('runs nothing when run again, and --list -r says every version is done', async () => {
      const again = await pipeline(
        ['-r', '--config', executionConfig, '--store', storeFolder],
        folder,
      );
      expect(again.code, again.stderr).toBe(0);
      expect(await listRuns({ store, project: PROJECT })).toHaveLength(3);

      const list = await pipeline(
        ['--list', '-r', '--config', executionConfig, '--store', storeFolder],
        folder,
      );
      expect(list.code, list.stderr).toBe(0);
      for (const version of VERSIONS) {
        const lines = linesNaming(list.stdout, version);
        expect(lines, `${version} in:\n${list.stdout}`).toHaveLength(1);
        expect(lines[0]).toMatch(/\bdone\b/);
      }
    }, 180_000);
  });
});
