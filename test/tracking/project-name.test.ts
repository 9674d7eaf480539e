import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { logExperiment, openStore, ValidationError } from '../../src/index.js';
import { MAX_PROJECT_SLUG_LENGTH, slugifyProject } from '../../src/tracking/project-name.js';

describe('project names', () => {
  it.each([
    ['tracker_testing_1_/first_run', 'tracker-testing-1-first-run'],
    ['Soil Carbon/2024 Q1', 'soil-carbon-2024-q1'],
    ['../../etc', 'etc'],
    ['  --Crème brûlée__ÉTÉ--  ', 'creme-brulee-ete'],
    ['a.b,c;d', 'a-b-c-d'],
  ])('%s → %s', (name, slug) => {
    expect(slugifyProject(name)).toBe(slug);
  });

  it.each(['___', '', '   ', '/..//', '日本語'])('rejects %j, naming the parameter', (name) => {
    expect(() => slugifyProject(name)).toThrow(ValidationError);
    expect(() => slugifyProject(name)).toThrow(/project/);
  });
});

describe('project name length', () => {
  it('accepts a slug of exactly the limit', () => {
    expect(slugifyProject('a'.repeat(MAX_PROJECT_SLUG_LENGTH))).toHaveLength(
      MAX_PROJECT_SLUG_LENGTH,
    );
  });

  it('leaves room in a 255-byte file name for the longest tracker name', () => {
    const tracker = `${'a'.repeat(MAX_PROJECT_SLUG_LENGTH)}_20240101_${Number.MAX_SAFE_INTEGER}.csv`;
    expect(Buffer.byteLength(tracker)).toBeLessThanOrEqual(255);
  });

  it.each([
    ['a long name', 'a'.repeat(MAX_PROJECT_SLUG_LENGTH + 1)],
    ['a name long enough to overflow a file name', 'x'.repeat(223)],
    ['a name whose slug grows past the limit', 'ß'.repeat(MAX_PROJECT_SLUG_LENGTH / 2 + 1)],
  ])('rejects %s before anything is written, naming the limit', async (_, project) => {
    expect(() => slugifyProject(project)).toThrow(ValidationError);
    expect(() => slugifyProject(project)).toThrow(
      new RegExp(`project.*${MAX_PROJECT_SLUG_LENGTH} characters`),
    );
    const store = await openStore(`memory://${randomUUID()}`);
    await expect(
      logExperiment({
        kind: 'regression',
        project,
        parameters: { datasetUri: 'd', targetColumn: 't', testSet: ['a'], model: {} },
        yTrue: [1],
        yPred: [1],
        store,
      }),
    ).rejects.toMatchObject({ parameter: 'project', code: 'ERR_VALIDATION' });
    expect((await store.list()).objects).toEqual([]);
  });
});
