import { ValidationError } from '../errors.js';
import { isGcsUrl, parseGcsUrl, type GcsLocation } from '../store/gcs-location.js';

export type { GcsLocation };

/**
 * Parses a store URL that Looker Studio or BigQuery must read: only Cloud Storage qualifies,
 * since neither can reach a local folder or an in-memory store.
 */
export function parseGcsStore(store: string, reader: string): GcsLocation {
  const trimmed = store.trim();
  if (trimmed === '') {
    // The other commands' default, ./ml-tracking, is a folder that no Google product can read.
    throw new ValidationError(
      'store',
      `${reader} reads only Google Cloud Storage, so this command needs a gs:// store, and none was given (the default store, ./ml-tracking, is a local folder)`,
      'Pass --store gs://my-bucket/folder or set ML_TRACKING_STORE to it.',
    );
  }
  if (!isGcsUrl(trimmed)) {
    throw new ValidationError(
      'store',
      `"${trimmed}" is not a gs:// store, and ${reader} reads only Google Cloud Storage`,
      'Log the experiments to a bucket (gs://my-bucket/folder) and pass that URL.',
    );
  }
  return parseGcsUrl(trimmed);
}

/** `bucket/prefix/folder` (no scheme): how Looker Studio's Cloud Storage connector names a path. */
export function folderPath(location: GcsLocation, folder: string): string {
  return [location.bucket, location.prefix, folder].filter((part) => part !== '').join('/');
}
