/** Lower-cased request headers, as Node gives them. */
export type Headers = Record<string, string | string[] | undefined>;

export interface VerifyInput {
  /** The request body exactly as received. */
  rawBody: Buffer;
  headers: Headers;
  /** Secrets of the webhook's keys that are still valid at `nowMs` (primary first). */
  secrets: readonly string[];
  /** Injected clock, so verification stays a pure function. */
  nowMs: number;
  /** The parsed body, computed at most once and shared with the rest of the ingest path; throws on invalid JSON. */
  parsedBody: () => unknown;
}

export type VerifyFailure = 'signature_missing' | 'signature_invalid' | 'timestamp_invalid';
export type VerifyResult = { ok: true } | { ok: false; code: VerifyFailure; detail: string };

/** One signature scheme (API.md "Other schemes"): how a sender signs and how we check it. */
export interface SignatureScheme {
  readonly name: string;
  /** Header names that carry signatures: never stored, never logged. */
  readonly signatureHeaders: readonly string[];
  /** A new secret in this scheme's format. */
  generateSecret(): string;
  verify(input: VerifyInput): VerifyResult;
  /** The scheme's own delivery id (its default dedupe key), if the request carries one. */
  dedupeKey(headers: Headers, parsedBody: () => unknown): string | undefined;
  /** Headers a sender must add to sign `rawBody` with `secret` (used by the SDK, tests and the console's test event). */
  sign(rawBody: string, secret: string, nowMs: number, id?: string): Record<string, string>;
}

export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
