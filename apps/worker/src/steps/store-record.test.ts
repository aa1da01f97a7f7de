import { describe, expect, it } from 'vitest';
import { applyStore } from './store-record.js';

describe('applyStore', () => {
  it('merges set shallowly, then adds increments (a missing field counts as 0)', () => {
    expect(
      applyStore(
        { balance: 10, owner: 'a', meta: { x: 1 } },
        { collection: 'c', key: 'k', set: { owner: 'b', meta: { y: 2 } }, increment: { balance: 5, count: '2' } },
      ),
    ).toEqual({
      balance: 15,
      owner: 'b',
      meta: { y: 2 },
      count: 2,
    });
    expect(applyStore(null, { collection: 'c', key: 'k', increment: { balance: -3 } })).toEqual({ balance: -3 });
  });

  it('refuses increments that are not numbers, or of fields that are not numbers', () => {
    expect(() => applyStore(null, { collection: 'c', key: 'k', increment: { balance: 'ten' } })).toThrow(
      expect.objectContaining({ code: 'store_invalid', retryable: false }),
    );
    expect(() => applyStore({ balance: 'x' }, { collection: 'c', key: 'k', increment: { balance: 1 } })).toThrow(
      expect.objectContaining({ code: 'store_invalid' }),
    );
  });
});
