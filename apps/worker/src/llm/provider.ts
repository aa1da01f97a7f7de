import type { LlmMessage, LlmOutput } from '@hookflow/shared';

export type { LlmMessage, LlmOutput };

export interface LlmRequest {
  messages: LlmMessage[];
  /** Overrides the configured default model. */
  model?: string;
  responseFormat: 'text' | 'json';
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  signal: AbortSignal;
}

export interface LlmProvider {
  readonly name: string;
  complete(request: LlmRequest): Promise<LlmOutput>;
}
