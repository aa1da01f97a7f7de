import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uptiqScheme } from './uptiq.js';

const key = 'pk_test_key_for_vectors';
// Fixed vector, computed independently: printf '%s' '{"documentId":"doc-1"}' | openssl dgst -sha256 -hmac pk_test_key_for_vectors
const body = '{"documentId":"doc-1"}';
const VECTOR = 'f208930ef3821a0bd4563a820bd7c1b0050acf0b69c290bc45d871056a09b2f8';

function verify(rawBody: string, headers: Record<string, string>, secrets = [key], canonicalMaxBytes?: number) {
  let parses = 0;
  const result = uptiqScheme.verify({
    rawBody: Buffer.from(rawBody),
    headers,
    secrets,
    nowMs: 0,
    parsedBody: () => {
      parses++;
      return JSON.parse(rawBody);
    },
    ...(canonicalMaxBytes === undefined ? {} : { canonicalMaxBytes }),
  });
  return Object.assign(result, { parses });
}

describe('uptiq scheme', () => {
  const sig = createHmac('sha256', key).update(body).digest('hex');

  it('matches an independently computed vector', () => {
    expect(uptiqScheme.sign(body, key, 0)['x-signature']).toBe(VECTOR);
  });

  it('accepts the hex HMAC of the raw body, lower or upper case, with or without sha256=', () => {
    for (const header of [sig, sig.toUpperCase(), `sha256=${sig}`, `  ${sig} `])
      expect(verify(body, { 'x-signature': header })).toMatchObject({ ok: true });
  });

  it('accepts JSON.stringify(JSON.parse(raw)) for senders that sent other whitespace, naming the text it authenticated', () => {
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect(verify(pretty, { 'x-signature': sig })).toMatchObject({ ok: true, signedBody: body });
  });

  it('names the canonical text, not the raw bytes, when duplicate keys were dropped by the parse', () => {
    const signed = '{"amount":100,"to":"alice"}';
    const altered = '{"amount":999999,"to":"mallory","amount":100,"to":"alice"}';
    const signature = createHmac('sha256', key).update(signed).digest('hex');
    expect(verify(altered, { 'x-signature': signature })).toMatchObject({ ok: true, signedBody: signed });
  });

  it('does not parse a failing body larger than canonicalMaxBytes', () => {
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const refused = verify(pretty, { 'x-signature': sig }, [key], pretty.length - 1);
    expect(refused).toMatchObject({ ok: false, code: 'signature_invalid', parses: 0 });
    expect(verify(pretty, { 'x-signature': sig }, [key], pretty.length)).toMatchObject({ ok: true, parses: 1 });
  });

  it('gives the raw-bytes match without signedBody', () => {
    expect(verify(body, { 'x-signature': sig })).toEqual({ ok: true, parses: 0 });
  });

  it('refuses a body too deep to re-serialise instead of throwing', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    expect(verify(deep, { 'x-signature': sig })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('reports a missing header as signature_missing', () => {
    expect(verify(body, {})).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(verify(body, { 'x-signature': '' })).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('rejects a tampered body, a wrong key, malformed hex, and a webhook with no key', () => {
    expect(verify('{"documentId":"doc-2"}', { 'x-signature': sig })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-signature': sig }, ['another-key'])).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-signature': sig.slice(0, 63) })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-signature': 'g'.repeat(64) })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-signature': sig }, [])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('accepts any active key (rotation) and never echoes the expected signature', () => {
    expect(verify(body, { 'x-signature': sig }, ['new-primary', key])).toMatchObject({ ok: true });
    const bad = verify(body, { 'x-signature': '0'.repeat(64) });
    expect(JSON.stringify(bad)).not.toContain(sig);
  });

  it('does not throw on a body that is not JSON', () => {
    const raw = 'not json';
    const result = uptiqScheme.verify({
      rawBody: Buffer.from(raw),
      headers: { 'x-signature': sig },
      secrets: [key],
      nowMs: 0,
      parsedBody: () => JSON.parse(raw),
    });
    expect(result).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('generates 256-bit keys that differ every time', () => {
    const a = uptiqScheme.generateSecret();
    const b = uptiqScheme.generateSecret();
    expect(a).not.toBe(b);
    expect(Buffer.from(a.replace(/^pk_/, ''), 'base64url')).toHaveLength(32);
  });
});
