import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slackScheme as scheme } from './slack.js';
import type { Headers } from './scheme.js';

// The worked example of Slack's "Verifying requests from Slack" page.
const docSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const docTimestamp = '1531420618';
const docBody =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const docSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const secret = scheme.generateSecret();
const body = JSON.stringify({ type: 'event_callback', event_id: 'Ev08MFMKH6', event: { type: 'app_mention' } });

function verify(rawBody: string, headers: Headers, secrets = [secret], at = nowMs) {
  return scheme.verify({ rawBody: Buffer.from(rawBody), headers, secrets, nowMs: at, parsedBody: () => JSON.parse(rawBody) });
}

/** Signed as Slack's documentation spells it out, independently of the scheme's own `sign`. */
function slackSigned(rawBody: string, key = secret, at = nowMs): Headers {
  const timestamp = String(Math.floor(at / 1000));
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${createHmac('sha256', key).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
  };
}

describe('slack scheme', () => {
  it("verifies Slack's published example", () => {
    const headers = { 'x-slack-request-timestamp': docTimestamp, 'x-slack-signature': docSignature };
    expect(verify(docBody, headers, [docSecret], Number(docTimestamp) * 1000 + 60_000)).toEqual({ ok: true });
    expect(scheme.sign(docBody, docSecret, Number(docTimestamp) * 1000)).toEqual(headers);
  });

  it('generates 32-hex-character signing secrets', () => {
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts a valid signature from any active secret', () => {
    expect(verify(body, slackSigned(body))).toEqual({ ok: true });
    expect(verify(body, slackSigned(body, 'previous'), [secret, 'previous'])).toEqual({ ok: true });
  });

  it('rejects a tampered body and a wrong secret', () => {
    expect(verify(body.replace('app_mention', 'message'), slackSigned(body))).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, slackSigned(body, 'wrong'))).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(body, { ...slackSigned(body), 'x-slack-signature': 'v1=abc' })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('rejects a timestamp more than 300 s away with timestamp_invalid', () => {
    expect(verify(body, slackSigned(body, secret, nowMs - 301_000))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    expect(verify(body, slackSigned(body, secret, nowMs + 301_000))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
  });

  it('answers signature_missing without either header', () => {
    const { 'x-slack-signature': _s, ...noSignature } = slackSigned(body);
    const { 'x-slack-request-timestamp': _t, ...noTimestamp } = slackSigned(body);
    expect(verify(body, noSignature)).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(verify(body, noTimestamp)).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it("uses the Events API envelope's event_id as its dedupe key", () => {
    expect(scheme.dedupeKey({}, () => JSON.parse(body))).toBe('Ev08MFMKH6');
    expect(scheme.dedupeKey({}, () => ({}))).toBeUndefined();
  });
});
