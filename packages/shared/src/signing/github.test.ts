import { describe, expect, it } from 'vitest';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { githubScheme as scheme } from './github.js';
import type { Headers } from './scheme.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const secret = scheme.generateSecret();
const body = JSON.stringify({ action: 'opened', number: 7 });

function verify(rawBody: string, headers: Headers, secrets = [secret]) {
  return scheme.verify({ rawBody: Buffer.from(rawBody), headers, secrets, nowMs, parsedBody: () => JSON.parse(rawBody) });
}

describe('github scheme', () => {
  it("verifies GitHub's published example (docs: validating webhook deliveries)", () => {
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    expect(verify('Hello, World!', headers, ["It's a Secret to Everybody"])).toEqual({ ok: true });
  });

  it('accepts a request signed with @octokit/webhooks-methods', async () => {
    expect(verify(body, { 'x-hub-signature-256': await octokitSign(secret, body) })).toEqual({ ok: true });
  });

  it('signs requests @octokit/webhooks-methods verifies, with a delivery id', async () => {
    const headers = scheme.sign(body, secret, nowMs, 'd-1');
    expect(await octokitVerify(secret, body, headers['x-hub-signature-256']!)).toBe(true);
    expect(headers['x-github-delivery']).toBe('d-1');
  });

  it('rejects a tampered body, a wrong secret and a malformed header', async () => {
    const signature = await octokitSign(secret, body);
    expect(verify(`${body} `, { 'x-hub-signature-256': signature })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-hub-signature-256': signature }, ['other-secret'])).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { 'x-hub-signature-256': signature.slice(7) })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('accepts any active secret (rotation) and answers signature_invalid without a key', async () => {
    const signature = await octokitSign('old-secret', body);
    expect(verify(body, { 'x-hub-signature-256': signature }, [secret, 'old-secret'])).toEqual({ ok: true });
    expect(verify(body, { 'x-hub-signature-256': signature }, [])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('answers signature_missing without x-hub-signature-256 (the legacy sha1 header is not enough)', async () => {
    expect(verify(body, {})).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(verify(body, { 'x-hub-signature': 'sha1=0000' })).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('uses x-github-delivery as its dedupe key', () => {
    expect(scheme.dedupeKey({ 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, () => ({}))).toBe(
      '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    );
    expect(scheme.dedupeKey({}, () => ({}))).toBeUndefined();
  });
});
