import { randomUUID } from 'node:crypto';
import { anyMacMatches, hmacSha256, maxSignaturesPerRequest } from './hmac.js';
import type { Body } from './signatures.js';
import { checkTimestamp, unixSeconds } from './timestamp.js';
import { headerValue, noKey, noMatch, type Headers, type VerifyResult } from './verify-result.js';

export const standardWebhooksSecretPrefix = 'whsec_';

/** The HMAC key of a Standard Webhooks secret: the base64 bytes after `whsec_` (the prefix is optional, as in the spec's libraries). */
export function standardWebhooksKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(standardWebhooksSecretPrefix) ? secret.slice(standardWebhooksSecretPrefix.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : null;
}

/** The MAC of one message: HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`. Signing and checking both use it. */
export function standardWebhooksSignature(key: Buffer, id: string, timestamp: string, body: Body): Buffer {
  return hmacSha256(key, [`${id}.${timestamp}.`, body]);
}

export interface StandardWebhooksHeaders extends Record<string, string> {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The headers that sign `body` with `secret` (standardwebhooks.com): `webhook-id` is `id` (a random `msg_…` one
 * without it), so a receiver can drop a message it already handled; `webhook-timestamp` is `nowMs` in Unix seconds.
 */
export function signStandardWebhooks(
  body: Body,
  secret: string,
  { nowMs, id = `msg_${randomUUID()}` }: { nowMs: number; id?: string | undefined },
): StandardWebhooksHeaders {
  const key = standardWebhooksKey(secret);
  if (!key) throw new TypeError('a standard-webhooks secret must be base64 (optionally after whsec_)');
  const timestamp = unixSeconds(nowMs);
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${standardWebhooksSignature(key, id, timestamp, body).toString('base64')}`,
  };
}

export interface StandardWebhooksRequest {
  /** The body exactly as received. */
  body: Body;
  headers: Headers;
  /** Every secret that may have signed it (during a rotation, the new and the old one). */
  secrets: readonly string[];
  /** The receiver's clock, injected so checking stays a pure function. */
  nowMs: number;
}

/**
 * Checks a Standard Webhooks request: `webhook-timestamp` within the tolerance, and one of the space-separated
 * `v1,<base64>` entries of `webhook-signature` (a sender rotating its secret sends several) equal to the MAC of
 * one of `secrets`, recomputed as `signStandardWebhooks` computes it.
 */
export function verifyStandardWebhooks({ body, headers, secrets, nowMs }: StandardWebhooksRequest): VerifyResult {
  const id = headerValue(headers, 'webhook-id');
  const timestampHeader = headerValue(headers, 'webhook-timestamp');
  const signature = headerValue(headers, 'webhook-signature');
  if (!id || !timestampHeader || !signature) {
    return { ok: false, code: 'signature_missing', detail: 'webhook-id, webhook-timestamp and webhook-signature are required' };
  }
  const timestamp = timestampHeader.trim();
  const time = checkTimestamp(timestamp, nowMs);
  if (!time.ok) return { ok: false, code: 'timestamp_invalid', detail: time.detail };
  const given = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .slice(0, maxSignaturesPerRequest)
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  if (given.length === 0) return { ok: false, code: 'signature_invalid', detail: 'webhook-signature has no v1 signature' };
  if (secrets.length === 0) return noKey;
  const matched = anyMacMatches(secrets, given, (secret) => {
    const key = standardWebhooksKey(secret);
    return key ? standardWebhooksSignature(key, id, timestamp, body) : null;
  });
  return matched ? { ok: true } : noMatch;
}
