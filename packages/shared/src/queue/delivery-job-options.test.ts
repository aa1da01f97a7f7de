import { describe, expect, it } from 'vitest';
import { deliveryJobOptions } from './delivery-job-options.js';

describe('deliveryJobOptions', () => {
  it('uses the defaults when neither webhook nor workflow says anything', () => {
    expect(deliveryJobOptions({})).toEqual({ attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
  });

  it('prefers the workflow retry over defaults and the webhook options over both', () => {
    const workflow = { attempts: 5, backoff: { type: 'fixed' as const, delayMs: 200 } };
    expect(deliveryJobOptions({}, workflow)).toEqual({ attempts: 5, backoff: { type: 'fixed', delay: 200 } });
    expect(deliveryJobOptions({ attempts: 2 }, workflow)).toEqual({ attempts: 2, backoff: { type: 'fixed', delay: 200 } });
    expect(deliveryJobOptions({ backoff: { type: 'exponential', delayMs: 50 } }, workflow)).toEqual({
      attempts: 5,
      backoff: { type: 'exponential', delay: 50 },
    });
  });
});
