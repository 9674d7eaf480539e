import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { slugifyProject } from '../../src/tracking/project-name.js';

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
