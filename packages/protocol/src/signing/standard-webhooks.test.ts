import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { signStandardWebhooks, verifyStandardWebhooks } from './standard-webhooks.js';
import type { Headers } from './verify-result.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const secret = newSecret();
const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 100 } });

function verify(rawBody: string, headers: Headers, secrets = [secret], at = nowMs) {
  return verifyStandardWebhooks({ body: Buffer.from(rawBody), headers, secrets, nowMs: at });
}

/** Headers as the reference library (`standardwebhooks` on npm) signs them. */
function librarySigned(rawBody: string, key = secret, at = nowMs, id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W') {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': new Webhook(key).sign(id, new Date(at), rawBody),
  };
}

describe('signStandardWebhooks', () => {
  it('signs what the reference library verifies, with the given id and a random msg_ id without one', () => {
    const headers = signStandardWebhooks(body, secret, { nowMs: Date.now(), id: 'msg_abc' });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe('msg_abc');
    expect(signStandardWebhooks(body, secret, { nowMs })['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
  });

  it('signs the same as the reference library, with or without the whsec_ prefix', () => {
    const expected = librarySigned(body, secret, nowMs, 'msg_1');
    expect(signStandardWebhooks(body, secret, { nowMs, id: 'msg_1' })).toEqual(expected);
    expect(signStandardWebhooks(body, secret.slice('whsec_'.length), { nowMs, id: 'msg_1' })).toEqual(expected);
  });

  it('refuses a secret with no key bytes', () => {
    expect(() => signStandardWebhooks(body, 'whsec_', { nowMs })).toThrow(TypeError);
  });
});

describe('verifyStandardWebhooks', () => {
  it('accepts a request signed by the reference library, and what signStandardWebhooks signs', () => {
    expect(verify(body, librarySigned(body))).toEqual({ ok: true });
    expect(verify(body, signStandardWebhooks(body, secret, { nowMs }))).toEqual({ ok: true });
  });

  it('accepts any of several space-separated v1 signatures, and any active secret (rotation)', () => {
    const other = newSecret();
    const signed = librarySigned(body, other);
    const wrong = librarySigned(body, newSecret())['webhook-signature'];
    const headers = { ...signed, 'webhook-signature': `${wrong} ${signed['webhook-signature']}` };
    expect(verify(body, headers, [secret, other])).toEqual({ ok: true });
    expect(verify(body, headers, [secret])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects a tampered body, a wrong secret and a changed id', () => {
    const headers = librarySigned(body);
    expect(verify(body.replace('100', '1000'), headers)).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, headers, [newSecret()])).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { ...headers, 'webhook-id': 'msg_other' })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { ...headers, 'webhook-signature': 'v1a,abc' })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects timestamps more than 300 s away, either way, with timestamp_invalid', () => {
    expect(verify(body, librarySigned(body, secret, nowMs - 301_000))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    expect(verify(body, librarySigned(body, secret, nowMs + 301_000))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
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

  it('answers signature_invalid without a secret, and skips a secret with no key bytes', () => {
    expect(verify(body, librarySigned(body), [])).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, librarySigned(body), ['whsec_', secret])).toEqual({ ok: true });
  });
});
