import { describe, expect, it } from 'vitest';
import { jsonBodyOf } from '../../bench/abuse.js';

describe('the abuse phase body', () => {
  it('is valid JSON of exactly the size asked for, made of many objects', () => {
    for (const bytes of [1024 * 1024, 100_000, 4096]) {
      const body = jsonBodyOf(bytes);
      expect(Buffer.byteLength(body)).toBe(bytes);
      const parsed = JSON.parse(body) as { items: unknown[] };
      expect(parsed.items.length).toBeGreaterThan(bytes / 50);
    }
  });
});
