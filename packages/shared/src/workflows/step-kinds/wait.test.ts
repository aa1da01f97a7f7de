import { describe, expect, it } from 'vitest';
import { workflowDefinitionSchema } from '../definition-schema.js';
import { recordingTools, taggingRender } from './testing.js';
import { maxWaitTimeoutMs, wait } from './wait.js';

const issues = (value: unknown) => wait.schema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('wait step kind', () => {
  it('needs a signal name usable as signals.<name> and a timeout of 1 ms to 30 days; onTimeout is fail or continue', () => {
    expect(wait.schema.safeParse({ id: 'review', type: 'wait', signal: 'approval', timeoutMs: 60_000 }).success).toBe(true);
    expect(wait.schema.safeParse({ id: 'review', type: 'wait', signal: '_a1', timeoutMs: maxWaitTimeoutMs, onTimeout: 'continue' }).success).toBe(true);
    expect(issues({ id: 'r', type: 'wait', signal: 'not-a-name', timeoutMs: 1 })).toEqual(['signal: must start with a letter or _ and contain only letters, digits and _ (it is used as signals.<signal>)']);
    expect(issues({ id: 'r', type: 'wait', signal: 'a', timeoutMs: 0 })?.map((i) => i.split(':')[0])).toEqual(['timeoutMs']);
    expect(issues({ id: 'r', type: 'wait', signal: 'a', timeoutMs: maxWaitTimeoutMs + 1 })?.map((i) => i.split(':')[0])).toEqual(['timeoutMs']);
    expect(issues({ id: 'r', type: 'wait', signal: 'a', timeoutMs: 1.5 })?.map((i) => i.split(':')[0])).toEqual(['timeoutMs']);
    expect(issues({ id: 'r', type: 'wait', signal: 'a', timeoutMs: 1, onTimeout: 'retry' })?.map((i) => i.split(':')[0])).toEqual(['onTimeout']);
    expect(issues({ id: 'r', type: 'wait', timeoutMs: 1 })?.map((i) => i.split(':')[0])).toEqual(['signal']);
    expect(issues({ id: 'r', type: 'wait', signal: 'a', timeoutMs: 1, url: 'x' })?.length).toBe(1);
  });

  it('makes one wait call with its literal fields, rendering nothing', async () => {
    const { calls, tools } = recordingTools();
    const render = taggingRender();
    const when = async () => true;
    await wait.run(wait.schema.parse({ id: 'review', type: 'wait', signal: 'approval', timeoutMs: 5_000, onTimeout: 'continue' }), render, tools, { when });
    await wait.run(wait.schema.parse({ id: 'second', type: 'wait', signal: 'other', timeoutMs: 7 }), render, tools, {});
    expect(calls).toEqual([
      { tool: 'wait', id: 'review', options: { signal: 'approval', timeoutMs: 5_000, onTimeout: 'continue' }, stepOptions: { when } },
      { tool: 'wait', id: 'second', options: { signal: 'other', timeoutMs: 7 }, stepOptions: {} },
    ]);
    expect(render.count()).toBe(0);
  });

  it('is one wait per signal name in a definition', () => {
    const definition = (signals: string[]) => ({ name: 'w', steps: signals.map((signal, i) => ({ id: `s${i}`, type: 'wait', signal, timeoutMs: 1_000 })) });
    expect(workflowDefinitionSchema.safeParse(definition(['a', 'b'])).success).toBe(true);
    expect(workflowDefinitionSchema.safeParse(definition(['a', 'b', 'a'])).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'steps.2.signal: signal a is waited for by an earlier step already',
    ]);
  });
});
