import { createHmac, hkdfSync } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time.js';

/**
 * Signed capability links of `wait` steps (API.md §5.5): a token names one delivery, one signal and the wait's deadline,
 * and is MAC'd under a key derived from the master key, so whoever holds it can resume that one wait until the deadline
 * and nothing else. The ingress checks tokens; the worker makes them (for `signals.<name>.url`).
 *
 * Format: `base64url(JSON { d, s, e }) "." base64url(HMAC-SHA256(key, first part))`, `e` the deadline in epoch ms. The
 * claims are read only after the MAC matched, and nothing in the token is secret: it carries ids, not data.
 */

/** A signal's name: the `signal` of a `wait` step, used as `signals.<name>` in expressions. */
export const signalNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** HKDF `info` of the signal-token key: its own, so no other use of the master key can produce a valid token. */
const keyInfo = 'hookflow signal token v1';
/** Longest token looked at: every real one is far shorter, and nothing longer is decoded or MAC'd. */
const maxTokenLength = 1_024;
const base64url = /^[A-Za-z0-9_-]+$/;

export interface SignalClaims {
  deliveryId: string;
  signal: string;
  /** When the wait ends; the token is refused from then on. */
  expiresAt: Date;
}

/** A token's check: the claims, or a refusal that never says why (tampered, malformed and expired look alike). */
export type SignalTokenCheck = ({ ok: true } & SignalClaims) | { ok: false };

/** The worker makes tokens and the ingress checks them; both derive the same key from `HOOKFLOW_MASTER_KEY`. */
export class SignalTokens {
  readonly #key: Buffer;

  constructor(masterKeyBase64: string) {
    const master = Buffer.from(masterKeyBase64, 'base64');
    if (master.length !== 32) throw new Error('master key must be 32 bytes');
    this.#key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), keyInfo, 32));
  }

  make({ deliveryId, signal, expiresAt }: SignalClaims): string {
    const claims = Buffer.from(JSON.stringify({ d: deliveryId, s: signal, e: expiresAt.getTime() })).toString('base64url');
    return `${claims}.${this.#mac(claims)}`;
  }

  /** Checks `token` at `now` (injected, so a test can pin the clock). */
  verify(token: string, now: Date): SignalTokenCheck {
    if (token.length > maxTokenLength) return { ok: false };
    const [claimsPart, macPart, extra] = token.split('.');
    if (!claimsPart || !macPart || extra !== undefined || !base64url.test(claimsPart) || !base64url.test(macPart)) return { ok: false };
    if (!constantTimeEqual(this.#mac(claimsPart), macPart)) return { ok: false };
    const claims = parseClaims(claimsPart);
    if (!claims || now.getTime() >= claims.expiresAt.getTime()) return { ok: false };
    return { ok: true, ...claims };
  }

  #mac(claimsPart: string): string {
    return createHmac('sha256', this.#key).update(claimsPart).digest('base64url');
  }
}

/** The public URL a token is used at: `POST` resumes the wait, `GET` shows a page with buttons that do. */
export function signalUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/signals/${token}`;
}

function parseClaims(part: string): SignalClaims | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { d, s, e } = (parsed ?? {}) as { d?: unknown; s?: unknown; e?: unknown };
  if (typeof d !== 'string' || d.length === 0 || d.length > 100 || typeof s !== 'string' || !signalNamePattern.test(s) || typeof e !== 'number' || !Number.isSafeInteger(e)) return null;
  return { deliveryId: d, signal: s, expiresAt: new Date(e) };
}
