import { z } from 'zod';
import { expression, retrySchema } from './definition-fields.js';
import { stepKindList } from './step-kinds/index.js';

/**
 * The JSON workflow definition of DESIGN.md, validated with precise paths: the top level here, each step by its kind's
 * schema in the step-kind table (step-kinds/index.ts).
 */

export { backoffSchema, retrySchema, type RetryPolicy } from './definition-fields.js';

/**
 * Flow control per key (API.md §5.4). `key` is JSONata over `{ payload, headers, delivery }`, evaluated by the ingress
 * when it accepts a delivery (so arrival order is the order Redis stored them in); null or undefined means no key.
 */
export const concurrencySchema = z.object({ key: expression, limit: z.number().int().min(1).max(1000) }).strict();
export type ConcurrencyControl = z.infer<typeof concurrencySchema>;

export const debounceSchema = z
  .object({
    key: expression,
    periodMs: z.number().int().min(1).max(86_400_000),
    maxWaitMs: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400_000)
      .optional(),
  })
  .strict()
  .refine((d) => d.maxWaitMs === undefined || d.maxWaitMs >= d.periodMs, { message: 'must be at least periodMs', path: ['maxWaitMs'] });
export type DebounceControl = z.infer<typeof debounceSchema>;

/** The flow control a delivery is accepted under: the webhook's options win over the workflow's own. */
export interface FlowControl {
  concurrency?: ConcurrencyControl;
  debounce?: DebounceControl;
}

/** A step of any kind, told apart by its `type`; each kind's description travels into the OpenAPI document. */
const [firstKind, ...otherKinds] = stepKindList.map((kind) => kind.schema.describe(`${kind.type}: ${kind.description}`));
export const stepSchema = z.discriminatedUnion('type', [firstKind!, ...otherKinds]);

export const workflowNamePattern = /^[a-z0-9][a-z0-9_-]{0,99}$/;

export const workflowDefinitionSchema = z
  .object({
    name: z.string().regex(workflowNamePattern, 'must be 1-100 lowercase letters, digits, _ or -, starting with a letter or digit'),
    description: z.string().max(2000).default(''),
    /** JSON Schema the payload must satisfy; enforced by the ingress (422 payload_invalid). */
    input: z.record(z.string(), z.unknown()).optional(),
    /** Payloads that fit `input`, checked when the definition is stored; the first is what a test event sends. */
    examples: z.array(z.unknown()).max(20, 'must have at most 20 entries').optional(),
    retry: retrySchema.optional(),
    timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
    concurrency: concurrencySchema.optional(),
    debounce: debounceSchema.optional(),
    steps: z.array(stepSchema).min(1, 'needs at least one step').max(100),
    /** JSONata over the run's scope; the delivery's `result`. Default: the last step's output. */
    output: expression.optional(),
  })
  .strict()
  .superRefine((definition, ctx) => {
    const seen = new Set<string>();
    const signals = new Set<string>();
    definition.steps.forEach((step, index) => {
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `duplicate step id ${step.id}` });
      seen.add(step.id);
      // One link per signal: `signals.<name>` names one wait, and a signal is taken once per delivery.
      if (step.type !== 'wait') return;
      if (signals.has(step.signal))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'signal'],
          message: `signal ${step.signal} is waited for by an earlier step already`,
        });
      signals.add(step.signal);
    });
  });

export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
