/**
 * What the Python tiers share: the interpreter (python3, 3.8+, as users run their scripts) and the
 * environment of a user's script run against this repository: the client from `clients/python`,
 * the command line from `dist/`, and no run or store inherited from the test's own environment.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BUILT_CLI, root } from './programs.js';

/** `python3` when it is there and 3.8 or newer, else `undefined` (the tiers skip, saying why). */
export const python: string | undefined = ['python3'].find(
  (candidate) =>
    spawnSync(candidate, ['-c', 'import sys; assert sys.version_info >= (3, 8)']).status === 0,
);

/** Why a Python case is skipped where there is no python3. */
export const SKIP_NO_PYTHON = 'python3 (3.8+) is not on the PATH: the Python client needs it';

/** A script's environment: this repository's client and built CLI, plus `extra`. */
export function pythonEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PYTHONPATH: join(root, 'clients/python'),
    PYTHONDONTWRITEBYTECODE: '1',
    ML_TRACKING_CLI: `'${process.execPath}' '${BUILT_CLI}'`,
    ML_TRACKING_STORE: '',
    ML_TRACKING_PROTOCOL: '',
    ML_TRACKING_RUN_ID: '',
    ...extra,
  };
}
