/**
 * The one liveness rule: a writer that holds work (a claim) or writes a run record renews it at
 * least once per heartbeat interval; it is given up on after {@link LOST_AFTER_HEARTBEATS}
 * intervals of silence, measured by the store's clock (the object's `updated` time against the
 * store's now, see `store-clock.ts`), never by comparing two machines' clocks.
 */

/** Heartbeats a writer may miss before it is given up on (its run reads `lost`). */
export const LOST_AFTER_HEARTBEATS = 4;

/** The environment variable that sets the heartbeat interval of every run, agent and pipeline. */
export const HEARTBEAT_VARIABLE = 'ML_TRACKING_HEARTBEAT_SECONDS';

/** The heartbeat interval when neither an option nor {@link HEARTBEAT_VARIABLE} sets one. */
export const DEFAULT_HEARTBEAT_SECONDS = 10;

/**
 * The heartbeat interval in seconds: `seconds` when given, else the environment's, else 10.
 * Returns `undefined` for a value that is not a positive finite number, for the caller to refuse
 * with its own parameter name.
 */
export function heartbeatSeconds(seconds?: number): number | undefined {
  const fromEnvironment = process.env[HEARTBEAT_VARIABLE];
  const value = seconds ?? (fromEnvironment ? Number(fromEnvironment) : DEFAULT_HEARTBEAT_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : undefined;
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
