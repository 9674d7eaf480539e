/** A wait that an abort cuts short, for loops that poll the store (sweep agents, pipelines). */
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`, or as soon as `signal` aborts. */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  // The only rejection is the abort's, which ends the wait as its end would.
  delay(ms, undefined, { signal }).catch(() => undefined);
