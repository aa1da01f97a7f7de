import { describe, expect, it } from 'vitest';
import { formatTimeLeft } from './format';

describe('formatTimeLeft', () => {
  const now = Date.parse('2026-11-28T08:00:00.000Z');
  const at = (ms: number) => new Date(now + ms).toISOString();

  it('says the time left in the unit that reads best, rounding seconds up', () => {
    expect(formatTimeLeft(at(400), now)).toBe('1 s');
    expect(formatTimeLeft(at(59_000), now)).toBe('59 s');
    expect(formatTimeLeft(at(5 * 60_000 + 7_000), now)).toBe('5 min 7 s');
    expect(formatTimeLeft(at(3 * 3_600_000 + 12 * 60_000), now)).toBe('3 h 12 min');
    expect(formatTimeLeft(at(47 * 3_600_000 + 59 * 60_000), now)).toBe('47 h 59 min');
    expect(formatTimeLeft(at(3 * 86_400_000 + 5 * 3_600_000), now)).toBe('3 days 5 h');
  });

  it('is null once the moment has passed, or for a time it cannot read', () => {
    expect(formatTimeLeft(at(0), now)).toBeNull();
    expect(formatTimeLeft(at(-60_000), now)).toBeNull();
    expect(formatTimeLeft('not a time', now)).toBeNull();
  });
});
