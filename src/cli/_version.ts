import { readFileSync } from 'node:fs';

/**
 * The version in package.json, read as a file: `--version` loads nothing else. The file sits two
 * folders up from this one both in `src/cli/` and in the built `dist/cli/`.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
