export const backoffTypes = ['fixed', 'exponential'] as const;
export type BackoffType = (typeof backoffTypes)[number];

/** The wait between tries: the same `delayMs` each time, or doubling from it. */
export interface Backoff {
  type: BackoffType;
  delayMs: number;
}

/** A workflow's or a step's `retry` (API.md); a webhook's `attempts` and `backoff` options mean the same. */
export interface RetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  /** Default `defaultBackoff`. */
  backoff?: Backoff;
}

export const defaultBackoff = { type: 'exponential', delayMs: 1000 } as const satisfies Backoff;

/**
 * The wait after the `failedTries`-th failed try (1 for the first). BullMQ's formulas, which time a delivery's own
 * retries, so step and delivery retries read the same: fixed `delayMs`, or `delayMs * 2^(failedTries - 1)`.
 */
export function retryDelayMs(policy: RetryPolicy, failedTries: number): number {
  const backoff = policy.backoff ?? defaultBackoff;
  return backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** (failedTries - 1);
}
