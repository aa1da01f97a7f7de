import { allSignatureHeaders, type Headers } from '@hookflow/shared';

// Anything that looks like a credential is dropped, whatever scheme or proxy added it.
const secretLooking = /authorization|cookie|signature|secret|token|password|hmac|api-?key/i;
const signatureHeaders = allSignatureHeaders();
// Hop-by-hop and transport details say nothing about the event.
const transportHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection']);

/** The request headers worth keeping with a delivery: everything but secrets and hop-by-hop headers. */
export function storedHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || signatureHeaders.has(name) || transportHeaders.has(name) || secretLooking.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}
