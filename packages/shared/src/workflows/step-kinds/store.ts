import { z } from 'zod';
import { template, templatedJson } from '../definition-fields.js';
import { stepBase, type StepKind } from './kind.js';

export interface StoreOptions {
  collection: string;
  key: string;
  /** Shallow merge into the record. */
  set?: Record<string, unknown>;
  /** Numbers added to the record's fields (a missing field counts as 0). */
  increment?: Record<string, unknown>;
}

const schema = z
  .object({
    ...stepBase,
    type: z.literal('store'),
    collection: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    key: template.refine((key) => key.trim() !== '', 'must not be empty'),
    set: z.record(z.string(), templatedJson).optional(),
    increment: z.record(z.string(), z.union([z.number(), template])).optional(),
  })
  .strict()
  .refine((step) => step.set !== undefined || step.increment !== undefined, { message: 'needs set or increment (or both)', path: ['set'] });

declare module './kind.js' {
  interface StepSchemas {
    store: typeof schema;
  }
}

export const store = {
  type: 'store',
  description: "writes one of the agent's records (set merges, increment adds); output the record",
  schema,
  run: (step, render, tools, options) =>
    tools.store(
      step.id,
      async () => ({
        collection: step.collection,
        key: await render.text(step.key),
        set: step.set ? ((await render.json(step.set)) as Record<string, unknown>) : undefined,
        increment: step.increment ? ((await render.json(step.increment)) as Record<string, unknown>) : undefined,
      }),
      options,
    ),
} satisfies StepKind<'store'>;
