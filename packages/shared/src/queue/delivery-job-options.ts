import type { JobsOptions } from 'bullmq';
import type { RetryPolicy } from '@hookflow/protocol';
import { webhookDefaults, type WebhookOptions } from '../registry/types.js';

/**
 * Attempts and backoff of a delivery's job: the webhook's options win, then the workflow's own `retry`, then the
 * defaults. BullMQ names the backoff delay `delay`, where the API and workflow definitions say `delayMs`.
 */
export function deliveryJobOptions(
  webhook: WebhookOptions,
  workflowRetry?: RetryPolicy,
): Required<Pick<JobsOptions, 'attempts' | 'backoff'>> {
  const backoff = webhook.backoff ?? workflowRetry?.backoff ?? webhookDefaults.backoff;
  return {
    attempts: webhook.attempts ?? workflowRetry?.attempts ?? webhookDefaults.attempts,
    backoff: { type: backoff.type, delay: backoff.delayMs },
  };
}
