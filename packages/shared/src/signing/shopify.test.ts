import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shopifyScheme as scheme } from './shopify.js';
import type { Headers } from './scheme.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const secret = scheme.generateSecret();
const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com' });

function verify(rawBody: string, headers: Headers, secrets = [secret]) {
  return scheme.verify({ rawBody: Buffer.from(rawBody), headers, secrets, nowMs, parsedBody: () => JSON.parse(rawBody) });
}

/** Signed as Shopify's documentation computes it (Node example: base64 HMAC-SHA256 of the raw body), independently of `sign`. */
function shopifySigned(rawBody: string, key = secret): Headers {
  return { 'x-shopify-hmac-sha256': createHmac('sha256', key).update(rawBody, 'utf8').digest('base64') };
}

describe('shopify scheme', () => {
  it('verifies a fixed vector (secret "shop-secret", body {"id":1})', () => {
    expect(verify('{"id":1}', { 'x-shopify-hmac-sha256': 'plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=' }, ['shop-secret'])).toEqual({
      ok: true,
    });
  });

  it('accepts a valid signature from any active secret, and signs the same way', () => {
    expect(verify(body, shopifySigned(body))).toEqual({ ok: true });
    expect(verify(body, shopifySigned(body, 'old'), [secret, 'old'])).toEqual({ ok: true });
    expect(scheme.sign(body, secret, nowMs, 'wid-1')).toEqual({ ...shopifySigned(body), 'x-shopify-webhook-id': 'wid-1' });
  });

  it('rejects a tampered body, a wrong secret and a malformed header', () => {
    expect(verify(body.replace('jon', 'eve'), shopifySigned(body))).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, shopifySigned(body, 'wrong'))).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-shopify-hmac-sha256': 'not base64!' })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, shopifySigned(body), [])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('answers signature_missing without x-shopify-hmac-sha256', () => {
    expect(verify(body, {})).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('uses x-shopify-webhook-id as its dedupe key', () => {
    expect(scheme.dedupeKey({ 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }, () => ({}))).toBe(
      'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    );
    expect(scheme.dedupeKey({}, () => ({}))).toBeUndefined();
  });
});
