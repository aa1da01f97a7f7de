import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { standardWebhooksScheme as scheme } from './standard-webhooks.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const secret = scheme.generateSecret();
const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 100 } });

describe('standard-webhooks scheme', () => {
  it('generates whsec_ secrets of at least 24 random bytes that the reference library accepts', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(scheme.generateSecret()).not.toBe(secret);
    expect(() => new Webhook(secret)).not.toThrow();
  });

  it('accepts a request signed by the reference library, and refuses it with another secret', () => {
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, new Date(nowMs), body),
    };
    const verify = (secrets: string[]) =>
      scheme.verify({ rawBody: Buffer.from(body), headers, secrets, nowMs, parsedBody: () => JSON.parse(body) });
    expect(verify([secret])).toEqual({ ok: true });
    expect(verify([scheme.generateSecret()])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('signs requests the reference library verifies', () => {
    const headers = scheme.sign(body, secret, Date.now(), 'msg_abc');
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe('msg_abc');
  });

  it('uses webhook-id as its dedupe key', () => {
    expect(scheme.dedupeKey({ 'webhook-id': 'msg_1' }, () => ({}))).toBe('msg_1');
    expect(scheme.dedupeKey({}, () => ({}))).toBeUndefined();
  });
});
