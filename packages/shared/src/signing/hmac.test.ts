import { describe, expect, it } from 'vitest';
import { bodyStringField, checkTimestamp, macEquals, withPrefix } from './hmac.js';

const nowMs = Date.UTC(2026, 10, 28, 8, 0, 0);
const now = Math.floor(nowMs / 1000);

describe('signing helpers', () => {
  it('checkTimestamp accepts ±300 s inclusive and refuses beyond, non-digits and absurd lengths', () => {
    expect(checkTimestamp(String(now - 300), nowMs)).toEqual({ ok: true, seconds: now - 300 });
    expect(checkTimestamp(String(now + 300), nowMs).ok).toBe(true);
    for (const bad of [String(now - 301), String(now + 301), '', '-1', '1e9', ' 1', '12345678901234', 'NaN']) {
      expect(checkTimestamp(bad, nowMs).ok).toBe(false);
    }
  });

  it('macEquals is false for different lengths instead of throwing', () => {
    expect(macEquals(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(macEquals(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
    expect(macEquals(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
  });

  it('withPrefix keeps the body bytes exactly', () => {
    const body = Buffer.from([0xff, 0x00, 0x7b]);
    expect(Buffer.concat(withPrefix('1.', body).map((part) => Buffer.from(part)))).toEqual(Buffer.from([0x31, 0x2e, 0xff, 0x00, 0x7b]));
  });

  it('bodyStringField reads only an own, non-empty string field of an object body', () => {
    expect(bodyStringField(() => ({ id: 'evt_1' }), 'id')).toBe('evt_1');
    expect(bodyStringField(() => ({ id: '' }), 'id')).toBeUndefined();
    expect(bodyStringField(() => JSON.parse('{"__proto__":{"id":"evt_x"}}'), 'id')).toBeUndefined();
    expect(bodyStringField(() => ({}), 'constructor')).toBeUndefined();
    expect(bodyStringField(() => 'evt_1', 'id')).toBeUndefined();
    expect(
      bodyStringField(() => {
        throw new SyntaxError('bad');
      }, 'id'),
    ).toBeUndefined();
  });
});
