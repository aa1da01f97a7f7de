import type { IngressMetrics } from '@hookflow/shared';
import type { IngestResult } from '../ingest/ingest.js';

const authFailures = new Set(['signature_missing', 'signature_invalid', 'timestamp_invalid']);

/** Counts one answered `/hooks` request. `scheme` is the webhook's signing scheme, `unknown` when there is no webhook. */
export function countIngestOutcome(metrics: IngressMetrics, scheme: string, result: IngestResult): void {
  switch (result.outcome) {
    case 'accepted':
      metrics.requests.inc({ scheme, status: '202' });
      return;
    case 'duplicate':
      metrics.requests.inc({ scheme, status: '200' });
      metrics.duplicates.inc({ scheme });
      return;
    case 'rejected': {
      const { status, code } = result.problem;
      metrics.requests.inc({ scheme, status: String(status) });
      if (authFailures.has(code)) metrics.verificationFailures.inc({ scheme, code });
      if (code === 'rate_limited') metrics.rateLimited.inc({ scheme });
      return;
    }
    case 'aborted':
      metrics.requests.inc({ scheme, status: 'aborted' });
      return;
  }
}
