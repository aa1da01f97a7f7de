import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { sign, UnknownSchemeError } from './index.js';

const payload = { id: 'evt_1', object: 'event', type: 'document.extracted', data: { documentId: 'doc_1', text: 'héllo' } };
const body = JSON.stringify(payload);

describe('sign', () => {
  it('uptiq signatures are the hex HMAC-SHA256 of the body sent, keyed with the private key', () => {
    const key = `pk_${randomBytes(32).toString('base64url')}`;
    const headers = sign(payload, key);
    expect(headers).toEqual({ 'x-signature': createHmac('sha256', key).update(body).digest('hex') });
    expect(sign(payload, `${key}x`)).not.toEqual(headers);
  });

  it('signs an object exactly as JSON.stringify of it, and a string as given', () => {
    expect(sign(payload, 'k')).toEqual(sign(body, 'k'));
    expect(sign(' {"a":1}', 'k')).not.toEqual(sign('{"a":1}', 'k'));
  });

  it('standard-webhooks signatures pass the standardwebhooks library', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const headers = sign(body, secret, 'standard-webhooks', { id: 'msg_test_1' });
    expect(headers['webhook-id']).toBe('msg_test_1');
    expect(new Webhook(secret).verify(body, headers)).toEqual(payload);
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(body, headers)).toThrow();
  });

  it('github signatures pass @octokit/webhooks-methods', async () => {
    const secret = randomBytes(20).toString('hex');
    const { 'x-hub-signature-256': signature } = sign(body, secret, 'github');
    expect(await verifyGithub(secret, body, signature!)).toBe(true);
    expect(await verifyGithub(`${secret}x`, body, signature!)).toBe(false);
  });

  it('stripe signatures pass the stripe library', () => {
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    const { 'stripe-signature': header } = sign(body, secret, 'stripe');
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Stripe.webhooks.constructEvent(body, header!, secret).id).toBe('evt_1');
    expect(() => Stripe.webhooks.constructEvent(body, header!, `${secret}x`)).toThrow();
  });

  it("slack signatures match Slack's documented example", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const slackBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(sign(slackBody, '8f742231b10e8888abcd99yyyzzz85a5', 'slack', { nowMs: 1531420618_000 })).toEqual({
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  it("shopify signatures match the openssl recipe of Shopify's docs (base64 HMAC-SHA256 of the body)", () => {
    const secret = randomBytes(16).toString('hex');
    const expected = execFileSync('sh', ['-c', 'openssl dgst -sha256 -hmac "$SECRET" -binary | base64'], {
      input: body,
      env: { ...process.env, SECRET: secret },
    })
      .toString()
      .trim();
    expect(sign(body, secret, 'shopify')).toEqual({ 'x-shopify-hmac-sha256': expected });
  });

  it('rejects an unknown scheme and an empty key', () => {
    expect(() => sign(body, 'k', 'md5')).toThrow(UnknownSchemeError);
    expect(() => sign(body, '', 'uptiq')).toThrow(TypeError);
  });
});
