import { z } from 'zod';
import jsonata from 'jsonata';
import { templateExpressions } from './template.js';
import { signalNamePattern } from '../signals/signal-token.js';

/**
 * The JSON workflow definition of DESIGN.md, validated with precise paths: structure by zod, and every JSONata
 * expression (raw ones like `when`/`expression`/`output`, and `{{ }}` parts of templates) by compiling it, so a
 * typo is a 400 at PUT time rather than a failed delivery later.
 */

const expression = z.string().min(1, 'must not be empty').max(10_000).superRefine(checkExpression);
const template = z.string().max(100_000).superRefine(checkTemplate);

function checkExpression(source: string, ctx: z.RefinementCtx): void {
  const error = compileError(source);
  if (error) ctx.addIssue({ code: 'custom', message: `invalid expression: ${error}` });
}

function checkTemplate(source: string, ctx: z.RefinementCtx): void {
  for (const expr of templateExpressions(source)) {
    const error = expr === '' ? 'empty {{ }}' : compileError(expr);
    if (error) ctx.addIssue({ code: 'custom', message: `invalid expression in template: ${error}` });
  }
}

function compileError(source: string): string | null {
  try {
    jsonata(source);
    return null;
  } catch (err) {
    return (err as { message?: string }).message ?? String(err);
  }
}

/** Any JSON value in which every string is a template (bodies, payloads, `set`). */
const templatedJson: z.ZodType<unknown> = z.lazy(() =>
  z.union([template, z.number(), z.boolean(), z.null(), z.array(templatedJson), z.record(z.string(), templatedJson)]),
);

export const backoffSchema = z
  .object({ type: z.enum(['fixed', 'exponential']), delayMs: z.number().int().min(0).max(86_400_000) })
  .strict();

export const retrySchema = z
  .object({ attempts: z.number().int().min(1, 'must be at least 1').max(100), backoff: backoffSchema.optional() })
  .strict();
export type RetryPolicy = z.infer<typeof retrySchema>;

/**
 * Flow control per key (API.md §5.4). `key` is JSONata over `{ payload, headers, delivery }`, evaluated by the ingress
 * when it accepts a delivery (so arrival order is the order Redis stored them in); null or undefined means no key.
 */
export const concurrencySchema = z.object({ key: expression, limit: z.number().int().min(1).max(1000) }).strict();
export type ConcurrencyControl = z.infer<typeof concurrencySchema>;

export const debounceSchema = z
  .object({ key: expression, periodMs: z.number().int().min(1).max(86_400_000), maxWaitMs: z.number().int().min(1).max(7 * 86_400_000).optional() })
  .strict()
  .refine((d) => d.maxWaitMs === undefined || d.maxWaitMs >= d.periodMs, { message: 'must be at least periodMs', path: ['maxWaitMs'] });
export type DebounceControl = z.infer<typeof debounceSchema>;

/** The flow control a delivery is accepted under: the webhook's options win over the workflow's own. */
export interface FlowControl {
  concurrency?: ConcurrencyControl;
  debounce?: DebounceControl;
}

const stepBase = {
  id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must start with a letter or _ and contain only letters, digits and _ (it is used as steps.<id>)'),
  /** JSONata; the step runs only when it is truthy, otherwise it is recorded as `skipped`. */
  when: expression.optional(),
  retry: retrySchema.optional(),
};

const httpStep = z
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

const transformStep = z.object({ ...stepBase, type: z.literal('transform'), expression }).strict();

const llmMessage = z.object({ role: z.enum(['system', 'user', 'assistant']), content: template }).strict();
const llmStep = z
  .object({
    ...stepBase,
    type: z.literal('llm'),
    prompt: template.optional(),
    system: template.optional(),
    messages: z.array(llmMessage).min(1).optional(),
    model: z.string().min(1).max(200).optional(),
    responseFormat: z.enum(['text', 'json']).default('text'),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(100_000).optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict()
  .refine((step) => (step.prompt === undefined) !== (step.messages === undefined), { message: 'needs exactly one of prompt or messages', path: ['prompt'] });

const storeStep = z
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

const notifyStep = z
  .object({ ...stepBase, type: z.literal('notify'), url: template, payload: templatedJson, timeoutMs: z.number().int().min(1).max(600_000).optional() })
  .strict();

const failStep = z
  .object({
    ...stepBase,
    type: z.literal('fail'),
    code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be snake_case (a-z, 0-9, _)'),
    message: template,
  })
  .strict();

/** Longest wait a `wait` step may declare: 30 days (a waiting delivery's record is kept until its deadline). */
export const maxWaitTimeoutMs = 30 * 86_400_000;

/**
 * Waits, holding no worker, until its signal comes (API.md §5.5); the signal's JSON body is the step's output. Steps
 * before it see the signal's link as `signals.<signal>.url`.
 */
const waitStep = z
  .object({
    ...stepBase,
    type: z.literal('wait'),
    signal: z.string().regex(signalNamePattern, 'must start with a letter or _ and contain only letters, digits and _ (it is used as signals.<signal>)'),
    timeoutMs: z.number().int().min(1).max(maxWaitTimeoutMs),
    /** At the deadline without a signal: `fail` (default) fails with `wait_timeout`; `continue` goes on with output null. */
    onTimeout: z.enum(['fail', 'continue']).optional(),
  })
  .strict();

export const stepSchema = z.discriminatedUnion('type', [httpStep, transformStep, llmStep, storeStep, notifyStep, failStep, waitStep]);
export type StepDefinition = z.infer<typeof stepSchema>;
export type StepType = StepDefinition['type'];
export const stepTypes = ['http', 'transform', 'llm', 'store', 'notify', 'fail', 'wait'] as const satisfies readonly StepType[];

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
      if (signals.has(step.signal)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'signal'], message: `signal ${step.signal} is waited for by an earlier step already` });
      signals.add(step.signal);
    });
  });

export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
