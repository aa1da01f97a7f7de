import { randomBytes } from 'node:crypto';
import { anyMacMatches, checkTimestamp, noKey, noMatch, signers, slackSignature } from '@hookflow/protocol/signing';
import { bodyStringField } from './body-field.js';
import { headerValue, type SignatureScheme, type VerifyInput, type VerifyResult } from './scheme.js';

const signatureFormat = /^v0=([0-9a-fA-F]{64})$/;

/** Slack: `x-slack-signature: v0=<hex>` of `v0:{x-slack-request-timestamp}:{body}`, keyed with the signing secret. */
export const slackScheme: SignatureScheme = {
  name: 'slack',
  signatureHeaders: ['x-slack-signature'],

  generateSecret() {
    // Slack signing secrets are 32 hex characters.
    return randomBytes(16).toString('hex');
  },

  verify({ rawBody, headers, secrets, nowMs }: VerifyInput): VerifyResult {
    const signature = headerValue(headers, 'x-slack-signature')?.trim();
    const timestamp = headerValue(headers, 'x-slack-request-timestamp')?.trim();
    if (!signature || !timestamp) {
      return { ok: false, code: 'signature_missing', detail: 'x-slack-signature and x-slack-request-timestamp are required' };
    }
    const time = checkTimestamp(timestamp, nowMs);
    if (!time.ok) return { ok: false, code: 'timestamp_invalid', detail: time.detail };
    const match = signatureFormat.exec(signature);
    if (!match) return { ok: false, code: 'signature_invalid', detail: 'x-slack-signature must be v0= and 64 hex characters' };
    if (secrets.length === 0) return noKey;
    return anyMacMatches(secrets, [Buffer.from(match[1]!, 'hex')], (secret) => slackSignature(secret, timestamp, rawBody))
      ? { ok: true }
      : noMatch;
  },

  /** Slack sends no delivery id header; Events API envelopes carry `event_id`, repeated on retries. */
  dedupeKey(_headers, parsedBody) {
    return bodyStringField(parsedBody, 'event_id');
  },

  sign(rawBody, secret, nowMs) {
    return signers.slack(rawBody, secret, { nowMs });
  },
};
