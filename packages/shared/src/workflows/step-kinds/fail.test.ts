import { describe, expect, it } from 'vitest';
import { fail } from './fail.js';
import { recordingTools, taggingRender } from './testing.js';

describe('fail step kind', () => {
  it('needs a snake_case code and a message', () => {
    expect(fail.schema.safeParse({ id: 'f', type: 'fail', code: 'not_allowed', message: 'no {{ payload.a }}' }).success).toBe(true);
    expect(
      fail.schema
        .safeParse({ id: 'f', type: 'fail', code: 'NotAllowed', message: 'no' })
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    ).toEqual(['code: must be snake_case (a-z, 0-9, _)']);
    expect(fail.schema.safeParse({ id: 'f', type: 'fail', code: 'x' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['message']);
  });

  it('renders the message as text into one fail call, and its output is null when the call returns', async () => {
    const { calls, tools } = recordingTools();
    await expect(
      fail.run(fail.schema.parse({ id: 'f', type: 'fail', code: 'nope', message: 'bad {{ x }}' }), taggingRender(), tools, {}),
    ).resolves.toBeNull();
    expect(calls).toEqual([{ tool: 'fail', id: 'f', options: { code: 'nope', message: 'text(bad {{ x }})' }, stepOptions: {} }]);
  });
});
