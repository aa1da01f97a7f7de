import { randomBytes } from 'node:crypto';
import { signStandardWebhooks, standardWebhooksSecretPrefix, verifyStandardWebhooks } from '@hookflow/protocol/signing';
import { headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';

/**
 * Standard Webhooks (standardwebhooks.com, used by Svix and others): `webhook-signature` holds space-separated
 * `v1,<base64>` entries (several while the sender rotates), each an HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.
 */
export const standardWebhooksScheme: SignatureScheme = {
  name: 'standard-webhooks',
  signatureHeaders: ['webhook-signature'],

  generateSecret() {
    return `${standardWebhooksSecretPrefix}${randomBytes(32).toString('base64')}`;
  },

  verify({ rawBody, headers, secrets, nowMs }: VerifyInput): VerifyResult {
    return verifyStandardWebhooks({ body: rawBody, headers, secrets, nowMs });
  },

  dedupeKey(headers) {
    return headerValue(headers, 'webhook-id') || undefined;
  },

  sign(rawBody, secret, nowMs, id) {
    return signStandardWebhooks(rawBody, secret, { nowMs, id });
  },
};
