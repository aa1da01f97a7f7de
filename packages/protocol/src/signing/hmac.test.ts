import { describe, expect, it } from 'vitest';
import { anyMacMatches, hmacSha256 } from './hmac.js';

describe('hmacSha256', () => {
  it('hashes parts as it hashes their concatenation, bytes kept exactly', () => {
    const body = Buffer.from([0xff, 0x00, 0x7b]);
    expect(hmacSha256('k', ['1.', body])).toEqual(hmacSha256('k', Buffer.concat([Buffer.from('1.'), body])));
  });
});

describe('anyMacMatches', () => {
  const mac = (secret: string) => hmacSha256(secret, 'body');

  it('matches when any secret gives any of the claimed MACs', () => {
    expect(anyMacMatches(['a', 'b'], [mac('x'), mac('b')], mac)).toBe(true);
    expect(anyMacMatches(['a'], [mac('b')], mac)).toBe(false);
  });

  it('is false, not an error, for a claimed MAC of another length, and skips a secret without a key', () => {
    expect(anyMacMatches(['a'], [mac('a').subarray(1)], mac)).toBe(false);
    expect(anyMacMatches(['', 'a'], [mac('a')], (secret) => (secret ? mac(secret) : null))).toBe(true);
  });
});
