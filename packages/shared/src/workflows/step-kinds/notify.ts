import { z } from 'zod';
import { template, templatedJson } from '../definition-fields.js';
import { stepBase, type StepKind } from './kind.js';

export interface NotifyOptions {
  url: string;
  payload: unknown;
  timeoutMs?: number;
}

const schema = z
  .object({
    ...stepBase,
    type: z.literal('notify'),
    url: template,
    payload: templatedJson,
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict();

declare module './kind.js' {
  interface StepSchemas {
    notify: typeof schema;
  }
}

export const notify = {
  type: 'notify',
  description: "POSTs a payload signed with the agent's outbound secret (Standard Webhooks); output { status }",
  schema,
  run: (step, render, tools, options) =>
    tools.notify(
      step.id,
      async () => ({ url: await render.url(step.url), payload: await render.json(step.payload), timeoutMs: step.timeoutMs }),
      options,
    ),
} satisfies StepKind<'notify'>;
