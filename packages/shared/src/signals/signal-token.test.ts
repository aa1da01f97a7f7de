import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signalUrl, SignalTokens } from './signal-token.js';

const masterKey = randomBytes(32).toString('base64');
const tokens = new SignalTokens(masterKey);
const now = new Date(Date.UTC(2026, 10, 28, 8, 0, 0));
const expiresAt = new Date(now.getTime() + 3_600_000);
const claims = { deliveryId: 'dlv_01jd0000000000000000000000', signal: 'review', expiresAt };

/** The token with one character of `part` (0: claims, 1: MAC) changed. */
function flip(token: string, part: 0 | 1, at = 3): string {
  const parts = token.split('.');
  const text = parts[part]!;
  parts[part] = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  return parts.join('.');
}

describe('SignalTokens', () => {
  it('verifies the token it made, with its claims, until just before the deadline', () => {
    const token = tokens.make(claims);
    expect(tokens.verify(token, now)).toEqual({ ok: true, ...claims });
    expect(tokens.verify(token, new Date(expiresAt.getTime() - 1)).ok).toBe(true);
  });

  it('refuses an expired token: at the deadline and after', () => {
    const token = tokens.make(claims);
    expect(tokens.verify(token, expiresAt)).toEqual({ ok: false });
    expect(tokens.verify(token, new Date(expiresAt.getTime() + 86_400_000))).toEqual({ ok: false });
  });

  it('refuses tampered claims and a tampered MAC', () => {
    const token = tokens.make(claims);
    expect(tokens.verify(flip(token, 0), now)).toEqual({ ok: false });
    expect(tokens.verify(flip(token, 1), now)).toEqual({ ok: false });
    // Claims for another delivery under the original MAC: the MAC covers them.
    const other = Buffer.from(JSON.stringify({ d: 'dlv_other', s: 'review', e: expiresAt.getTime() })).toString('base64url');
    expect(tokens.verify(`${other}.${token.split('.')[1]}`, now)).toEqual({ ok: false });
    // A later deadline under the original MAC.
    const later = Buffer.from(JSON.stringify({ d: claims.deliveryId, s: 'review', e: expiresAt.getTime() + 1 })).toString('base64url');
    expect(tokens.verify(`${later}.${token.split('.')[1]}`, now)).toEqual({ ok: false });
  });

  it('refuses a token made under another master key', () => {
    const foreign = new SignalTokens(randomBytes(32).toString('base64')).make(claims);
    expect(tokens.verify(foreign, now)).toEqual({ ok: false });
  });

  it('derives its key with HKDF under its own info string, not the master key itself', () => {
    const token = tokens.make(claims);
    const [claimsPart, mac] = token.split('.');
    const master = Buffer.from(masterKey, 'base64');
    expect(createHmac('sha256', master).update(claimsPart!).digest('base64url')).not.toBe(mac);
    const derived = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'hookflow signal token v1', 32));
    expect(createHmac('sha256', derived).update(claimsPart!).digest('base64url')).toBe(mac);
  });

  it('refuses malformed tokens without throwing', () => {
    const token = tokens.make(claims);
    const mac = token.split('.')[1]!;
    const signed = (text: string) => {
      const part = Buffer.from(text).toString('base64url');
      const derived = Buffer.from(hkdfSync('sha256', Buffer.from(masterKey, 'base64'), Buffer.alloc(0), 'hookflow signal token v1', 32));
      return `${part}.${createHmac('sha256', derived).update(part).digest('base64url')}`;
    };
    for (const bad of [
      '',
      '.',
      'abc',
      `${token}.extra`,
      `.${mac}`,
      `${token.split('.')[0]}.`,
      `${token.split('.')[0]}.${mac}==`,
      'a'.repeat(5_000),
      '%%%.###',
      // Correctly MAC'd, but not the claims a token carries.
      signed('not json'),
      signed('null'),
      signed('[]'),
      signed(JSON.stringify({ d: 'dlv_x', s: 'bad name!', e: expiresAt.getTime() })),
      signed(JSON.stringify({ d: '', s: 'review', e: expiresAt.getTime() })),
      signed(JSON.stringify({ d: 'dlv_x', s: 'review', e: '2030-01-01' })),
      signed(JSON.stringify({ d: 'dlv_x', s: 'review', e: 1.5 })),
    ]) {
      expect(tokens.verify(bad, now), bad.slice(0, 40)).toEqual({ ok: false });
    }
    // The same construction with good claims passes: the refusals above are about the claims.
    expect(tokens.verify(signed(JSON.stringify({ d: 'dlv_x', s: 'review', e: expiresAt.getTime() })), now).ok).toBe(true);
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => new SignalTokens(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('builds the public URL under /signals/, without a doubled slash', () => {
    expect(signalUrl('https://hooks.example.com/', 'abc.def')).toBe('https://hooks.example.com/signals/abc.def');
    expect(signalUrl('http://localhost:8080', 'abc.def')).toBe('http://localhost:8080/signals/abc.def');
  });
});
