import { z } from 'zod';
import type { AgentRecord } from '../agent-record.js';
import { expression, retrySchema, type RetryPolicy } from '../definition-fields.js';
import type { HttpOutput, HttpStepOptions } from './http.js';
import type { LlmOutput, LlmStepOptions } from './llm.js';
import type { NotifyOptions } from './notify.js';
import type { StoreOptions } from './store.js';
import type { WaitOptions } from './wait.js';

/** The fields every step has, whatever its kind; a kind's schema spreads them into its own object. */
export const stepBase = {
  id: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
      'must start with a letter or _ and contain only letters, digits and _ (it is used as steps.<id>)',
    ),
  /** JSONata; the step runs only when it is truthy, otherwise it is recorded as `skipped`. */
  when: expression.optional(),
  retry: retrySchema.optional(),
};

/**
 * Every step kind's schema, by its `type`. Each kind's module adds its own entry (`declare module './kind.js'`), so
 * `StepType` is the closed union of the kinds that exist, and the table in index.ts must list every one of them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging, one entry per kind module
export interface StepSchemas {}

export type StepType = keyof StepSchemas;
/** A parsed step of kind `K`, as the definition schema outputs it. */
export type StepDefinitionOf<K extends StepType> = z.output<StepSchemas[K]>;

/** How a step call is guarded and retried: the `when` and `retry` base fields, which the runner applies to every kind. */
export interface StepCallOptions {
  /** Retries of this step inside one attempt of the delivery, before the delivery's own retry takes over. */
  retry?: RetryPolicy;
  /** Evaluated when the step has not finished yet; false records it as `skipped`. */
  when?: () => Promise<boolean>;
}

/** Options given directly, or computed only when the step actually runs (JSON definitions render templates so). */
export type Lazy<T> = T | (() => Promise<T>);

/** The expressions and templates of one run's scope (payload, headers, delivery, earlier steps, env). */
export interface StepRender {
  /** A raw JSONata expression's value. */
  evaluate(expression: string): Promise<unknown>;
  /** A template as text. */
  text(template: string): Promise<string>;
  /** A template that must render an absolute URL; otherwise the step fails naming the unset variable it used. */
  url(template: string): Promise<string>;
  /** Every string inside a JSON value rendered as a template. */
  json(value: unknown): Promise<unknown>;
}

/**
 * The step calls a run offers, one per capability; the worker implements them (the I/O: HTTP client, LLM provider,
 * record writes, notify signing), checkpointing each call. TypeScript workflows call them as `ctx.<name>`. A kind that
 * needs a capability none of these gives adds a call here, and the worker's context then has to implement it.
 */
export interface StepTools {
  /** Runs `fn` once per delivery: after it succeeded, retries get its checkpointed output instead. */
  step<T>(id: string, fn: () => Promise<T> | T, options?: StepCallOptions & { type?: string }): Promise<T>;
  http(id: string, options: Lazy<HttpStepOptions>, stepOptions?: StepCallOptions): Promise<HttpOutput>;
  llm(id: string, options: Lazy<LlmStepOptions>, stepOptions?: StepCallOptions): Promise<LlmOutput>;
  store(id: string, options: Lazy<StoreOptions>, stepOptions?: StepCallOptions): Promise<AgentRecord>;
  notify(id: string, options: Lazy<NotifyOptions>, stepOptions?: StepCallOptions): Promise<{ status: number }>;
  /** Fails the delivery at once (not retried) with `code`; resolves only when `when` skipped the step. */
  fail(id: string, code: string, message: Lazy<string>, stepOptions?: StepCallOptions): Promise<void>;
  /**
   * Waits for signal `options.signal` without holding a worker (the run stops here, and resumes after this step when the
   * signal comes) and returns the signal's JSON body; at the deadline fails with `wait_timeout`, or with
   * `onTimeout: 'continue'` returns null. Do not catch what it throws: that is how the run stops. See docs/waits.md.
   */
  wait(id: string, options: Lazy<WaitOptions>, stepOptions?: StepCallOptions): Promise<unknown>;
}

/** One kind of step of a JSON definition: what it accepts, what the docs say of it, and how it runs. */
export interface StepKind<K extends StepType> {
  readonly type: K;
  /** One line for the API documentation. */
  readonly description: string;
  /** The step's fields, `stepBase` included. */
  readonly schema: StepSchemas[K];
  /**
   * Runs a definition's step: renders its templates and expressions into the options of one `tools` call and makes
   * it with `options`. Rendering goes inside the call's lazy options, so a finished or skipped step is not rendered.
   */
  run(step: StepDefinitionOf<K>, render: StepRender, tools: StepTools, options: StepCallOptions): Promise<unknown>;
}
