export { sign, bodyText, type SignOptions } from './sign.js';
export { send, type SendOptions, type SendResult } from './send.js';
export { SendError } from './send-error.js';
export { UnknownSchemeError } from './unknown-scheme-error.js';
export { schemeNames, isSchemeName, isRetryableStatus, type SchemeName } from '@hookflow/protocol';
export { backoffDelay, parseRetryAfter, defaultRetries, type RetryOptions } from './backoff.js';
