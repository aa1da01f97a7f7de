/**
 * HTTP answers worth sending the same request again: 408 (the receiver gave up waiting for the request), 429
 * (throttled) and every 5xx (the receiver failed). Any other status would come back the same the next time.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
