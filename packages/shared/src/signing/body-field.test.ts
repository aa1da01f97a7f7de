import { describe, expect, it } from 'vitest';
import { bodyStringField } from './body-field.js';

describe('bodyStringField', () => {
  it('reads only an own, non-empty string field of an object body', () => {
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
