import { randomBytes, randomUUID } from 'node:crypto';
import { anyMacMatches, bodySignature, noKey, noMatch, signers } from '@hookflow/protocol/signing';
import { headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';

const base64Format = /^[A-Za-z0-9+/]{43}=$/;

/** Shopify: `x-shopify-hmac-sha256` is the base64 HMAC-SHA256 of the body, keyed with the app's client secret; no timestamp. */
export const shopifyScheme: SignatureScheme = {
  name: 'shopify',
  signatureHeaders: ['x-shopify-hmac-sha256'],

  generateSecret() {
    return `shpss_${randomBytes(16).toString('hex')}`;
  },

  verify({ rawBody, headers, secrets }: VerifyInput): VerifyResult {
    const header = headerValue(headers, 'x-shopify-hmac-sha256')?.trim();
    if (!header) return { ok: false, code: 'signature_missing', detail: 'the x-shopify-hmac-sha256 header is missing' };
    if (!base64Format.test(header))
      return { ok: false, code: 'signature_invalid', detail: 'x-shopify-hmac-sha256 must be base64 of 32 bytes' };
    if (secrets.length === 0) return noKey;
    const given = Buffer.from(header, 'base64');
    return anyMacMatches(secrets, [given], (secret) => bodySignature(secret, rawBody)) ? { ok: true } : noMatch;
  },

  dedupeKey(headers) {
    return headerValue(headers, 'x-shopify-webhook-id') || undefined;
  },

  sign(rawBody, secret, nowMs, id = randomUUID()) {
    return { ...signers.shopify(rawBody, secret, { nowMs }), 'x-shopify-webhook-id': id };
  },
};
