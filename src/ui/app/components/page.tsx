import type { ComponentChildren, JSX } from 'preact';
import type { SkippedFileJson } from '../../api.js';
import { isNotFound } from '../api-client.js';
import { Link } from './link.js';

interface PageProps {
  /** `page-<name>` is the root's test id. */
  name: string;
  /** `loading`, `ready` or `error`, for tests and the benchmark. */
  state: string;
  title?: ComponentChildren;
  class?: string;
  children?: ComponentChildren;
}

/** A page's root: its test hooks, its heading, and its content. */
export function Page({ name, state, title, children, class: className }: PageProps): JSX.Element {
  return (
    <main class={`page ${className ?? ''}`} data-testid={`page-${name}`} data-state={state}>
      {title !== undefined && <h1 class="page-title">{title}</h1>}
      {children}
    </main>
  );
}

/** What a failed request shows: "Not found" for a 404, the server's message otherwise. */
export function RequestFailed({ error }: { error: unknown }): JSX.Element {
  if (isNotFound(error))
    return <NotFound message={error instanceof Error ? error.message : undefined} />;
  return <ErrorBox error={error} />;
}

export function ErrorBox({ error }: { error: unknown }): JSX.Element {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error-box" role="alert" data-testid="error">
      <strong>Request failed. </strong>
      <span>{message}</span>
    </div>
  );
}

export function NotFound({ message }: { message?: string | undefined }): JSX.Element {
  return (
    <div class="not-found" data-testid="not-found">
      <h1>Not found</h1>
      {message !== undefined && <p class="muted">{message}</p>}
      <p>
        <Link href="/projects">Back to projects</Link>
      </p>
    </div>
  );
}

/**
 * Files the answer left out because they cannot be read: named, so the user can repair or
 * delete them; the rest of the page is what could be read.
 */
export function SkippedNotice({
  skipped,
}: {
  skipped: readonly SkippedFileJson[] | undefined;
}): JSX.Element | null {
  if (skipped === undefined || skipped.length === 0) return null;
  const count = skipped.length;
  return (
    <div class="skipped-notice" role="status" data-testid="skipped-files">
      <strong>
        {count === 1 ? 'One file' : `${count} files`} could not be read and{' '}
        {count === 1 ? 'is' : 'are'} left out:
      </strong>
      <ul>
        {skipped.map((file) => (
          <li key={file.path} data-testid="skipped-file" data-path={file.path}>
            <code>{file.path}</code>: {file.problem}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Loading(): JSX.Element {
  return <p class="muted loading">Loading…</p>;
}
