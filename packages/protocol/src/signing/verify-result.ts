/** Lower-cased request headers, as Node gives them. */
export type Headers = Record<string, string | string[] | undefined>;

export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export type VerifyFailure = 'signature_missing' | 'signature_invalid' | 'timestamp_invalid';
export type VerifyRejected = { ok: false; code: VerifyFailure; detail: string };
export type VerifyResult = { ok: true } | VerifyRejected;

export const noKey = {
  ok: false,
  code: 'signature_invalid',
  detail: 'no private key has been generated for this webhook',
} as const satisfies VerifyRejected;
export const noMatch = { ok: false, code: 'signature_invalid', detail: 'signature does not match' } as const satisfies VerifyRejected;
