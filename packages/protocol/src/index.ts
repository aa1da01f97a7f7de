/**
 * The parts of Hookflow's contract that need no Node API, so the web console can import them too. Signing, which
 * needs `node:crypto`, is the `@hookflow/protocol/signing` entry.
 */
export { deliveryStatuses, type DeliveryStatus } from './delivery-statuses.js';
export { isRetryableStatus } from './retryable-status.js';
export { backoffTypes, defaultBackoff, retryDelayMs, type Backoff, type BackoffType, type RetryPolicy } from './retry-policy.js';
export { isSchemeName, schemeNames, type SchemeName } from './scheme-names.js';
