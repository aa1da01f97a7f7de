import { hmacSha256 } from './hmac.js';

/** A body to sign or check: text as sent, or the bytes exactly as received. */
export type Body = string | Buffer;

/**
 * The MAC each scheme sends, computed one way for signing and for checking. `uptiq`, `github` and `shopify` sign the
 * body alone (they differ only in how the header spells it); `stripe` and `slack` put a timestamp in front of it.
 * Keys are the secret strings as the providers hand them out, taken as UTF-8 (Stripe's `whsec_` included).
 */
export const bodySignature = (secret: string, body: Body): Buffer => hmacSha256(secret, body);

/** Stripe: of `{t}.{body}`. */
export const stripeSignature = (secret: string, timestamp: string, body: Body): Buffer => hmacSha256(secret, [`${timestamp}.`, body]);

/** Slack: of `v0:{timestamp}:{body}`. */
export const slackSignature = (secret: string, timestamp: string, body: Body): Buffer => hmacSha256(secret, [`v0:${timestamp}:`, body]);
