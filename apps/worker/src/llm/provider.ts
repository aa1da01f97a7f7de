export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

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

/** An `llm` step's output: `text` or `json` by response format, and always who answered. */
export type LlmOutput = ({ text: string } | { json: unknown }) & { provider: string; model: string };

export interface LlmProvider {
  readonly name: string;
  complete(request: LlmRequest): Promise<LlmOutput>;
}
