export { sign, bodyText, type SignOptions } from './sign.js';
export { send, type SendOptions, type SendResult } from './send.js';
export { SendError } from './send-error.js';
export { UnknownSchemeError } from './unknown-scheme-error.js';
export { schemeNames, isSchemeName, type SchemeName } from './signers.js';
export { backoffDelay, parseRetryAfter, isRetryableStatus, defaultRetries, type RetryOptions } from './backoff.js';
