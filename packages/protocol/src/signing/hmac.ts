import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an HMAC covers: one text, or parts hashed one after another (a prefix and the body, without copying the body). */
export type SignedContent = string | Buffer | readonly (string | Buffer)[];

/** HMAC-SHA256 of `data` keyed with `key` (a string is taken as its UTF-8 bytes). */
export function hmacSha256(key: string | Buffer, data: SignedContent): Buffer {
  const hmac = createHmac('sha256', key);
  if (typeof data === 'string' || Buffer.isBuffer(data)) return hmac.update(data).digest();
  for (const part of data) hmac.update(part);
  return hmac.digest();
}

/**
 * Constant-time equality of a computed MAC and a claimed one. A length mismatch returns at once: the length of
 * an HMAC-SHA256 is public, so it leaks nothing.
 */
export function macEquals(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Signatures looked at per request. A header may list several (a sender rotating its secret sends two or three);
 * every one is compared with every key, so an unauthenticated request must not choose how many there are.
 */
export const maxSignaturesPerRequest = 8;

/** True when any of `secrets` produces a MAC (via `macOf`) equal to any of `given`. Every pair is compared. */
export function anyMacMatches(secrets: readonly string[], given: readonly Buffer[], macOf: (secret: string) => Buffer | null): boolean {
  let matched = false;
  for (const secret of secrets) {
    const expected = macOf(secret);
    if (!expected) continue;
    for (const candidate of given) if (macEquals(expected, candidate)) matched = true;
  }
  return matched;
}
