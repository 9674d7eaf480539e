import { fileURLToPath } from 'node:url';

const SKEW_CLOCK = fileURLToPath(new URL('./skew-clock.mjs', import.meta.url));

/**
 * The environment that gives a Node child process a wall clock `ms` milliseconds off (see
 * `skew-clock.mjs`), as a machine whose clock is wrong: for tests and the coordination bench.
 */
export const skewedClock = (ms: number): Record<string, string> => ({
  NODE_OPTIONS: `--import ${SKEW_CLOCK}`,
  ML_TRACKING_TEST_SKEW_MS: String(ms),
});
