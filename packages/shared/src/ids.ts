import { randomFillSync } from 'node:crypto';

// Crockford's base32 alphabet, lowercase: no i, l, o, u, so ids survive being read aloud or retyped.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/** Encodes bytes as lowercase Crockford base32 (5 bits a character). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

export type IdKind = 'agt' | 'wh' | 'key' | 'dlv';

// Random bytes are drawn from the CSPRNG 4 KiB at a time: one call per 256 ids instead of one per id, as the ingest
// path makes an id per request and a CSPRNG call costs far more than copying 16 bytes. Each id still gets 16 bytes
// no other id uses.
const idBytes = 16;
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomIdBytes(): Uint8Array {
  if (poolOffset + idBytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + idBytes);
  poolOffset += idBytes;
  return bytes;
}

/** A new id such as `wh_6f3k...`: 128 random bits (26 characters) after the kind's prefix. */
export function newId(kind: IdKind): string {
  return `${kind}_${base32(randomIdBytes())}`;
}

const idPattern = /^(agt|wh|key|dlv)_[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `value` has the shape of an id of `kind`; lets lookups reject junk without a Redis round trip. */
export function isId(kind: IdKind, value: string): boolean {
  const match = idPattern.exec(value);
  return match !== null && match[1] === kind;
}
