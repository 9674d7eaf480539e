/**
 * The Looker Studio Linking API URL over a `gs://` store: either Looker Studio's default report
 * over one trackers folder (no template to build first), or a copy of a template report with each
 * of its data sources pointed at one folder of the store.
 * See https://developers.google.com/looker-studio/integrate/linking-api.
 */
import { ValidationError } from '../errors.js';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../layout/tables.js';
import { trackerFolder } from '../layout/paths.js';
import { folderPath, parseGcsStore, type GcsLocation } from './_gcs-location.js';
import { dataSourceName, lookerDataSources } from './data-sources.js';

export const LOOKER_CREATE_URL = 'https://lookerstudio.google.com/reporting/create';

export interface LookerLinkingUrlOptions {
  /**
   * The template report's id, or its URL (`https://lookerstudio.google.com/reporting/<id>/…`):
   * the link copies it and binds every data source by its alias. Without it, the link makes
   * Looker Studio's default report over the trackers of one {@link kind}.
   */
  templateReportId?: string | undefined;
  /** The store the experiments were logged to: `gs://bucket[/prefix]`. */
  store: string;
  /**
   * The trackers the default report reads (`projects/<kind>`); only without a template, whose
   * data sources read every folder.
   * @default 'classification'
   */
  kind?: ExperimentKind | undefined;
  /**
   * Name of the new report (`r.reportName`). Without a template it defaults to one naming the
   * trackers and the store; with one, Looker Studio keeps the template's name.
   */
  reportName?: string;
  /** Ask Looker Studio for its debug dialog (`c.explain=true`). */
  explain?: boolean;
  /** Open the new report in view or edit mode (`c.mode`). @default 'view' (Looker Studio's) */
  mode?: 'view' | 'edit';
  /**
   * Re-read the fields of each data source (`ds.<alias>.refreshFields`). A template's copy keeps
   * the field types set on the template only without a refresh, and the store's folders always
   * have the template's fields, so a template is copied with `refreshFields=false` unless this is
   * true (Looker Studio's own default for Cloud Storage is true, which would drop them).
   * @default false
   */
  refreshFields?: boolean;
}

const MODES: readonly string[] = ['view', 'edit'];
const REPORT_ID = /^[A-Za-z0-9_-]+$/;
const REPORT_URL =
  /^https:\/\/(?:lookerstudio|datastudio)\.google\.com\/(?:u\/\d+\/)?reporting\/([^/?#]+)/;

/** The report id of `templateReportId`, which may be a report URL. */
export function templateReportIdOf(templateReportId: string): string {
  const trimmed = templateReportId.trim();
  const id = REPORT_URL.exec(trimmed)?.[1] ?? trimmed;
  if (!REPORT_ID.test(id) || id === 'create') {
    throw new ValidationError(
      'templateReportId',
      trimmed === '' ? 'no template report was given' : `"${trimmed}" is not a report id`,
      'Give the id from the template report URL (https://lookerstudio.google.com/reporting/<id>/…) or the URL itself, or leave it out for the default report over one trackers folder.',
    );
  }
  return id;
}

function checkKind(kind: unknown): ExperimentKind {
  if (!EXPERIMENT_KINDS.includes(kind as ExperimentKind)) {
    throw new ValidationError(
      'kind',
      `${JSON.stringify(kind)} is not a kind of experiment`,
      `Use one of ${EXPERIMENT_KINDS.join(', ')}.`,
    );
  }
  return kind as ExperimentKind;
}

/** `ds.<alias>.*` of a template's data source, or `ds.*`-less `ds.` of the default report's one. */
function dataSourceParameters(
  prefix: string,
  path: string,
  name: string,
  refreshFields: boolean | undefined,
): [string, string][] {
  const parameters: [string, string][] = [
    [`${prefix}connector`, 'googleCloudStorage'],
    [`${prefix}pathType`, 'FOLDER'],
    [`${prefix}path`, path],
    [`${prefix}datasourceName`, name],
  ];
  if (refreshFields !== undefined) {
    parameters.push([`${prefix}refreshFields`, String(refreshFields)]);
  }
  return parameters;
}

function templateDataSources(location: GcsLocation, refreshFields: boolean): [string, string][] {
  const where = folderPath(location, '');
  return lookerDataSources().flatMap((source) =>
    dataSourceParameters(
      `ds.${source.alias}.`,
      folderPath(location, source.folder),
      `${source.name} (${where})`,
      // Keeps the template's field types (see LookerLinkingUrlOptions.refreshFields).
      refreshFields,
    ),
  );
}

function defaultReportDataSource(
  location: GcsLocation,
  kind: ExperimentKind,
  refreshFields: boolean,
): [string, string][] {
  const folder = trackerFolder(kind).replace(/\/$/, '');
  // The default report has a single data source: the Linking API takes `ds.*` with no alias
  // then (an alias would name a data source it does not have).
  return dataSourceParameters(
    'ds.',
    folderPath(location, folder),
    `${dataSourceName(folder)} (${folderPath(location, '')})`,
    // A new data source reads its fields anyway: the parameter only when asked for.
    refreshFields ? true : undefined,
  );
}

/**
 * The Linking API URL that creates a report over the store. With `templateReportId`, a copy of
 * the template with one Cloud Storage data source per folder of the store (every CSV file in the
 * folder), bound by the aliases of `lookerDataSources()`. Without it, Looker Studio's default
 * report with one data source: the trackers folder of `kind`.
 *
 * @example
 * lookerLinkingUrl({ store: 'gs://my-bucket/ml-tracking', kind: 'regression' });
 * // https://lookerstudio.google.com/reporting/create?r.reportName=…&ds.connector=googleCloudStorage&ds.pathType=FOLDER&ds.path=my-bucket%2Fml-tracking%2Fprojects%2Fregression&…
 */
export function lookerLinkingUrl(options: LookerLinkingUrlOptions): string {
  const template = options.templateReportId;
  const reportId = template === undefined ? undefined : templateReportIdOf(template);
  if (reportId !== undefined && options.kind !== undefined) {
    // A template binds every folder by alias, so a kind would silently change nothing.
    throw new ValidationError(
      'kind',
      `a kind (${JSON.stringify(options.kind)}) was given with a template report, whose data sources read every folder`,
      'Leave kind out with a template, or leave the template out for the default report over one kind of trackers.',
    );
  }
  const kind = checkKind(options.kind ?? 'classification');
  const location = parseGcsStore(options.store, 'Looker Studio');
  if (options.mode !== undefined && !MODES.includes(options.mode)) {
    throw new ValidationError(
      'mode',
      `"${options.mode}" is not a report mode`,
      'Use view or edit.',
    );
  }
  const parameters: [string, string][] = [];
  if (reportId !== undefined) parameters.push(['c.reportId', reportId]);
  if (options.mode !== undefined) parameters.push(['c.mode', options.mode]);
  if (options.explain === true) parameters.push(['c.explain', 'true']);
  const givenName = options.reportName?.trim() ?? '';
  // The default report would otherwise be named like any other new report; a template's copy
  // keeps the template's name.
  const reportName =
    givenName !== ''
      ? givenName
      : reportId === undefined
        ? `ml-tracking ${kind} experiments (${folderPath(location, '')})`
        : undefined;
  if (reportName !== undefined) parameters.push(['r.reportName', reportName]);
  const refreshFields = options.refreshFields === true;
  parameters.push(
    ...(reportId === undefined
      ? defaultReportDataSource(location, kind, refreshFields)
      : templateDataSources(location, refreshFields)),
  );
  const query = parameters
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${LOOKER_CREATE_URL}?${query}`;
}
