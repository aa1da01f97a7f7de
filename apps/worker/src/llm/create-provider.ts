import type { WorkerConfig } from '../config.js';
import type { OutboundHttp } from '../egress/outbound-http.js';
import { OfflineProvider } from './offline-provider.js';
import { OpenAiProvider } from './openai-provider.js';
import type { LlmProvider } from './provider.js';

/** The OpenAI-compatible provider when `LLM_BASE_URL` is set, the offline extractive one otherwise. */
export function createLlmProvider(llm: WorkerConfig['llm'], outbound: OutboundHttp): LlmProvider {
  return llm.baseUrl ? new OpenAiProvider({ baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model, timeoutMs: llm.timeoutMs, outbound }) : new OfflineProvider();
}
