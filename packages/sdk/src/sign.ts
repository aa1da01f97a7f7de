import { isSchemeName, schemeNames, type SchemeName } from '@hookflow/protocol';
import { signers } from '@hookflow/protocol/signing';
import { UnknownSchemeError } from './unknown-scheme-error.js';

export interface SignOptions {
  /** Clock for the schemes that sign a timestamp (stripe, slack, standard-webhooks). Default `Date.now()`. */
  nowMs?: number;
  /** Message id for `standard-webhooks`. Default: a random `msg_…` id. */
  id?: string;
}

/** The exact bytes that get signed and sent: strings as they are, anything else as `JSON.stringify(value)`. */
export function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/**
 * Signs `body` with `key` the way a Hookflow webhook of `scheme` verifies it and returns the headers to send.
 * `body` is signed as given when it is a string, else as `JSON.stringify(body)` (what `send` transmits).
 *
 * @example
 *   const body = JSON.stringify({ documentId: 'doc_1' });
 *   await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body, privateKey) }, body });
 */
export function sign(body: unknown, key: string, scheme: SchemeName | string = 'uptiq', options: SignOptions = {}): Record<string, string> {
  if (!isSchemeName(scheme)) throw new UnknownSchemeError(scheme, schemeNames);
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('sign: key must be a non-empty string');
  return signers[scheme](bodyText(body), key, { nowMs: options.nowMs ?? Date.now(), id: options.id });
}
