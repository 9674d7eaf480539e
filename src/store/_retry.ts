import pRetry from 'p-retry';
import type { RetryPolicy } from './types.js';

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 12, minDelayMs: 25, maxDelayMs: 2000 };

/** Thrown by {@link retry} when every attempt failed; `cause` is the last failure. */
export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`gave up after ${attempts} attempts`);
  }
}

/**
 * Runs `operation` until it succeeds, a failure is not `retryable` (told which attempt failed,
 * from 1), or the attempts run out. Capped exponential backoff with jitter, so that writers who
 * collided do not collide again.
 */
export async function retry<T>(
  operation: () => Promise<T>,
  retryable: (error: unknown, attempt: number) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
  let attempts = 0;
  try {
    return await pRetry(
      () => {
        attempts += 1;
        return operation();
      },
      {
        retries: policy.attempts - 1,
        factor: 2,
        minTimeout: policy.minDelayMs,
        maxTimeout: policy.maxDelayMs,
        randomize: true,
        shouldRetry: ({ error, attemptNumber }) => retryable(error, attemptNumber),
      },
    );
  } catch (error) {
    // Gave up on an error that is worth retrying: say how many attempts it took.
    if (attempts > 1 && retryable(error, 1)) throw new RetriesExhausted(attempts, error);
    throw error;
  }
}
