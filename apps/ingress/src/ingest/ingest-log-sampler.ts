import type { Logger } from '@hookflow/shared';
import type { IngestResult } from './ingest.js';

/**
 * Debug lines for `/hooks` without a line per request: at debug level, one request in `every` is logged (counters
 * in /metrics count them all). Only the webhook id, the outcome, the delivery id and the problem code: never
 * headers, bodies or signatures.
 */
export function ingestLogSampler(log: Logger, every: number): (webhookId: string, result: IngestResult) => void {
  if (!log.isLevelEnabled('debug')) return () => {};
  let seen = 0;
  return (webhookId, result) => {
    seen = (seen + 1) % every;
    if (seen !== 0) return;
    log.debug({ webhookId: webhookId.slice(0, 40), ...summary(result), sampledOneIn: every }, 'ingest sample');
  };
}

function summary(result: IngestResult): Record<string, unknown> {
  switch (result.outcome) {
    case 'accepted':
      return { outcome: result.outcome, status: 202, deliveryId: result.deliveryId, deliveryStatus: result.status };
    case 'duplicate':
      return { outcome: result.outcome, status: 200, deliveryId: result.deliveryId };
    case 'rejected':
      return { outcome: result.outcome, status: result.problem.status, code: result.problem.code };
    case 'aborted':
      return { outcome: result.outcome };
  }
}
