import { createHmac, randomUUID } from 'node:crypto';

/** The signature schemes a Hookflow webhook may use (API.md "Other schemes"). */
export type SchemeName = 'uptiq' | 'standard-webhooks' | 'github' | 'stripe' | 'slack' | 'shopify';

export const schemeNames: readonly SchemeName[] = ['uptiq', 'standard-webhooks', 'github', 'stripe', 'slack', 'shopify'];

export interface SignContext {
  /** Unix time in milliseconds used for the schemes that sign a timestamp. */
  nowMs: number;
  /** Message id for `standard-webhooks` (`webhook-id`); a random one when absent. */
  id?: string;
}

type Signer = (body: string, key: string, context: SignContext) => Record<string, string>;

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8');
const seconds = (ms: number) => Math.floor(ms / 1000);

/** Standard Webhooks secrets are `whsec_<base64>`; the HMAC key is the decoded bytes, not the string. */
function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * One signer per scheme. Each returns every header the receiver needs to authenticate the body (signature plus any
 * signed timestamp or id). Kept free of any Hookflow import because the SDK is published on its own.
 */
export const signers: Record<SchemeName, Signer> = {
  uptiq: (body, key) => ({ 'x-signature': hmac(key, body).digest('hex') }),

  'standard-webhooks': (body, key, { nowMs, id }) => {
    const msgId = id ?? `msg_${randomUUID()}`;
    const timestamp = String(seconds(nowMs));
    const signature = hmac(standardWebhooksKey(key), `${msgId}.${timestamp}.${body}`).digest('base64');
    return { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
  },

  github: (body, key) => ({ 'x-hub-signature-256': `sha256=${hmac(key, body).digest('hex')}` }),

  stripe: (body, key, { nowMs }) => {
    const t = seconds(nowMs);
    return { 'stripe-signature': `t=${t},v1=${hmac(key, `${t}.${body}`).digest('hex')}` };
  },

  slack: (body, key, { nowMs }) => {
    const timestamp = String(seconds(nowMs));
    return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${hmac(key, `v0:${timestamp}:${body}`).digest('hex')}` };
  },

  shopify: (body, key) => ({ 'x-shopify-hmac-sha256': hmac(key, body).digest('base64') }),
};

export function isSchemeName(name: string): name is SchemeName {
  return (schemeNames as readonly string[]).includes(name);
}
