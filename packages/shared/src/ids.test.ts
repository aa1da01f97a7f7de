import { describe, expect, it } from 'vitest';
import { base32, isId, newId } from './ids.js';

describe('ids', () => {
  it('encodes bytes as Crockford base32', () => {
    expect(base32(Buffer.from([0, 0, 0, 0, 0]))).toBe('00000000');
    expect(base32(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('zzzzzzzz');
    // "f" = 0x66 = 01100 110(00) → 'c', 'r'
    expect(base32(Buffer.from('f'))).toBe('cr');
  });

  it('makes ids with 128 random bits after the kind prefix', () => {
    const id = newId('wh');
    expect(id).toMatch(/^wh_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(isId('wh', id)).toBe(true);
    expect(isId('agt', id)).toBe(false);
    const many = new Set(Array.from({ length: 1000 }, () => newId('dlv')));
    expect(many.size).toBe(1000);
  });

  it('rejects junk without touching storage', () => {
    for (const junk of ['', 'wh_', 'wh_short', `wh_${'u'.repeat(26)}`, `WH_${'a'.repeat(26)}`, '../etc/passwd'])
      expect(isId('wh', junk)).toBe(false);
  });
});
