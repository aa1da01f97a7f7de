import { randomBytes } from 'node:crypto';
import { bodySignature, macEquals, noKey, noMatch, signers } from '@hookflow/protocol/signing';
import { defaultCanonicalMaxBytes, headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';

const hexSignature = /^(?:sha256=)?([0-9a-fA-F]{64})$/;

/**
 * The default scheme: `x-signature` is the hex HMAC-SHA256 of the body keyed with the private key string. Senders
 * following the reference example sign `JSON.stringify(body)`; when their HTTP client sends other whitespace the
 * raw bytes differ, so the canonical re-serialisation is accepted as well.
 *
 * The fallback parses, re-serialises and hashes again before anything is known of the sender, so it runs only for
 * bodies up to `canonicalMaxBytes`: past that, a forged request costs what hashing its bytes costs. A match through
 * the fallback authenticates the canonical text, not the raw bytes (which may hold duplicate keys the parse drops),
 * so the result names it and that text is what gets stored.
 */
/** `JSON.stringify(JSON.parse(raw))` when it differs from the raw text; undefined when not JSON or already canonical. */
function canonicalForm(rawBody: Buffer, parsedBody: () => unknown): string | undefined {
  let canonical: string;
  try {
    canonical = JSON.stringify(parsedBody());
  } catch {
    return undefined; // not JSON (or too deep to serialise): only the raw-bytes form could have matched
  }
  return canonical === rawBody.toString('utf8') ? undefined : canonical;
}

export const uptiqScheme: SignatureScheme = {
  name: 'uptiq',
  signatureHeaders: ['x-signature'],

  generateSecret() {
    return `pk_${randomBytes(32).toString('base64url')}`;
  },

  verify({ rawBody, headers, secrets, parsedBody, canonicalMaxBytes = defaultCanonicalMaxBytes }: VerifyInput): VerifyResult {
    const header = headerValue(headers, 'x-signature')?.trim();
    if (!header) return { ok: false, code: 'signature_missing', detail: 'the x-signature header is missing' };
    const match = hexSignature.exec(header);
    if (!match) return { ok: false, code: 'signature_invalid', detail: 'x-signature must be 64 hex characters (optionally after sha256=)' };
    if (secrets.length === 0) return noKey;
    const given = Buffer.from(match[1]!, 'hex');
    for (const secret of secrets) if (macEquals(bodySignature(secret, rawBody), given)) return { ok: true };
    const canonical = rawBody.length <= canonicalMaxBytes ? canonicalForm(rawBody, parsedBody) : undefined;
    if (canonical !== undefined) {
      for (const secret of secrets) if (macEquals(bodySignature(secret, canonical), given)) return { ok: true, signedBody: canonical };
    }
    return noMatch;
  },

  dedupeKey() {
    return undefined;
  },

  sign(rawBody, secret, nowMs) {
    return signers.uptiq(rawBody, secret, { nowMs });
  },
};
