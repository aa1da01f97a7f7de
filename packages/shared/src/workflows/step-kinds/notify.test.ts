import { describe, expect, it } from 'vitest';
import { notify } from './notify.js';
import { recordingTools, taggingRender } from './testing.js';

describe('notify step kind', () => {
  it('needs a url and a payload', () => {
    expect(notify.schema.safeParse({ id: 'n', type: 'notify', url: 'https://x.test', payload: { a: 1 } }).success).toBe(true);
    expect(notify.schema.safeParse({ id: 'n', type: 'notify', url: 'https://x.test' }).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'payload',
    ]);
    expect(
      notify.schema.safeParse({ id: 'n', type: 'notify', payload: null, timeoutMs: 0 }).error?.issues.map((i) => i.path.join('.')),
    ).toEqual(['url', 'timeoutMs']);
  });

  it('renders the url as a URL and the payload as JSON into one notify call', async () => {
    const { calls, tools } = recordingTools();
    await notify.run(
      notify.schema.parse({ id: 'n', type: 'notify', url: '{{ env.HOOK }}', payload: { a: '{{ payload.a }}' }, timeoutMs: 9 }),
      taggingRender(),
      tools,
      {},
    );
    expect(calls).toEqual([
      {
        tool: 'notify',
        id: 'n',
        options: { url: 'url({{ env.HOOK }})', payload: 'json({"a":"{{ payload.a }}"})', timeoutMs: 9 },
        stepOptions: {},
      },
    ]);
  });
});
