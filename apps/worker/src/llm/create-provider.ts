import type { WorkerConfig } from '../config.js';
import type { OutboundHttp } from '../egress/outbound-http.js';
import { OfflineProvider } from './offline-provider.js';
import { OpenAiProvider } from './openai-provider.js';
import type { LlmProvider } from './provider.js';

/** The OpenAI-compatible provider when a base URL is configured (see config.ts), the offline extractive one otherwise. */
export function createLlmProvider(llm: WorkerConfig['llm'], outbound: OutboundHttp): LlmProvider {
  return llm.baseUrl
    ? new OpenAiProvider({ baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model, timeoutMs: llm.timeoutMs, outbound })
    : new OfflineProvider();
}

/** What the start-up log says of the provider: its kind and, for a remote one, where it goes and which model (never the key). */
export function describeLlmProvider(llm: WorkerConfig['llm']): Record<string, string> {
  return llm.baseUrl
    ? { provider: 'openai-compatible', baseUrl: llm.baseUrl, model: llm.model }
    : {
        provider: 'offline',
        note: 'extractive summaries without a model; set LLM_API_KEY (and LLM_BASE_URL for a non-OpenAI API) for a real one',
      };
}
