import { describe, expect, it } from 'vitest';
import { http } from './http.js';
import { recordingTools, taggingRender } from './testing.js';

const issuePaths = (input: unknown) => http.schema.safeParse(input).error?.issues.map((issue) => issue.path.join('.'));

describe('http step kind', () => {
  it('accepts a step with only a url, defaulting the method to GET', () => {
    expect(http.schema.parse({ id: 'doc', type: 'http', url: 'https://x.test/{{ payload.id }}' })).toEqual({
      id: 'doc',
      type: 'http',
      method: 'GET',
      url: 'https://x.test/{{ payload.id }}',
    });
  });

  it('rejects an empty url, an unknown method, a template that does not compile and unknown fields', () => {
    expect(issuePaths({ id: 'a', type: 'http', url: ' ' })).toEqual(['url']);
    expect(issuePaths({ id: 'a', type: 'http', url: 'https://x.test', method: 'TRACE' })).toEqual(['method']);
    expect(issuePaths({ id: 'a', type: 'http', url: 'https://x.test', headers: { h: '{{ ( }}' } })).toEqual(['headers.h']);
    expect(issuePaths({ id: 'a', type: 'http', url: 'https://x.test', query: {} })).toEqual(['']);
    expect(issuePaths({ id: '1a', type: 'http', url: 'https://x.test' })).toEqual(['id']);
  });

  it('renders the url as a URL and headers and body as JSON into one http call', async () => {
    const { calls, tools } = recordingTools();
    const step = http.schema.parse({
      id: 'post',
      type: 'http',
      method: 'POST',
      url: '{{ env.BASE }}/x',
      headers: { a: 'b' },
      body: { n: 1 },
      timeoutMs: 5,
    });
    const retry = { attempts: 2 };
    await expect(http.run(step, taggingRender(), tools, { retry })).resolves.toEqual({ answered: 'http' });
    expect(calls).toEqual([
      {
        tool: 'http',
        id: 'post',
        options: { method: 'POST', url: 'url({{ env.BASE }}/x)', headers: 'json({"a":"b"})', body: 'json({"n":1})', timeoutMs: 5 },
        stepOptions: { retry },
      },
    ]);
  });

  it('leaves out headers and body the step does not have', async () => {
    const { calls, tools } = recordingTools();
    await http.run(http.schema.parse({ id: 'get', type: 'http', url: 'https://x.test' }), taggingRender(), tools, {});
    expect(calls[0]!.options).toEqual({
      method: 'GET',
      url: 'url(https://x.test)',
      headers: undefined,
      body: undefined,
      timeoutMs: undefined,
    });
  });
});
