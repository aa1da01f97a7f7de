import { describe, expect, it } from 'vitest';
import { recordingTools, taggingRender } from './testing.js';
import { transform } from './transform.js';

describe('transform step kind', () => {
  it('accepts a JSONata expression and rejects an empty one or one that does not compile', () => {
    expect(transform.schema.safeParse({ id: 't', type: 'transform', expression: 'payload.a + 1' }).success).toBe(true);
    const issues = (expression: string) =>
      transform.schema.safeParse({ id: 't', type: 'transform', expression }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues('')).toContain('expression: must not be empty');
    expect(issues('payload.(')).toEqual([expect.stringMatching(/^expression: invalid expression: /)]);
  });

  it('evaluates its expression inside a plain step recorded as type transform', async () => {
    const { calls, tools } = recordingTools();
    const when = async () => true;
    await transform.run(transform.schema.parse({ id: 't', type: 'transform', expression: 'payload.a' }), taggingRender(), tools, { when });
    expect(calls).toEqual([{ tool: 'step', id: 't', options: 'evaluate(payload.a)', stepOptions: { when, type: 'transform' } }]);
  });
});
