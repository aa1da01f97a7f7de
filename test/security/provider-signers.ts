import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { signUptiq } from '../support/client.js';

const stripe = new Stripe('sk_test_not_used');

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * Signs a request the way each provider does, with the provider's own library where npm has one, so the receiver
 * is checked against the senders it must accept, not against its own `sign`. `atMs` sets the timestamp; `id` the
 * delivery id the provider would repeat on a redelivery.
 */
export interface ProviderSigner {
  scheme: string;
  /** True when the scheme signs a timestamp (stale requests are refused). */
  timestamped: boolean;
  /** Header(s) whose absence is `signature_missing`. */
  signatureHeader: string;
  sign(payload: Record<string, unknown>, secret: string, opts?: { atMs?: number; id?: string }): Promise<SignedRequest>;
}

const json = { 'content-type': 'application/json' };

export const providerSigners: ProviderSigner[] = [
  {
    scheme: 'uptiq',
    timestamped: false,
    signatureHeader: 'x-signature',
    async sign(payload, secret, { id } = {}) {
      const body = JSON.stringify(payload);
      return { body, headers: { ...json, 'x-signature': signUptiq(body, secret), ...(id ? { 'idempotency-key': id } : {}) } };
    },
  },
  {
    scheme: 'standard-webhooks',
    timestamped: true,
    signatureHeader: 'webhook-signature',
    async sign(payload, secret, { atMs = Date.now(), id = `msg_${randomUUID()}` } = {}) {
      const body = JSON.stringify(payload);
      const at = new Date(atMs);
      return {
        body,
        headers: {
          ...json,
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(atMs / 1000)),
          'webhook-signature': new Webhook(secret).sign(id, at, body),
        },
      };
    },
  },
  {
    scheme: 'github',
    timestamped: false,
    signatureHeader: 'x-hub-signature-256',
    async sign(payload, secret, { id = randomUUID() } = {}) {
      const body = JSON.stringify(payload);
      return {
        body,
        headers: { ...json, 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': await octokitSign(secret, body) },
      };
    },
  },
  {
    scheme: 'stripe',
    timestamped: true,
    signatureHeader: 'stripe-signature',
    async sign(payload, secret, { atMs = Date.now(), id = `evt_${randomUUID().replace(/-/g, '')}` } = {}) {
      const body = JSON.stringify({ id, object: 'event', ...payload });
      const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(atMs / 1000) });
      return { body, headers: { ...json, 'stripe-signature': header } };
    },
  },
  {
    // No Slack signing library on npm outside the Bolt framework: signed as Slack's documentation spells it out.
    scheme: 'slack',
    timestamped: true,
    signatureHeader: 'x-slack-signature',
    async sign(payload, secret, { atMs = Date.now(), id = `Ev${randomUUID().slice(0, 8)}` } = {}) {
      const body = JSON.stringify({ type: 'event_callback', event_id: id, ...payload });
      const timestamp = String(Math.floor(atMs / 1000));
      const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
      return { body, headers: { ...json, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
    },
  },
  {
    // Shopify's documented Node check: base64 HMAC-SHA256 of the raw body with the app secret.
    scheme: 'shopify',
    timestamped: false,
    signatureHeader: 'x-shopify-hmac-sha256',
    async sign(payload, secret, { id = randomUUID() } = {}) {
      const body = JSON.stringify(payload);
      return {
        body,
        headers: {
          ...json,
          'x-shopify-topic': 'orders/create',
          'x-shopify-webhook-id': id,
          'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
        },
      };
    },
  },
];

/** POSTs a signed request and returns status, headers and the parsed body. */
export async function postHook(url: string, request: SignedRequest) {
  const res = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}
