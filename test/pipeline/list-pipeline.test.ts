// listPipeline(): the queue without running anything. Test mode lists the scripts the list lets
// run and their versions in run order, and never touches a store; execution mode says where each
// version stands in the store: pending, running, finished or failed.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPipeline, runPipeline, type PipelineListing, type Store } from '../../src/index.js';
import {
  allowList,
  createPipelineFolder,
  numbersScript,
  plainScript,
} from '../fixtures/pipeline/pipeline-folder.js';

let parent = '';
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'ml-tracking-list-pipeline-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

/** A store any use of which fails the test: what must not be read is not. */
const untouchable = new Proxy({} as Store, {
  get(_target, property) {
    throw new Error(`the store was used (${String(property)})`);
  },
});

/** `script:version` → [status, runId] of an execution-mode listing. */
const states = (listing: PipelineListing) =>
  Object.fromEntries(
    listing.scripts.flatMap((script) =>
      script.versions.map((version) => [
        `${script.script}:${version.name}`,
        [version.status, version.runId],
      ]),
    ),
  );

describe('listPipeline', () => {
  it('test mode: the listed scripts and their versions in run order, without a store', async () => {
    const folder = await createPipelineFolder(parent, {
      scripts: {
        'a.mjs': numbersScript([
          { name: 'late', order: 2, batchSize: 2, epochCount: 3 },
          { name: 'plain' },
          { name: 'early', order: 1, epochCount: 7 },
        ]),
        'b.mjs': plainScript(),
        'unlisted.mjs': plainScript(),
        'broken.mjs': "throw new Error('broken on import');\n",
      },
      testList: allowList('b', 'a', 'broken'),
    });
    const listing = await listPipeline({ cwd: folder.folder, mode: 'test', store: untouchable });
    expect(listing).toEqual({
      mode: 'test',
      project: folder.project,
      listFile: folder.listFile('test'),
      scripts: [
        {
          script: 'b',
          file: join(folder.folder, 'models', 'b.mjs'),
          versions: [{ name: 'v1', epochCount: 2, batchSize: 4 }],
        },
        {
          script: 'a',
          file: join(folder.folder, 'models', 'a.mjs'),
          versions: [
            { name: 'early', order: 1, epochCount: 7, batchSize: 4 },
            { name: 'late', order: 2, epochCount: 3, batchSize: 2 },
            { name: 'plain', epochCount: 2, batchSize: 4 },
          ],
        },
        {
          script: 'broken',
          file: join(folder.folder, 'models', 'broken.mjs'),
          error: expect.stringContaining('broken on import') as unknown,
          versions: [],
        },
      ],
    });
    // Listing ran no version.
    expect(await folder.ran()).toEqual([]);
  });

  it('execution mode: each version pending, running, finished or failed, with its run', async () => {
    const folder = await createPipelineFolder(parent, {
      scripts: {
        'a.mjs': numbersScript([
          { name: 'v1', waitForFile: 'release' },
          { name: 'v2', fail: 'a-v2-broke' },
        ]),
        'b.mjs': plainScript(),
      },
      executionList: allowList('a'),
    });
    const options = { cwd: folder.folder, mode: 'execution', store: folder.store } as const;
    const release = join(folder.folder, 'release');
    try {
      const before = await listPipeline(options);
      expect(before.store).toMatch(/^file:/);
      expect(states(before)).toEqual({
        'a:v1': ['pending', undefined],
        'a:v2': ['pending', undefined],
      });

      // While a:v1 runs (it waits for `release`), the listing says so; then it is released.
      let during: Promise<PipelineListing> | undefined;
      let startedRun: string | undefined;
      const report = await runPipeline({
        ...options,
        onEvent: (event) => {
          if (event.type !== 'version-started' || event.version !== 'v1') return;
          startedRun = event.runId;
          during = listPipeline(options).finally(() => {
            writeFileSync(release, '');
          });
        },
      });
      const running = await during!;
      expect(states(running)).toEqual({
        'a:v1': ['running', startedRun],
        'a:v2': ['pending', undefined],
      });
      expect(running.scripts[0]!.versions[0]!.agent).toBe(`${hostname()}:${process.pid}`);

      await folder.writeList('execution', allowList('a', 'b'));
      const after = await listPipeline(options);
      const runIds = Object.fromEntries(
        report.versions.map((each) => [`${each.script}:${each.version}`, each.runId]),
      );
      expect(states(after)).toEqual({
        'a:v1': ['finished', runIds['a:v1']],
        'a:v2': ['failed', runIds['a:v2']],
        'b:v1': ['pending', undefined],
      });
      expect(after.store).toBe(report.store);
      expect(await folder.ran()).toEqual(['a:v1', 'a:v2']);
    } finally {
      // A version still waiting (the test failed early) is let go.
      await writeFile(release, '');
    }
  });
});
