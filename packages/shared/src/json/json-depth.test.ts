import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonDepthExceeds } from './json-depth.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Depth of a parsed value, the slow way: the reference the scan must agree with. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('jsonDepthExceeds', () => {
  it('allows exactly maxDepth levels and refuses one more', () => {
    expect(jsonDepthExceeds(bytes(nested(64)), 64)).toBe(false);
    expect(jsonDepthExceeds(bytes(nested(65)), 64)).toBe(true);
    expect(jsonDepthExceeds(bytes('{"a":'.repeat(65) + '1' + '}'.repeat(65)), 64)).toBe(true);
  });

  it('counts nesting, not brackets: many siblings are shallow', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify(Array.from({ length: 1000 }, () => ({ a: [1] })))), 64)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '['.repeat(100) + '\\"' + '{'.repeat(100), t: 'say "[[[["' });
    expect(jsonDepthExceeds(bytes(text), 2)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify(['a\\', [[['b']]]])), 3)).toBe(true);
  });

  it('agrees with the depth of the parsed value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, maxDepth) => {
        expect(jsonDepthExceeds(bytes(JSON.stringify(value)), maxDepth)).toBe(depthOf(value) > maxDepth);
      }),
    );
  });
});
