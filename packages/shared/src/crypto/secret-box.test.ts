import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const masterKey = randomBytes(32).toString('base64');

describe('SecretBox (AES-256-GCM)', () => {
  it('round-trips a secret and never stores it in the clear', () => {
    const box = new SecretBox(masterKey);
    const sealed = box.seal('pk_super_secret_value', 'key_1');
    expect(sealed).not.toContain('pk_super_secret_value');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'key_1')).toBe('pk_super_secret_value');
  });

  it('uses a fresh IV each time', () => {
    const box = new SecretBox(masterKey);
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
  });

  it('refuses a ciphertext moved to another record, tampered, or opened with another master key', () => {
    const box = new SecretBox(masterKey);
    const sealed = box.seal('secret', 'key_1');
    expect(() => box.open(sealed, 'key_2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'key_1')).toThrow();
    expect(() => new SecretBox(randomBytes(32).toString('base64')).open(sealed, 'key_1')).toThrow();
  });

  it('requires a 32-byte master key', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
