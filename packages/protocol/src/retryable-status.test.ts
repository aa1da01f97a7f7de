import { describe, expect, it } from 'vitest';
import { isRetryableStatus } from './retryable-status.js';

describe('isRetryableStatus', () => {
  it('retries a receiver that timed out, throttled or failed', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status), String(status)).toBe(true);
  });

  it('never retries a success, a redirect or any other client error', () => {
    for (const status of [200, 202, 204, 301, 304, 400, 401, 403, 404, 409, 413, 422, 499])
      expect(isRetryableStatus(status), String(status)).toBe(false);
  });
});
