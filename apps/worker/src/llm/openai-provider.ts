import { isRetryableStatus } from '@hookflow/protocol';
import { WorkflowError } from '../errors/workflow-error.js';
import { StepTimeoutError } from '../errors/step-timeout-error.js';
import { parseOutboundUrl, type OutboundHttp, type OutboundResponse } from '../egress/outbound-http.js';
import type { LlmOutput, LlmProvider, LlmRequest } from './provider.js';

export interface OpenAiOptions {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  /** Per-call limit unless the step sets its own (default from `LLM_TIMEOUT_MS`). */
  timeoutMs: number;
  /** The egress-checked client: the API's address is held to the same policy as every step's. */
  outbound: OutboundHttp;
}

interface ChatCompletion {
  model?: string;
  choices?: { message?: { content?: string | null } }[];
}

/**
 * Chat completions of any OpenAI-compatible API (OpenAI, Azure-style proxies, vLLM, Ollama, LM Studio...). Errors
 * are mapped to retryable (network, timeout, 408/409/429, 5xx, unparsable JSON answers) or not (other 4xx).
 */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai-compatible';

  constructor(private readonly options: OpenAiOptions) {}

  async complete(request: LlmRequest): Promise<LlmOutput> {
    const model = request.model ?? this.options.model;
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const body: Record<string, unknown> = { model, messages: request.messages };
    if (request.responseFormat === 'json') body.response_format = { type: 'json_object' };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;

    let res: OutboundResponse;
    try {
      res = await this.options.outbound.request(parseOutboundUrl(`${this.options.baseUrl}/chat/completions`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.any([request.signal, timeout]),
      });
    } catch (err) {
      if (timeout.aborted) throw new StepTimeoutError(`the LLM did not answer within ${timeoutMs} ms`);
      if (request.signal.aborted) throw request.signal.reason;
      // egress_denied and response_too_large keep their codes: another try would meet the same refusal.
      if (err instanceof WorkflowError) throw err;
      throw new WorkflowError('llm_unavailable', `LLM request failed: ${(err as Error).message}`, true, { cause: err });
    }
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) {
      // 409 as well, as OpenAI's own client libraries retry it: the request conflicted with another one in flight.
      const retryable = isRetryableStatus(res.status) || res.status === 409;
      // The body may echo the request; keep only a short excerpt and never the key (it is not in the body we sent back).
      throw new WorkflowError(retryable ? 'llm_unavailable' : 'llm_error', `LLM answered ${res.status}: ${text.slice(0, 300)}`, retryable);
    }
    let completion: ChatCompletion;
    try {
      completion = JSON.parse(text) as ChatCompletion;
    } catch {
      throw new WorkflowError('llm_unavailable', 'LLM answer is not JSON', true);
    }
    const content = completion.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new WorkflowError('llm_unavailable', 'LLM answer has no message content', true);
    const answeredModel = completion.model ?? model;
    if (request.responseFormat === 'text') return { text: content, provider: this.name, model: answeredModel };
    try {
      return { json: JSON.parse(stripFence(content)) as unknown, provider: this.name, model: answeredModel };
    } catch {
      // Another sample usually fixes a malformed answer, so this is worth a retry.
      throw new WorkflowError('llm_invalid_json', 'LLM answer is not valid JSON although JSON was requested', true);
    }
  }
}

/** Some models wrap JSON in a Markdown code fence even in JSON mode. */
function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(content);
  return fenced ? fenced[1]! : content;
}
