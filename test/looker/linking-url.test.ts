import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { EXPERIMENT_KINDS } from '../../src/layout/tables.js';
import { lookerDataSources } from '../../src/looker/data-sources.js';
import { lookerLinkingUrl, type LookerLinkingUrlOptions } from '../../src/looker/linking-url.js';

const ALIASES = lookerDataSources().map((source) => source.alias);

/** The URL's parameters decoded back, as Looker Studio reads them. */
function parametersOf(url: string): Record<string, string> {
  const parsed = new URL(url);
  expect(parsed.origin + parsed.pathname).toBe('https://lookerstudio.google.com/reporting/create');
  const keys = [...parsed.searchParams.keys()];
  expect(new Set(keys).size, 'no parameter twice').toBe(keys.length);
  return Object.fromEntries(parsed.searchParams);
}

/** The error `lookerLinkingUrl(options)` throws (it must throw one). */
function refusal(options: LookerLinkingUrlOptions): ValidationError {
  try {
    lookerLinkingUrl(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`lookerLinkingUrl(${JSON.stringify(options)}) made a URL`);
}

describe('lookerLinkingUrl without a template: the default report over one trackers folder', () => {
  it.each(EXPERIMENT_KINDS)(
    'configures the one data source of Looker Studio default report, for %s',
    (kind) => {
      const parameters = parametersOf(
        lookerLinkingUrl({ store: 'gs://my-bucket/team/ml-tracking', kind }),
      );
      // No c.reportId (the default report), and ds.* with no alias: it has a single data source.
      expect(parameters).toEqual({
        'r.reportName': `ml-tracking ${kind} experiments (my-bucket/team/ml-tracking)`,
        'ds.connector': 'googleCloudStorage',
        'ds.pathType': 'FOLDER',
        'ds.path': `my-bucket/team/ml-tracking/projects/${kind}`,
        'ds.datasourceName': `ml-tracking Tracking (${kind}) (my-bucket/team/ml-tracking)`,
      });
    },
  );

  it('reads the classification trackers unless told otherwise', () => {
    const parameters = parametersOf(lookerLinkingUrl({ store: 'gs://my-bucket/ml' }));
    expect(parameters['ds.path']).toBe('my-bucket/ml/projects/classification');
  });

  it('keeps a prefix with spaces, reserved characters and non-ASCII letters exactly', () => {
    const prefix = 'équipe ü/μl 模型/a&b=c+d%20e#f?g';
    const text = lookerLinkingUrl({ store: `gs://my-bucket/${prefix}/`, kind: 'regression' });
    // Everything outside ASCII letters, digits and -_.!~*'() is percent-encoded.
    expect(text.slice(text.indexOf('?') + 1)).toMatch(/^[A-Za-z0-9\-_.!~*'()%=&]+$/);
    const parameters = parametersOf(text);
    expect(parameters['ds.path']).toBe(`my-bucket/${prefix}/projects/regression`);
    expect(parameters['ds.datasourceName']).toBe(
      `ml-tracking Tracking (regression) (my-bucket/${prefix})`,
    );
    expect(parameters['r.reportName']).toBe(
      `ml-tracking regression experiments (my-bucket/${prefix})`,
    );
  });

  it('has no prefix segment for a store without a prefix', () => {
    const parameters = parametersOf(
      lookerLinkingUrl({ store: 'gs://my-bucket', kind: 'regression' }),
    );
    expect(parameters['ds.path']).toBe('my-bucket/projects/regression');
    expect(parameters['r.reportName']).toBe('ml-tracking regression experiments (my-bucket)');
  });

  it('takes the name, mode, debug dialog and field refresh, with no alias either', () => {
    const parameters = parametersOf(
      lookerLinkingUrl({
        store: 'gs://my-bucket/ml',
        reportName: '  Soil & carbon: 100%  ',
        mode: 'edit',
        explain: true,
        refreshFields: true,
      }),
    );
    expect(parameters).toMatchObject({
      'c.mode': 'edit',
      'c.explain': 'true',
      'r.reportName': 'Soil & carbon: 100%',
      'ds.refreshFields': 'true',
    });
    expect(Object.keys(parameters).filter((key) => key.startsWith('ds.'))).toEqual([
      'ds.connector',
      'ds.pathType',
      'ds.path',
      'ds.datasourceName',
      'ds.refreshFields',
    ]);
  });

  it.each(['Regression', 'clustering', '', 'projects/classification'])(
    'refuses the kind %j, naming kind and the choices',
    (kind) => {
      const error = refusal({ store: 'gs://my-bucket', kind: kind as 'regression' });
      expect(error.parameter).toBe('kind');
      expect(error.hint).toContain('classification, regression');
    },
  );

  it('refuses a kind with a template, whose data sources read every folder', () => {
    const error = refusal({ store: 'gs://my-bucket', templateReportId: 'r1', kind: 'regression' });
    expect(error.parameter).toBe('kind');
  });

  it.each(['./ml-tracking', 'file:///tmp/store', 'memory://x', 's3://bucket/ml', ''])(
    'refuses the store %j: Looker Studio reads only GCS',
    (store) => {
      const error = refusal({ store });
      expect(error.parameter).toBe('store');
      expect(error.message).toMatch(/reads only Google Cloud Storage/);
    },
  );
});

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
      // The template's field types survive the copy only without a refresh.
      expect(url.searchParams.get(`${ds}.refreshFields`)).toBe('false');
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
