import { describe, expect, it } from 'vitest';
import { store } from './store.js';
import { recordingTools, taggingRender } from './testing.js';

const issues = (input: object) =>
  store.schema.safeParse({ id: 'save', type: 'store', ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('store step kind', () => {
  it('needs set or increment, a valid collection and a non-empty key', () => {
    expect(issues({ collection: 'docs', key: 'k', set: { a: 1 } })).toBeUndefined();
    expect(issues({ collection: 'docs', key: 'k', increment: { n: 1, m: '{{ payload.m }}' } })).toBeUndefined();
    expect(issues({ collection: 'docs', key: 'k' })).toEqual(['set: needs set or increment (or both)']);
    expect(issues({ collection: 'a b', key: 'k', set: {} })).toEqual(['collection: must be 1-64 letters, digits, _ or -']);
    expect(issues({ collection: 'docs', key: '  ', set: {} })).toEqual(['key: must not be empty']);
    expect(issues({ collection: 'docs', key: 'k', increment: { n: true } })?.map((i) => i.split(':')[0])).toEqual(['increment.n']);
  });

  it('renders the key as text and set and increment as JSON, keeping the collection as written', async () => {
    const { calls, tools } = recordingTools();
    await store.run(
      store.schema.parse({ id: 'save', type: 'store', collection: 'docs', key: '{{ payload.id }}', set: { s: 'x' }, increment: { n: 1 } }),
      taggingRender(),
      tools,
      {},
    );
    expect(calls).toEqual([
      {
        tool: 'store',
        id: 'save',
        options: { collection: 'docs', key: 'text({{ payload.id }})', set: 'json({"s":"x"})', increment: 'json({"n":1})' },
        stepOptions: {},
      },
    ]);
  });
});
