import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-policy.js';

describe('retryDelayMs', () => {
  it('waits delayMs every time for a fixed backoff', () => {
    const policy = { attempts: 4, backoff: { type: 'fixed', delayMs: 250 } } as const;
    expect([1, 2, 3].map((n) => retryDelayMs(policy, n))).toEqual([250, 250, 250]);
  });

  it('doubles from delayMs for an exponential backoff, and from 1 s without one', () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ attempts: 4, backoff: { type: 'exponential', delayMs: 100 } }, n))).toEqual([100, 200, 400]);
    expect([1, 2, 3].map((n) => retryDelayMs({ attempts: 4 }, n))).toEqual([1000, 2000, 4000]);
  });
});
