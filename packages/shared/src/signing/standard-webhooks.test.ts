import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { standardWebhooksScheme as scheme } from './standard-webhooks.js';
import type { Headers } from './scheme.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const secret = scheme.generateSecret();
const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 100 } });

function verify(rawBody: string, headers: Headers, secrets = [secret], at = nowMs) {
  return scheme.verify({ rawBody: Buffer.from(rawBody), headers, secrets, nowMs: at, parsedBody: () => JSON.parse(rawBody) });
}

/** Headers as the reference library (`standardwebhooks` on npm) signs them. */
function librarySigned(rawBody: string, key = secret, at = nowMs, id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W') {
  const timestamp = new Date(at);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at / 1000)), 'webhook-signature': new Webhook(key).sign(id, timestamp, rawBody) };
}

describe('standard-webhooks scheme', () => {
  it('generates whsec_ secrets of at least 24 random bytes that the reference library accepts', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(scheme.generateSecret()).not.toBe(secret);
    expect(() => new Webhook(secret)).not.toThrow();
  });

  it('accepts a request signed by the reference library', () => {
    expect(verify(body, librarySigned(body))).toEqual({ ok: true });
  });

  it('signs requests the reference library verifies', () => {
    const headers = scheme.sign(body, secret, Date.now(), 'msg_abc');
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe('msg_abc');
  });

  it('accepts any of several space-separated v1 signatures, and any active secret (rotation)', () => {
    const other = scheme.generateSecret();
    const signed = librarySigned(body, other);
    const wrong = librarySigned(body, scheme.generateSecret())['webhook-signature'];
    const headers = { ...signed, 'webhook-signature': `${wrong} ${signed['webhook-signature']}` };
    expect(verify(body, headers, [secret, other])).toEqual({ ok: true });
    expect(verify(body, headers, [secret])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects a tampered body, a wrong secret and a changed id', () => {
    const headers = librarySigned(body);
    expect(verify(body.replace('100', '1000'), headers)).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, headers, [scheme.generateSecret()])).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { ...headers, 'webhook-id': 'msg_other' })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { ...headers, 'webhook-signature': 'v1a,abc' })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects timestamps more than 300 s away, either way, with timestamp_invalid', () => {
    const stale = librarySigned(body, secret, nowMs - 301_000);
    expect(verify(body, stale)).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    const future = librarySigned(body, secret, nowMs + 301_000);
    expect(verify(body, future)).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    expect(verify(body, librarySigned(body, secret, nowMs - 299_000))).toEqual({ ok: true });
    expect(verify(body, { ...librarySigned(body), 'webhook-timestamp': 'soon' })).toMatchObject({ ok: false, code: 'timestamp_invalid' });
  });

  it('answers signature_missing when any of the three headers is absent', () => {
    const headers = librarySigned(body);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(verify(body, rest)).toMatchObject({ ok: false, code: 'signature_missing' });
    }
  });

  it('answers signature_invalid when the webhook has no key', () => {
    expect(verify(body, librarySigned(body), [])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('uses webhook-id as its dedupe key', () => {
    expect(scheme.dedupeKey({ 'webhook-id': 'msg_1' }, () => ({}))).toBe('msg_1');
    expect(scheme.dedupeKey({}, () => ({}))).toBeUndefined();
  });
});
