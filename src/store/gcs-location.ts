import { ValidationError } from '../errors.js';

/** A `gs://bucket[/prefix]` store, split into its bucket and its prefix (no slashes at either end). */
export interface GcsLocation {
  bucket: string;
  prefix: string;
}

// https://cloud.google.com/storage/docs/buckets#naming
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Whether a store URL names Google Cloud Storage. */
export const isGcsUrl = (url: string): boolean => /^gs:\/\//i.test(url.trim());

/**
 * Splits a `gs://bucket[/prefix]` URL, checking the bucket name and that the prefix stays plain.
 * The one parser of GCS store URLs: the store, Looker and BigQuery all read them through it.
 */
export function parseGcsUrl(url: string): GcsLocation {
  const trimmed = url.trim();
  const match = /^gs:\/\/([^/]*)(?:\/(.*))?$/i.exec(trimmed);
  const bucket = match?.[1] ?? '';
  const prefix = (match?.[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (!BUCKET_NAME.test(bucket)) {
    throw new ValidationError(
      'store',
      bucket === '' ? `"${trimmed}" has no bucket name` : `"${bucket}" is not a valid bucket name`,
      'Write it as gs://my-bucket or gs://my-bucket/folder (bucket names have 3 to 222 lower-case letters, digits, "-", "_" or ".").',
    );
  }
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new ValidationError(
      'store',
      `"${trimmed}" has "." or ".." in its folder`,
      'Name the folder plainly, e.g. gs://my-bucket/ml-tracking.',
    );
  }
  return { bucket, prefix: prefix.replace(/\/{2,}/g, '/') };
}
