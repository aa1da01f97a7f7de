import type { SignatureScheme } from './scheme.js';
import { uptiqScheme } from './uptiq.js';

/** Every scheme a webhook may use, by name (API.md). */
export const schemes: Record<string, SignatureScheme> = {
  uptiq: uptiqScheme,
};

export const schemeNames = (): string[] => Object.keys(schemes);

export function getScheme(name: string): SignatureScheme {
  const scheme = schemes[name];
  if (!scheme) throw new Error(`unknown signature scheme ${name}`);
  return scheme;
}

/** Every header name that carries a signature in any scheme: never stored with a delivery, never logged. */
export function allSignatureHeaders(): Set<string> {
  return new Set(Object.values(schemes).flatMap((scheme) => scheme.signatureHeaders));
}
