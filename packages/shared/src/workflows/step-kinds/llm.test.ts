import { describe, expect, it } from 'vitest';
import { llm } from './llm.js';
import { recordingTools, taggingRender } from './testing.js';

const issues = (input: object) =>
  llm.schema.safeParse({ id: 'ask', type: 'llm', ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('llm step kind', () => {
  it('needs exactly one of prompt or messages', () => {
    expect(issues({ prompt: 'hi' })).toBeUndefined();
    expect(issues({ messages: [{ role: 'user', content: 'hi' }] })).toBeUndefined();
    expect(issues({})).toEqual(['prompt: needs exactly one of prompt or messages']);
    expect(issues({ prompt: 'hi', messages: [{ role: 'user', content: 'hi' }] })).toEqual([
      'prompt: needs exactly one of prompt or messages',
    ]);
  });

  it('rejects an unknown role, response format or temperature out of range', () => {
    expect(issues({ messages: [{ role: 'tool', content: 'x' }] })?.map((i) => i.split(':')[0])).toEqual(['messages.0.role']);
    expect(issues({ prompt: 'x', responseFormat: 'xml' })?.map((i) => i.split(':')[0])).toEqual(['responseFormat']);
    expect(issues({ prompt: 'x', temperature: 3 })?.map((i) => i.split(':')[0])).toEqual(['temperature']);
  });

  it('renders prompt and system as text, defaulting the response format to text', async () => {
    const { calls, tools } = recordingTools();
    await llm.run(
      llm.schema.parse({ id: 'ask', type: 'llm', prompt: 'Summarise {{ x }}', system: 'Be brief', model: 'm', maxTokens: 10 }),
      taggingRender(),
      tools,
      {},
    );
    expect(calls[0]).toMatchObject({
      tool: 'llm',
      id: 'ask',
      options: {
        prompt: 'text(Summarise {{ x }})',
        system: 'text(Be brief)',
        messages: undefined,
        model: 'm',
        responseFormat: 'text',
        maxTokens: 10,
      },
    });
  });

  it('renders each message content as text, keeping its role', async () => {
    const { calls, tools } = recordingTools();
    const step = llm.schema.parse({
      id: 'ask',
      type: 'llm',
      responseFormat: 'json',
      messages: [
        { role: 'system', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    });
    await llm.run(step, taggingRender(), tools, {});
    expect(calls[0]!.options).toMatchObject({
      prompt: undefined,
      messages: [
        { role: 'system', content: 'text(a)' },
        { role: 'user', content: 'text(b)' },
      ],
      responseFormat: 'json',
    });
  });
});
