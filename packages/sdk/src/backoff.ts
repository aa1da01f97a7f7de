/** Retry policy of `send`. */
export interface RetryOptions {
  /** Total tries, the first one included. Default 5; 1 disables retries. */
  attempts?: number;
  /** Base of the exponential backoff in ms. Default 500. */
  baseMs?: number;
  /** Ceiling of one backoff delay in ms (not applied to a server's `Retry-After`). Default 30 000. */
  maxMs?: number;
}

export const defaultRetries = { attempts: 5, baseMs: 500, maxMs: 30_000 } as const satisfies Required<RetryOptions>;

/**
 * "Full jitter" backoff: a uniformly random delay in [0, min(maxMs, baseMs * 2^retry)), so senders that failed together
 * do not retry together. `retry` counts from 0 for the first retry.
 */
export function backoffDelay(retry: number, policy: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as a delay in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or malformed. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
