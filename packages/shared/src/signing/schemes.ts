import { isSchemeName, type SchemeName } from '@hookflow/protocol';
import type { SignatureScheme } from './scheme.js';
import { uptiqScheme } from './uptiq.js';
import { standardWebhooksScheme } from './standard-webhooks.js';
import { githubScheme } from './github.js';
import { stripeScheme } from './stripe.js';
import { slackScheme } from './slack.js';
import { shopifyScheme } from './shopify.js';

/** Every scheme a webhook may use, by name (API.md), each of the names the protocol package lists. */
export const schemes: Record<SchemeName, SignatureScheme> = {
  uptiq: uptiqScheme,
  'standard-webhooks': standardWebhooksScheme,
  github: githubScheme,
  stripe: stripeScheme,
  slack: slackScheme,
  shopify: shopifyScheme,
};

export const schemeNames = (): string[] => Object.keys(schemes);

export function getScheme(name: string): SignatureScheme {
  // Listed names only: a name like `constructor` must not reach Object.prototype.
  const scheme = isSchemeName(name) ? schemes[name] : undefined;
  if (!scheme) throw new Error(`unknown signature scheme ${name}`);
  return scheme;
}

/** Every header name that carries a signature in any scheme: never stored with a delivery, never logged. */
export function allSignatureHeaders(): Set<string> {
  return new Set(Object.values(schemes).flatMap((scheme) => scheme.signatureHeaders));
}
