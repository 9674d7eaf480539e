/** `--rerun <script>[:<version>]`: what to run again though it ended. */
import { ValidationError } from '../errors.js';
import { isPipelineName } from './versions.js';

/** A script (every version) or one version of it. */
export interface Rerun {
  script: string;
  version?: string;
}

/** Reads `script` or `script:version`. */
export function parseRerun(text: string): Rerun {
  const [script = '', version, ...rest] = text.split(':');
  if (
    !isPipelineName(script) ||
    rest.length > 0 ||
    (version !== undefined && !isPipelineName(version))
  ) {
    throw new ValidationError(
      'rerun',
      `"${text}" is not <script> or <script>:<version>`,
      'Name a script as the lists do (its file name without the extension), e.g. iris_forest or iris_forest:large.',
    );
  }
  return version === undefined ? { script } : { script, version };
}
