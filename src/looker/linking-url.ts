/**
 * The Looker Studio Linking API URL that copies a template report and points each of its data
 * sources at one folder of a `gs://` store.
 * See https://developers.google.com/looker-studio/integrate/linking-api.
 */
import { ValidationError } from '../errors.js';
import { folderPath, parseGcsStore } from './_gcs-location.js';
import { lookerDataSources } from './data-sources.js';

export const LOOKER_CREATE_URL = 'https://lookerstudio.google.com/reporting/create';

export interface LookerLinkingUrlOptions {
  /** The template report's id, or its URL (`https://lookerstudio.google.com/reporting/<id>/…`). */
  templateReportId: string;
  /** The store the experiments were logged to: `gs://bucket[/prefix]`. */
  store: string;
  /** Name of the new report (`r.reportName`). */
  reportName?: string;
  /** Ask Looker Studio for its debug dialog (`c.explain=true`). */
  explain?: boolean;
  /** Open the new report in view or edit mode (`c.mode`). */
  mode?: 'view' | 'edit';
  /** Re-read the fields of each data source (`ds.<alias>.refreshFields=true`). */
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
      'Give the id from the template report URL (https://lookerstudio.google.com/reporting/<id>/…) or the URL itself.',
    );
  }
  return id;
}

/**
 * The URL that creates a report from the template with one Cloud Storage data source per folder
 * of the store (every CSV file in the folder), by the aliases of `lookerDataSources()`.
 */
export function lookerLinkingUrl(options: LookerLinkingUrlOptions): string {
  const reportId = templateReportIdOf(options.templateReportId);
  const location = parseGcsStore(options.store, 'Looker Studio');
  if (options.mode !== undefined && !MODES.includes(options.mode)) {
    throw new ValidationError(
      'mode',
      `"${options.mode}" is not a report mode`,
      'Use view or edit.',
    );
  }
  const where = folderPath(location, '');
  const parameters: [string, string][] = [['c.reportId', reportId]];
  if (options.mode !== undefined) parameters.push(['c.mode', options.mode]);
  if (options.explain === true) parameters.push(['c.explain', 'true']);
  const reportName = options.reportName?.trim();
  if (reportName !== undefined && reportName !== '') parameters.push(['r.reportName', reportName]);
  for (const source of lookerDataSources()) {
    const ds = `ds.${source.alias}`;
    parameters.push(
      [`${ds}.connector`, 'googleCloudStorage'],
      [`${ds}.pathType`, 'FOLDER'],
      [`${ds}.path`, folderPath(location, source.folder)],
      [`${ds}.datasourceName`, `${source.name} (${where})`],
    );
    if (options.refreshFields === true) parameters.push([`${ds}.refreshFields`, 'true']);
  }
  const query = parameters
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${LOOKER_CREATE_URL}?${query}`;
}
