import { describe, expect, it } from 'vitest';
import { bigqueryCommand } from '../../src/cli/commands/bigquery.js';
import { lookerCommand } from '../../src/cli/commands/looker.js';
import { ValidationError } from '../../src/errors.js';

describe('ml-tracking looker', () => {
  it('prints the linking URL for --store', () => {
    const url = new URL(
      lookerCommand({ template: 'tmpl', store: 'gs://my-bucket/ml', explain: true, name: 'R' }),
    );
    expect(url.searchParams.get('c.reportId')).toBe('tmpl');
    expect(url.searchParams.get('c.explain')).toBe('true');
    expect(url.searchParams.get('r.reportName')).toBe('R');
    expect(url.searchParams.get('ds.scoring.path')).toBe('my-bucket/ml/scoring');
  });

  it('defaults to $ML_TRACKING_STORE, and rejects a local store', () => {
    const url = lookerCommand({ template: 'tmpl', env: { ML_TRACKING_STORE: 'gs://env-bucket' } });
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
    expect(ddl).toContain("uris = ['gs://my-bucket/x/confusion/*.csv']");
  });

  it('rejects a bad --json type', () => {
    expect(() => bigqueryCommand({ dataset: 'ml', store: 'gs://my-bucket', json: 'xml' })).toThrow(
      ValidationError,
    );
  });
});
