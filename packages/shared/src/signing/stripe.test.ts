import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { stripeScheme as scheme } from './stripe.js';
import type { Headers } from './scheme.js';

const stripe = new Stripe('sk_test_not_used');
const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const nowSeconds = Math.floor(nowMs / 1000);
const secret = scheme.generateSecret();
const body = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'invoice.paid' });

function verify(rawBody: string, headers: Headers, secrets = [secret], at = nowMs) {
  return scheme.verify({ rawBody: Buffer.from(rawBody), headers, secrets, nowMs: at, parsedBody: () => JSON.parse(rawBody) });
}

/** `stripe-signature` exactly as the stripe package's test helper builds it. */
function librarySigned(rawBody: string, key = secret, timestamp = nowSeconds): Headers {
  return { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: rawBody, secret: key, timestamp }) };
}

describe('stripe scheme', () => {
  it('generates whsec_ secrets', () => {
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
  });

  it('accepts a header from stripe.webhooks.generateTestHeaderString (keyed with the whole secret, whsec_ included)', () => {
    expect(verify(body, librarySigned(body))).toEqual({ ok: true });
    expect(verify(body, librarySigned(body, secret.slice('whsec_'.length)))).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('signs requests stripe.webhooks.constructEvent accepts', () => {
    const headers = scheme.sign(body, secret, Date.now());
    expect(stripe.webhooks.constructEvent(body, headers['stripe-signature']!, secret).id).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
  });

  it('accepts several v1 entries when one matches (Stripe rolling a secret)', () => {
    const good = librarySigned(body)['stripe-signature'] as string;
    const bad = librarySigned(body, 'whsec_other')['stripe-signature'] as string;
    const v1Good = good.split(',').find((p) => p.startsWith('v1='))!;
    const v1Bad = bad.split(',').find((p) => p.startsWith('v1='))!;
    expect(verify(body, { 'stripe-signature': `t=${nowSeconds},${v1Bad},${v1Good},v0=abc` })).toEqual({ ok: true });
    expect(verify(body, { 'stripe-signature': `t=${nowSeconds},${v1Bad}` })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects a tampered body and a wrong secret', () => {
    expect(verify(body.replace('paid', 'void'), librarySigned(body))).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, librarySigned(body, 'whsec_wrong'))).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects a timestamp more than 300 s away with timestamp_invalid, and a header without t=', () => {
    expect(verify(body, librarySigned(body, secret, nowSeconds - 301))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    expect(verify(body, librarySigned(body, secret, nowSeconds + 301))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    expect(verify(body, librarySigned(body, secret, nowSeconds - 300))).toEqual({ ok: true });
    expect(verify(body, { 'stripe-signature': 'v1=00' })).toMatchObject({ ok: false, code: 'timestamp_invalid' });
  });

  it('answers signature_missing without stripe-signature, signature_invalid without a key', () => {
    expect(verify(body, {})).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(verify(body, librarySigned(body), [])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it("uses the event's body id as its dedupe key", () => {
    expect(scheme.dedupeKey({}, () => JSON.parse(body))).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
    expect(scheme.dedupeKey({}, () => ({ id: 7 }))).toBeUndefined();
    expect(scheme.dedupeKey({}, () => [1])).toBeUndefined();
    expect(
      scheme.dedupeKey({}, () => {
        throw new SyntaxError('not JSON');
      }),
    ).toBeUndefined();
  });
});
