/**
 * Holding a claim while its work runs: the holder renews it every heartbeat by a compare-and-swap
 * on the generation it holds. A renewal that loses the swap means another process took the claim
 * over (this one was paused, partitioned or judged gone): the lease is lost and the work must stop
 * at once. So must work whose holder could not renew for longer than the lease: a taker may
 * already be running it (the holder fences itself).
 */
import { debug } from '../_debug.js';
import type { Store } from '../store/types.js';
import { replaceClaim, type ClaimBody, type HeldClaim } from './claims.js';
import { leaseMs } from './liveness.js';

/** A claim held while its work runs. */
export interface Lease<Body extends ClaimBody> {
  /** The claim as last written by this holder. */
  readonly current: HeldClaim<Body>;
  /** Aborted when the lease is lost; its reason says why. */
  readonly lost: AbortSignal;
  /**
   * Stops renewing and writes the claim's last state (`done`, or `released` to give the work
   * back), still by a compare-and-swap. Resolves `false` when the lease had been lost.
   */
  end(state: 'done' | 'released'): Promise<boolean>;
}

/** Renews `held` every `heartbeatIntervalSeconds` until {@link Lease.end} or the lease is lost. */
export function holdLease<Body extends ClaimBody>(
  store: Store,
  held: HeldClaim<Body>,
  heartbeatIntervalSeconds: number,
): Lease<Body> {
  const controller = new AbortController();
  const intervalMs = Math.max(heartbeatIntervalSeconds * 1000, store.updateIntervalMs);
  let current = held;
  let lastRenewed = performance.now();
  let renewing: Promise<void> = Promise.resolve();
  let ended = false;
  let renewals = held.claim.renewals ?? 0;

  const lose = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(reason));
    clearInterval(timer);
  };

  const renew = async () => {
    if (ended || controller.signal.aborted) return;
    try {
      // A counter makes every renewal's bytes new, so that a renewal retried after a lost answer
      // is recognised by its bytes (see the GCS driver's write) and never taken for a take-over.
      renewals += 1;
      const next = await replaceClaim(store, current, { ...current.claim, renewals });
      if (next === undefined) {
        lose(`its claim ${current.path} was taken over by another process`);
        return;
      }
      current = next;
      lastRenewed = performance.now();
    } catch (error) {
      debug(`cannot renew ${current.path}, will retry: ${String(error)}`);
      // Silent this long, a taker may already run the work: stop rather than run it twice.
      if (performance.now() - lastRenewed > leaseMs(heartbeatIntervalSeconds) - intervalMs) {
        lose(`its claim ${current.path} could not be renewed within its lease`);
      }
    }
  };

  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, intervalMs);
  // The work keeps the process alive, never its lease.
  timer.unref();

  return {
    get current() {
      return current;
    },
    lost: controller.signal,
    async end(state) {
      ended = true;
      clearInterval(timer);
      await renewing;
      if (controller.signal.aborted) return false;
      const last = await replaceClaim(store, current, { ...current.claim, state });
      if (last === undefined) {
        lose(`its claim ${current.path} was taken over by another process`);
        return false;
      }
      current = last;
      return true;
    },
  };
}
