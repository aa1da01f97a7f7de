import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createOutboundHttp } from '../egress/outbound-http.js';
import { createLlmProvider, describeLlmProvider } from './create-provider.js';

const outbound = createOutboundHttp({ allow: [], maxResponseBytes: 1_000_000 });

describe('createLlmProvider', () => {
  it('uses the OpenAI-compatible provider for an API key alone, and says where it goes without the key', () => {
    const { llm } = loadConfig({ LLM_API_KEY: 'sk-secret-value' });
    expect(createLlmProvider(llm, outbound).name).toBe('openai-compatible');
    const described = describeLlmProvider(llm);
    expect(described).toMatchObject({ provider: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' });
    expect(JSON.stringify(described)).not.toContain('sk-secret-value');
  });

  it('stays offline without a key or base URL, and says so', () => {
    const { llm } = loadConfig({});
    expect(createLlmProvider(llm, outbound).name).toBe('offline');
    expect(describeLlmProvider(llm).provider).toBe('offline');
  });
});
