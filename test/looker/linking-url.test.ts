import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { lookerDataSources } from '../../src/looker/data-sources.js';
import { lookerLinkingUrl } from '../../src/looker/linking-url.js';

const ALIASES = lookerDataSources().map((source) => source.alias);

describe('lookerLinkingUrl', () => {
  it('points every data source alias at its folder of the store', () => {
    const url = new URL(
      lookerLinkingUrl({ templateReportId: 'abc-123_XYZ', store: 'gs://my-bucket/team a/ml' }),
    );
    expect(url.origin + url.pathname).toBe('https://lookerstudio.google.com/reporting/create');
    expect(url.searchParams.get('c.reportId')).toBe('abc-123_XYZ');
    expect(ALIASES).toHaveLength(10);
    for (const source of lookerDataSources()) {
      const ds = `ds.${source.alias}`;
      expect(url.searchParams.get(`${ds}.connector`)).toBe('googleCloudStorage');
      expect(url.searchParams.get(`${ds}.pathType`)).toBe('FOLDER');
      expect(url.searchParams.get(`${ds}.path`)).toBe(`my-bucket/team a/ml/${source.folder}`);
      expect(url.searchParams.get(`${ds}.datasourceName`)).toContain(source.name);
      expect(url.searchParams.has(`${ds}.refreshFields`)).toBe(false);
    }
    // Optional parameters stay out unless asked for.
    for (const name of ['c.mode', 'c.explain', 'r.reportName']) {
      expect(url.searchParams.has(name)).toBe(false);
    }
  });

  it('URL-encodes paths: slashes, spaces and reserved characters', () => {
    const text = lookerLinkingUrl({
      templateReportId: 'r1',
      store: 'gs://my-bucket/a b/c&d=e+f/',
      reportName: 'Soil & carbon: 100%',
    });
    const query = text.slice(text.indexOf('?') + 1);
    expect(query).toContain('ds.scoring.path=my-bucket%2Fa%20b%2Fc%26d%3De%2Bf%2Fscoring');
    expect(query).toContain('r.reportName=Soil%20%26%20carbon%3A%20100%25');
    // No raw spaces, and every parameter decodes back to what was meant.
    expect(query).not.toMatch(/[ +]/);
    const url = new URL(text);
    expect(url.searchParams.get('ds.confusion.path')).toBe('my-bucket/a b/c&d=e+f/confusion');
    expect(url.searchParams.get('r.reportName')).toBe('Soil & carbon: 100%');
  });

  it('has no prefix segment for a bare bucket', () => {
    const url = new URL(lookerLinkingUrl({ templateReportId: 'r1', store: 'gs://my-bucket' }));
    expect(url.searchParams.get('ds.tracking_regression.path')).toBe(
      'my-bucket/projects/regression',
    );
  });

  it('adds c.mode, c.explain, r.reportName and refreshFields when asked', () => {
    const url = new URL(
      lookerLinkingUrl({
        templateReportId: 'https://lookerstudio.google.com/reporting/tmpl-9/page/p_1',
        store: 'gs://my-bucket/ml',
        reportName: 'Experiments',
        explain: true,
        mode: 'edit',
        refreshFields: true,
      }),
    );
    expect(url.searchParams.get('c.reportId')).toBe('tmpl-9');
    expect(url.searchParams.get('c.mode')).toBe('edit');
    expect(url.searchParams.get('c.explain')).toBe('true');
    expect(url.searchParams.get('r.reportName')).toBe('Experiments');
    for (const alias of ALIASES) {
      expect(url.searchParams.get(`ds.${alias}.refreshFields`)).toBe('true');
    }
  });

  it.each(['./ml-tracking', '/tmp/store', 'file:///tmp/store', 'memory://x', 's3://bucket'])(
    'rejects %s: Looker Studio reads only GCS',
    (store) => {
      expect(() => lookerLinkingUrl({ templateReportId: 'r1', store })).toThrow(ValidationError);
      expect(() => lookerLinkingUrl({ templateReportId: 'r1', store })).toThrow(
        /reads only Google Cloud Storage/,
      );
    },
  );

  it('rejects a missing store, a bad bucket and a bad report id', () => {
    expect(() => lookerLinkingUrl({ templateReportId: 'r1', store: '' })).toThrow(
      /needs a gs:\/\/ store/,
    );
    expect(() => lookerLinkingUrl({ templateReportId: 'r1', store: 'gs://' })).toThrow(/no bucket/);
    expect(() => lookerLinkingUrl({ templateReportId: 'r1', store: 'gs://My_Bucket!' })).toThrow(
      ValidationError,
    );
    expect(() => lookerLinkingUrl({ templateReportId: 'a b', store: 'gs://my-bucket' })).toThrow(
      /templateReportId/,
    );
  });
});
