import { randomBytes } from 'node:crypto';
import {
  anyMacMatches,
  checkTimestamp,
  maxSignaturesPerRequest,
  noKey,
  noMatch,
  signers,
  stripeSignature,
} from '@hookflow/protocol/signing';
import { bodyStringField } from './body-field.js';
import { headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';

/**
 * Stripe: `stripe-signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 of `{t}.{body}` keyed with the
 * whole endpoint secret string (`whsec_` included). Several `v1` entries appear while Stripe rolls a secret.
 */
export const stripeScheme: SignatureScheme = {
  name: 'stripe',
  signatureHeaders: ['stripe-signature'],

  generateSecret() {
    return `whsec_${randomBytes(24).toString('hex')}`;
  },

  verify({ rawBody, headers, secrets, nowMs }: VerifyInput): VerifyResult {
    const header = headerValue(headers, 'stripe-signature');
    if (!header) return { ok: false, code: 'signature_missing', detail: 'the stripe-signature header is missing' };
    let timestamp: string | undefined;
    const given: Buffer[] = [];
    for (const item of header.split(',')) {
      const eq = item.indexOf('=');
      const name = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (name === 't') timestamp = value;
      else if (name === 'v1' && given.length < maxSignaturesPerRequest && /^[0-9a-fA-F]{64}$/.test(value))
        given.push(Buffer.from(value, 'hex'));
    }
    if (timestamp === undefined) return { ok: false, code: 'timestamp_invalid', detail: 'stripe-signature has no t= timestamp' };
    const time = checkTimestamp(timestamp, nowMs);
    if (!time.ok) return { ok: false, code: 'timestamp_invalid', detail: time.detail };
    if (given.length === 0) return { ok: false, code: 'signature_invalid', detail: 'stripe-signature has no v1 signature' };
    if (secrets.length === 0) return noKey;
    return anyMacMatches(secrets, given, (secret) => stripeSignature(secret, timestamp, rawBody)) ? { ok: true } : noMatch;
  },

  /** Stripe repeats the event's `id` (`evt_…`) on every redelivery of that event. */
  dedupeKey(_headers, parsedBody) {
    return bodyStringField(parsedBody, 'id');
  },

  sign(rawBody, secret, nowMs) {
    return signers.stripe(rawBody, secret, { nowMs });
  },
};
