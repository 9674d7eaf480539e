/**
 * The one liveness rule: a writer that holds work (a claim) or writes a run record renews it at
 * least once per heartbeat interval; it is given up on after {@link LOST_AFTER_HEARTBEATS}
 * intervals of silence, measured by the store's clock (the object's `updated` time against the
 * store's now, see `store-clock.ts`), never by comparing two machines' clocks.
 */
import { ValidationError } from '../errors.js';

/** Heartbeats a writer may miss before it is given up on (its run reads `lost`). */
export const LOST_AFTER_HEARTBEATS = 4;

/** The environment variable that sets the heartbeat interval of every run, agent and pipeline. */
export const HEARTBEAT_VARIABLE = 'ML_TRACKING_HEARTBEAT_SECONDS';

/** The heartbeat interval when neither an option nor {@link HEARTBEAT_VARIABLE} sets one. */
export const DEFAULT_HEARTBEAT_SECONDS = 10;

/**
 * The longest heartbeat taken: an hour. Longer intervals mean hours before lost work is run
 * again, and past Node's timer limit (2^31-1 ms, about 24.8 days) a timer fires after 1 ms.
 */
export const MAX_HEARTBEAT_SECONDS = 3600;

/**
 * The heartbeat interval in seconds: `seconds` when given, else {@link HEARTBEAT_VARIABLE}'s,
 * else 10. Every run, sweep agent and pipeline reads it here.
 * @throws ValidationError naming the option or the variable when it is not a number of seconds
 *   in (0, 3600].
 */
export function checkHeartbeatSeconds(seconds?: number): number {
  const fromEnvironment = process.env[HEARTBEAT_VARIABLE];
  const value = seconds ?? (fromEnvironment ? Number(fromEnvironment) : DEFAULT_HEARTBEAT_SECONDS);
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_HEARTBEAT_SECONDS)) {
    throw new ValidationError(
      seconds === undefined ? HEARTBEAT_VARIABLE : 'heartbeatIntervalSeconds',
      `${String(seconds ?? fromEnvironment)} is not a number of seconds between 0 and ${MAX_HEARTBEAT_SECONDS}`,
      'Use a positive number such as 10 (the default).',
    );
  }
  return value;
}

/** How long a writer that renews every `heartbeatIntervalSeconds` may stay silent. */
export const leaseMs = (heartbeatIntervalSeconds: number): number =>
  LOST_AFTER_HEARTBEATS * heartbeatIntervalSeconds * 1000;

/**
 * Whether an object last written at `updated` (the store's time) by a writer with this heartbeat
 * has been silent past its lease at `storeNow` (the store's time too).
 */
export const isSilent = (
  updated: Date,
  storeNow: Date,
  heartbeatIntervalSeconds: number,
): boolean => storeNow.getTime() - updated.getTime() > leaseMs(heartbeatIntervalSeconds);
