import { randomBytes, randomUUID } from 'node:crypto';
import { headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';
import { type SignedContent, maxSignaturesPerRequest, anyMacMatches, checkTimestamp, hmacSha256, noKey, noMatch, withPrefix } from './hmac.js';

const secretPrefix = 'whsec_';

/** The HMAC key of a Standard Webhooks secret: the base64 bytes after `whsec_` (the prefix is optional, as in the spec's libraries). */
function keyOf(secret: string): Buffer | null {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : null;
}

function signedContent(id: string, timestamp: string, rawBody: Buffer | string): SignedContent {
  return withPrefix(`${id}.${timestamp}.`, rawBody);
}

/**
 * Standard Webhooks (standardwebhooks.com, used by Svix and others): `webhook-signature` holds space-separated
 * `v1,<base64>` entries (several while the sender rotates), each an HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.
 */
export const standardWebhooksScheme: SignatureScheme = {
  name: 'standard-webhooks',
  signatureHeaders: ['webhook-signature'],

  generateSecret() {
    return `${secretPrefix}${randomBytes(32).toString('base64')}`;
  },

  verify({ rawBody, headers, secrets, nowMs }: VerifyInput): VerifyResult {
    const id = headerValue(headers, 'webhook-id');
    const timestamp = headerValue(headers, 'webhook-timestamp');
    const signature = headerValue(headers, 'webhook-signature');
    if (!id || !timestamp || !signature) {
      return { ok: false, code: 'signature_missing', detail: 'webhook-id, webhook-timestamp and webhook-signature are required' };
    }
    const time = checkTimestamp(timestamp.trim(), nowMs);
    if (!time.ok) return { ok: false, code: 'timestamp_invalid', detail: time.detail };
    const given = signature
      .split(' ')
      .filter((entry) => entry.startsWith('v1,'))
      .slice(0, maxSignaturesPerRequest)
      .map((entry) => Buffer.from(entry.slice(3), 'base64'));
    if (given.length === 0) return { ok: false, code: 'signature_invalid', detail: 'webhook-signature has no v1 signature' };
    if (secrets.length === 0) return noKey;
    const content = signedContent(id, timestamp.trim(), rawBody);
    const matched = anyMacMatches(secrets, given, (secret) => {
      const key = keyOf(secret);
      return key ? hmacSha256(key, content) : null;
    });
    return matched ? { ok: true } : noMatch;
  },

  dedupeKey(headers) {
    return headerValue(headers, 'webhook-id') || undefined;
  },

  sign(rawBody, secret, nowMs, id = `msg_${randomUUID()}`) {
    const timestamp = String(Math.floor(nowMs / 1000));
    const key = keyOf(secret);
    if (!key) throw new Error('a standard-webhooks secret must be base64 (optionally after whsec_)');
    return {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${hmacSha256(key, signedContent(id, timestamp, rawBody)).toString('base64')}`,
    };
  },
};
