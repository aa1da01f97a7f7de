import { z } from 'zod';
import { template, templatedJson } from '../definition-fields.js';
import { stepBase, type StepKind } from './kind.js';

export interface HttpStepOptions {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Default 30000 ms. */
  timeoutMs?: number;
}

export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const schema = z
  .object({
    ...stepBase,
    type: z.literal('http'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: template.refine((url) => url.trim() !== '', 'must not be empty'),
    headers: z.record(z.string(), template).optional(),
    body: templatedJson.optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict();

declare module './kind.js' {
  interface StepSchemas {
    http: typeof schema;
  }
}

export const http = {
  type: 'http',
  description: 'calls an HTTP endpoint; output { status, headers, body }',
  schema,
  run: (step, render, tools, options) =>
    tools.http(
      step.id,
      async () => ({
        method: step.method,
        url: await render.url(step.url),
        headers: step.headers ? ((await render.json(step.headers)) as Record<string, string>) : undefined,
        body: step.body === undefined ? undefined : await render.json(step.body),
        timeoutMs: step.timeoutMs,
      }),
      options,
    ),
} satisfies StepKind<'http'>;
