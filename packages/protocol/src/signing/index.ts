/** Signing and checking webhook signatures (`node:crypto`): one computation of each scheme's MAC, for both sides. */
export { anyMacMatches, hmacSha256, macEquals, maxSignaturesPerRequest, type SignedContent } from './hmac.js';
export { checkTimestamp, timestampToleranceSeconds, unixSeconds, type TimestampCheck } from './timestamp.js';
export { headerValue, noKey, noMatch, type Headers, type VerifyFailure, type VerifyRejected, type VerifyResult } from './verify-result.js';
export { bodySignature, slackSignature, stripeSignature, type Body } from './signatures.js';
export {
  signStandardWebhooks,
  standardWebhooksKey,
  standardWebhooksSecretPrefix,
  standardWebhooksSignature,
  verifyStandardWebhooks,
  type StandardWebhooksHeaders,
  type StandardWebhooksRequest,
} from './standard-webhooks.js';
export { signers, type SignContext, type Signer } from './signers.js';
