import { describe, expect, it } from 'vitest';
import { checkTimestamp } from './timestamp.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const now = Math.floor(nowMs / 1000);

describe('checkTimestamp', () => {
  it('accepts ±300 s inclusive and refuses beyond, non-digits and absurd lengths', () => {
    expect(checkTimestamp(String(now - 300), nowMs)).toEqual({ ok: true, seconds: now - 300 });
    expect(checkTimestamp(String(now + 300), nowMs).ok).toBe(true);
    for (const bad of [String(now - 301), String(now + 301), '', '-1', '1e9', ' 1', '12345678901234', 'NaN']) {
      expect(checkTimestamp(bad, nowMs).ok).toBe(false);
    }
  });
});
