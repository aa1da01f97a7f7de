import { z } from 'zod';
import { template } from '../definition-fields.js';
import { stepBase, type StepKind } from './kind.js';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmStepOptions {
  prompt?: string;
  system?: string;
  messages?: LlmMessage[];
  model?: string;
  responseFormat?: 'text' | 'json';
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
}

/** An `llm` step's output: `text` or `json` by response format, and always who answered. */
export type LlmOutput = ({ text: string } | { json: unknown }) & { provider: string; model: string };

const message = z.object({ role: z.enum(['system', 'user', 'assistant']), content: template }).strict();

const schema = z
  .object({
    ...stepBase,
    type: z.literal('llm'),
    prompt: template.optional(),
    system: template.optional(),
    messages: z.array(message).min(1).optional(),
    model: z.string().min(1).max(200).optional(),
    responseFormat: z.enum(['text', 'json']).default('text'),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(100_000).optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict()
  .refine((step) => (step.prompt === undefined) !== (step.messages === undefined), {
    message: 'needs exactly one of prompt or messages',
    path: ['prompt'],
  });

declare module './kind.js' {
  interface StepSchemas {
    llm: typeof schema;
  }
}

export const llm = {
  type: 'llm',
  description: 'asks the configured LLM provider (prompt or messages); output { text } or { json }, with provider and model',
  schema,
  run: (step, render, tools, options) =>
    tools.llm(
      step.id,
      async () => ({
        prompt: step.prompt === undefined ? undefined : await render.text(step.prompt),
        system: step.system === undefined ? undefined : await render.text(step.system),
        messages: step.messages
          ? await Promise.all(step.messages.map(async (m) => ({ role: m.role, content: await render.text(m.content) })))
          : undefined,
        model: step.model,
        responseFormat: step.responseFormat,
        temperature: step.temperature,
        maxTokens: step.maxTokens,
        timeoutMs: step.timeoutMs,
      }),
      options,
    ),
} satisfies StepKind<'llm'>;
