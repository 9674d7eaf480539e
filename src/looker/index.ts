// `ml-tracking/looker`: Looker Studio data sources, the Linking API URL and BigQuery DDL.
export { lookerDataSources, lookerFieldType, dataSourceAlias } from './data-sources.js';
export type {
  LookerCalculatedField,
  LookerDataSource,
  LookerField,
  LookerFieldType,
} from './data-sources.js';
export { lookerLinkingUrl, templateReportIdOf, LOOKER_CREATE_URL } from './linking-url.js';
export type { LookerLinkingUrlOptions } from './linking-url.js';
export {
  bigQueryDdl,
  bigQueryExternalTables,
  bigQueryType,
  bigQueryViews,
} from './bigquery-ddl.js';
export type { BigQueryDdlOptions, BigQueryExternalTable, BigQueryType } from './bigquery-ddl.js';
export type { BigQueryView } from './bigquery-views.js';
