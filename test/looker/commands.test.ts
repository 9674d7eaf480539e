import { describe, expect, it } from 'vitest';
import { bigqueryCommand } from '../../src/cli/commands/bigquery.js';
import { lookerCommand } from '../../src/cli/commands/looker.js';
import { ValidationError } from '../../src/errors.js';
import { cli } from '../cli/_in-process.js';

describe('ml-tracking looker', () => {
  it('without --template prints the default report over the classification trackers, and what the click does', async () => {
    const result = await cli(['looker', '--store', 'gs://my-bucket/team ml']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [url = '', blank, ...paragraph] = result.stdout.trimEnd().split('\n');
    const parameters = new URL(url).searchParams;
    expect(parameters.has('c.reportId')).toBe(false);
    expect(parameters.get('ds.connector')).toBe('googleCloudStorage');
    expect(parameters.get('ds.pathType')).toBe('FOLDER');
    expect(parameters.get('ds.path')).toBe('my-bucket/team ml/projects/classification');
    expect(blank).toBe('');
    const text = paragraph.join(' ');
    expect(text).toContain(
      'every classification tracker in gs://my-bucket/team ml/projects/classification',
    );
    expect(text).toContain('roles/storage.objectViewer');
    expect(text).toContain('Edit and share');
    for (const line of paragraph) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('--kind regression reads the other folder; --json answers the link as data', async () => {
    const result = await cli([
      'looker',
      '--store',
      'gs://my-bucket',
      '--kind',
      'regression',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const link = JSON.parse(result.stdout) as { url: string };
    expect(link).toEqual({
      url: link.url,
      report: 'default',
      kind: 'regression',
      paths: ['my-bucket/projects/regression'],
    });
    expect(new URL(link.url).searchParams.get('ds.path')).toBe('my-bucket/projects/regression');
  });

  it('refuses an unknown --kind, and --kind with --template, naming --kind', async () => {
    const unknown = await cli(['looker', '--store', 'gs://my-bucket', '--kind', 'clustering']);
    expect(unknown).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ml-tracking: Invalid --kind: "clustering" is not a kind of experiment. Use --kind classification or --kind regression.\n',
    });
    const both = await cli([
      'looker',
      '--store',
      'gs://my-bucket',
      '--template',
      'tmpl',
      '--kind',
      'regression',
    ]);
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toMatch(/^ml-tracking: Invalid --kind: .*--template/);
  });

  it('with --template prints the linking URL of the copy for --store', () => {
    const {
      url: text,
      report,
      paths,
    } = lookerCommand({
      template: 'tmpl',
      store: 'gs://my-bucket/ml',
      explain: true,
      name: 'R',
    });
    expect(report).toBe('template');
    expect(paths).toHaveLength(10);
    const url = new URL(text);
    expect(url.searchParams.get('c.reportId')).toBe('tmpl');
    expect(url.searchParams.get('c.explain')).toBe('true');
    expect(url.searchParams.get('r.reportName')).toBe('R');
    expect(url.searchParams.get('ds.scoring.path')).toBe('my-bucket/ml/scoring');
  });

  it('defaults to $ML_TRACKING_STORE, and rejects a local store', () => {
    const { url } = lookerCommand({
      template: 'tmpl',
      env: { ML_TRACKING_STORE: 'gs://env-bucket' },
    });
    expect(new URL(url).searchParams.get('ds.confusion.path')).toBe('env-bucket/confusion');
    expect(() =>
      lookerCommand({ template: 'tmpl', env: { ML_TRACKING_STORE: './ml-tracking' } }),
    ).toThrow(ValidationError);
  });

  it('with no store at all, says that a gs:// store is required (not "no store was given")', () => {
    expect(() => lookerCommand({ template: 'tmpl', env: {} })).toThrow(
      /Looker Studio reads only Google Cloud Storage, so this command needs a gs:\/\/ store.*the default store, \.\/ml-tracking, is a local folder/,
    );
  });
});

describe('ml-tracking bigquery', () => {
  it('prints the DDL', () => {
    const ddl = bigqueryCommand({ dataset: 'proj.ml', store: 'gs://my-bucket/x' });
    expect(ddl.match(/CREATE OR REPLACE EXTERNAL TABLE/g)).toHaveLength(10);
    expect(ddl).toContain('CREATE OR REPLACE VIEW `proj.ml.run_scalars` AS');
    expect(ddl).toContain("uris = ['gs://my-bucket/x/confusion/*.csv']");
  });

  it('rejects a bad --json type', () => {
    expect(() => bigqueryCommand({ dataset: 'ml', store: 'gs://my-bucket', json: 'xml' })).toThrow(
      ValidationError,
    );
  });
});
