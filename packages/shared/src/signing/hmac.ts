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
 * Signatures looked at per request. A header may list several (a sender rotating its secret sends two or three);
 * every one is compared with every key, so an unauthenticated request must not choose how many there are.
 */
export const maxSignaturesPerRequest = 8;

/**
 * Constant-time equality of a computed MAC and a claimed one. A length mismatch returns at once: the length of
 * an HMAC-SHA256 is public, so it leaks nothing.
 */
export function macEquals(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Default tolerance of timestamped schemes (API.md): ±300 s around the receiver's clock. */
export const timestampToleranceSeconds = 300;

export type TimestampCheck = { ok: true; seconds: number } | { ok: false; detail: string };

/** Checks a Unix-seconds timestamp header against the injected clock. */
export function checkTimestamp(value: string, nowMs: number, toleranceSeconds = timestampToleranceSeconds): TimestampCheck {
  if (!/^\d{1,12}$/.test(value)) return { ok: false, detail: 'the timestamp must be Unix seconds' };
  const seconds = Number(value);
  if (Math.abs(nowMs / 1000 - seconds) > toleranceSeconds) {
    return { ok: false, detail: `the timestamp is more than ${toleranceSeconds} s away from the receiver's clock` };
  }
  return { ok: true, seconds };
}

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

export const noKey = { ok: false, code: 'signature_invalid', detail: 'no private key has been generated for this webhook' } as const;
export const noMatch = { ok: false, code: 'signature_invalid', detail: 'signature does not match' } as const;

/** `prefix` followed by the body bytes exactly as received: the signed content of the timestamped schemes. */
export function withPrefix(prefix: string, rawBody: Buffer | string): readonly (string | Buffer)[] {
  return [prefix, rawBody];
}

/** A non-empty string field at the top of a JSON object body (a provider's event id), if the body has one. */
export function bodyStringField(parsedBody: () => unknown, field: string): string | undefined {
  try {
    const body = parsedBody();
    if (body === null || typeof body !== 'object' || !Object.hasOwn(body, field)) return undefined;
    const value = (body as Record<string, unknown>)[field];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    return undefined; // not JSON: no body id
  }
}
