import { describe, expect, it } from 'vitest';
import { ShortLivedCache } from './short-lived-cache.js';

describe('ShortLivedCache', () => {
  it('loads a key once per ttl, again after it, and after delete', async () => {
    let clock = 0;
    let loads = 0;
    const cache = new ShortLivedCache<number>(1_000, () => clock);
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    clock = 999;
    expect(await cache.get('a', load)).toBe(1);
    clock = 1_000;
    expect(await cache.get('a', load)).toBe(2);
    cache.delete('a');
    expect(await cache.get('a', load)).toBe(3);
  });

  it('starts over instead of growing past maxEntries', async () => {
    let loads = 0;
    const cache = new ShortLivedCache<number>(60_000, Date.now, 2);
    const load = async () => ++loads;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load); // full: cleared, then c stored
    expect(await cache.get('c', load)).toBe(3);
    expect(await cache.get('a', load)).toBe(4);
  });
});
