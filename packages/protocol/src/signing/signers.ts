import type { SchemeName } from '../scheme-names.js';
import { bodySignature, slackSignature, stripeSignature } from './signatures.js';
import { signStandardWebhooks } from './standard-webhooks.js';
import { unixSeconds } from './timestamp.js';

export interface SignContext {
  /** Unix time in milliseconds used for the schemes that sign a timestamp. */
  nowMs: number;
  /** Message id for `standard-webhooks` (`webhook-id`); a random one when absent. */
  id?: string | undefined;
}

/** Returns every header the receiver needs to authenticate `body`: the signature plus any signed timestamp or id. */
export type Signer = (body: string, secret: string, context: SignContext) => Record<string, string>;

/** One signer per scheme, as a Hookflow webhook of that scheme verifies it. */
export const signers: Record<SchemeName, Signer> = {
  uptiq: (body, secret) => ({ 'x-signature': bodySignature(secret, body).toString('hex') }),

  'standard-webhooks': (body, secret, { nowMs, id }) => signStandardWebhooks(body, secret, { nowMs, id }),

  github: (body, secret) => ({ 'x-hub-signature-256': `sha256=${bodySignature(secret, body).toString('hex')}` }),

  stripe: (body, secret, { nowMs }) => {
    const timestamp = unixSeconds(nowMs);
    return { 'stripe-signature': `t=${timestamp},v1=${stripeSignature(secret, timestamp, body).toString('hex')}` };
  },

  slack: (body, secret, { nowMs }) => {
    const timestamp = unixSeconds(nowMs);
    return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${slackSignature(secret, timestamp, body).toString('hex')}` };
  },

  shopify: (body, secret) => ({ 'x-shopify-hmac-sha256': bodySignature(secret, body).toString('base64') }),
};
