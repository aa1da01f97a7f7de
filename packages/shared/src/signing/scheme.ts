import type { Headers, VerifyRejected } from '@hookflow/protocol/signing';

export { headerValue, type Headers, type VerifyFailure } from '@hookflow/protocol/signing';

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
  /**
   * Bodies up to this many bytes may be re-serialised to check a signature over another form than the raw bytes
   * (the `uptiq` canonical fallback); larger ones are checked on their raw bytes only. Default `defaultCanonicalMaxBytes`.
   */
  canonicalMaxBytes?: number | undefined;
}

/**
 * `signedBody`: set when what the signature covers is not the raw bytes but another serialisation of them (the
 * `uptiq` canonical form); that text is what was authenticated, so it is what must be stored.
 */
export type VerifyResult = { ok: true; signedBody?: string } | VerifyRejected;

/** HOOKFLOW_CANONICAL_MAX_BYTES's default: work a body that fails authentication can cost stays bounded by it. */
export const defaultCanonicalMaxBytes = 65_536;

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
  /** Headers a sender must add to sign `rawBody` with `secret` (used by tests and the console's test event). */
  sign(rawBody: string, secret: string, nowMs: number, id?: string): Record<string, string>;
}
