import { randomBytes, randomUUID } from 'node:crypto';
import { anyMacMatches, bodySignature, noKey, noMatch, signers } from '@hookflow/protocol/signing';
import { headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';

const signatureFormat = /^sha256=([0-9a-fA-F]{64})$/;

/** GitHub: `x-hub-signature-256: sha256=<hex>` of the body, keyed with the webhook secret; no timestamp. */
export const githubScheme: SignatureScheme = {
  name: 'github',
  signatureHeaders: ['x-hub-signature-256', 'x-hub-signature'],

  generateSecret() {
    return randomBytes(32).toString('hex');
  },

  verify({ rawBody, headers, secrets }: VerifyInput): VerifyResult {
    const header = headerValue(headers, 'x-hub-signature-256')?.trim();
    if (!header) return { ok: false, code: 'signature_missing', detail: 'the x-hub-signature-256 header is missing' };
    const match = signatureFormat.exec(header);
    if (!match) return { ok: false, code: 'signature_invalid', detail: 'x-hub-signature-256 must be sha256= and 64 hex characters' };
    if (secrets.length === 0) return noKey;
    const given = Buffer.from(match[1]!, 'hex');
    return anyMacMatches(secrets, [given], (secret) => bodySignature(secret, rawBody)) ? { ok: true } : noMatch;
  },

  dedupeKey(headers) {
    return headerValue(headers, 'x-github-delivery') || undefined;
  },

  sign(rawBody, secret, nowMs, id = randomUUID()) {
    return { ...signers.github(rawBody, secret, { nowMs }), 'x-github-delivery': id };
  },
};
