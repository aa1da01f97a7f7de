import { QueueKeys } from 'bullmq';

/**
 * The Redis key of one job's hash (`<bullPrefix>:<queue>:<jobId>`), built by BullMQ's own key builder, for code that
 * looks a job up without a `Queue` object (the ingress's dedupe checks whether a stored delivery got its job).
 */
export function jobKey(bullPrefix: string, queue: string, jobId: string): string {
  return new QueueKeys(bullPrefix).toKey(queue, jobId);
}
