import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('worker loadConfig', () => {
  it('applies the defaults of API.md', () => {
    expect(loadConfig({})).toMatchObject({ queues: ['default'], concurrency: 10, port: 9464, prefix: 'hookflow', maxStalls: 2 });
  });

  it("bases signal links on HOOKFLOW_PUBLIC_URL, by default the ingress's own default, and refuses one that is not a URL", () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
    expect(loadConfig({ HOOKFLOW_PUBLIC_URL: 'https://hooks.example.com/', PORT: '9000' }).publicUrl).toBe('https://hooks.example.com');
    expect(() => loadConfig({ HOOKFLOW_PUBLIC_URL: 'hooks.example.com' })).toThrow(/HOOKFLOW_PUBLIC_URL/);
  });

  it('reads HOOKFLOW_MAX_STALLS and refuses one below 1', () => {
    expect(loadConfig({ HOOKFLOW_MAX_STALLS: '5' }).maxStalls).toBe(5);
    expect(() => loadConfig({ HOOKFLOW_MAX_STALLS: '0' })).toThrow(/HOOKFLOW_MAX_STALLS/);
  });

  it('reads a queue list and concurrency', () => {
    expect(loadConfig({ HOOKFLOW_QUEUES: 'default, payments ,crm', WORKER_CONCURRENCY: '4' })).toMatchObject({
      queues: ['default', 'payments', 'crm'],
      concurrency: 4,
    });
  });

  it('caps a run at 256 MB unless HOOKFLOW_RUN_MEMORY_MB says otherwise, and refuses a cap too small to start a thread', () => {
    expect(loadConfig({}).runMemoryMb).toBe(256);
    expect(loadConfig({ HOOKFLOW_RUN_MEMORY_MB: '512' }).runMemoryMb).toBe(512);
    for (const bad of ['8', 'lots', '0']) expect(() => loadConfig({ HOOKFLOW_RUN_MEMORY_MB: bad })).toThrow(/HOOKFLOW_RUN_MEMORY_MB/);
  });

  it('names each bad variable in one message', () => {
    let text = '';
    try {
      loadConfig({ WORKER_CONCURRENCY: '0', HOOKFLOW_QUEUES: 'bad name!', WORKER_PORT: 'x' });
    } catch (err) {
      text = (err as Error).message;
    }
    for (const name of ['WORKER_CONCURRENCY', 'HOOKFLOW_QUEUES', 'WORKER_PORT']) expect(text).toContain(name);
  });

  it('reads the egress allow list and the response and output caps, with the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({ egress: { allow: [], maxResponseBytes: 5_242_880 }, maxStepOutputBytes: 1_048_576 });
    expect(
      loadConfig({
        HOOKFLOW_EGRESS_ALLOW: 'crm.intranet.example:8443, 10.20.0.0/16',
        HOOKFLOW_MAX_RESPONSE_BYTES: '1000',
        HOOKFLOW_MAX_STEP_OUTPUT_BYTES: '2000',
      }),
    ).toMatchObject({
      egress: { allow: ['crm.intranet.example:8443', '10.20.0.0/16'], maxResponseBytes: 1000 },
      maxStepOutputBytes: 2000,
    });
  });

  it('names HOOKFLOW_EGRESS_ALLOW and each bad entry in it', () => {
    expect(() => loadConfig({ HOOKFLOW_EGRESS_ALLOW: 'ok.example,10.0.0.0/40,https://crm.example' })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /HOOKFLOW_EGRESS_ALLOW: "10\.0\.0\.0\/40" is not a CIDR range[^\n]*; "https:\/\/crm\.example" is a URL/,
        ),
      }),
    );
    expect(() => loadConfig({ HOOKFLOW_MAX_RESPONSE_BYTES: '0' })).toThrow(/HOOKFLOW_MAX_RESPONSE_BYTES/);
  });

  it('sends an API key without a base URL to OpenAI, and stays offline without a key', () => {
    expect(loadConfig({ LLM_API_KEY: 'sk-test' }).llm).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test' });
    expect(loadConfig({ LLM_API_KEY: 'sk-test', LLM_BASE_URL: 'http://127.0.0.1:11434/v1/' }).llm.baseUrl).toBe(
      'http://127.0.0.1:11434/v1',
    );
    expect(loadConfig({}).llm.baseUrl).toBeUndefined();
  });

  it('exposes only HOOKFLOW_VAR_* variables to workflows, without the prefix', () => {
    expect(
      loadConfig({ HOOKFLOW_VAR_DOCS_URL: 'http://127.0.0.1:1/docs', HOOKFLOW_VAR_: 'x', REDIS_URL: 'redis://127.0.0.1:6379' }).vars,
    ).toEqual({ DOCS_URL: 'http://127.0.0.1:1/docs' });
  });
});
