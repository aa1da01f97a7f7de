import type { AgentRecord, Delivery, Logger, RecordStore } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';
import type { LlmMessage, LlmOutput, LlmProvider } from '../llm/provider.js';
import { httpRequest, type HttpOutput, type HttpStepOptions } from '../steps/http-request.js';
import { sendNotification, type NotifyOptions } from '../steps/notify.js';
import type { OutboundSecrets } from '../steps/outbound-secrets.js';
import { applyStore, checkStoreTarget, type StoreOptions } from '../steps/store-record.js';
import { stepField } from './checkpoints.js';
import type { RunStepOptions, StepRunner } from './step-runner.js';

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

/** Options given directly, or computed only when the step actually runs (JSON definitions render templates so). */
export type Lazy<T> = T | (() => Promise<T>);

async function resolve<T>(value: Lazy<T>): Promise<T> {
  return typeof value === 'function' ? (value as () => Promise<T>)() : value;
}

/** What a TypeScript workflow's `run` receives; JSON definitions run through the same functions. */
export interface WorkflowContext<P = unknown> {
  payload: P;
  delivery: Delivery;
  headers: Record<string, string>;
  /** `HOOKFLOW_VAR_*` variables without the prefix. */
  env: Record<string, string>;
  /** Aborts at the run's `timeoutMs` (and when the worker shuts down). */
  signal: AbortSignal;
  log: Logger;
  /** Runs `fn` once per delivery: after it succeeded, retries get its checkpointed output instead. */
  step<T>(id: string, fn: () => Promise<T> | T, options?: RunStepOptions & { type?: string }): Promise<T>;
  http(id: string, options: Lazy<HttpStepOptions>, stepOptions?: RunStepOptions): Promise<HttpOutput>;
  llm(id: string, options: Lazy<LlmStepOptions>, stepOptions?: RunStepOptions): Promise<LlmOutput>;
  store(id: string, options: Lazy<StoreOptions>, stepOptions?: RunStepOptions): Promise<AgentRecord>;
  notify(id: string, options: Lazy<NotifyOptions>, stepOptions?: RunStepOptions): Promise<{ status: number }>;
  /** Fails the delivery at once (not retried) with `code`; resolves only when `when` skipped the step. */
  fail(id: string, code: string, message: Lazy<string>, stepOptions?: RunStepOptions): Promise<void>;
}

export interface ContextDeps {
  runner: StepRunner;
  delivery: Delivery;
  env: Record<string, string>;
  signal: AbortSignal;
  log: Logger;
  llm: LlmProvider;
  records: RecordStore;
  outboundSecrets: OutboundSecrets;
}

export function createWorkflowContext<P>({ runner, delivery, env, signal, log, llm, records, outboundSecrets }: ContextDeps): WorkflowContext<P> {
  const stepOptions = (options?: RunStepOptions) => options ?? {};
  return {
    payload: delivery.payload as P,
    delivery,
    headers: delivery.headers,
    env,
    signal,
    log,
    step: async <T>(id: string, fn: () => Promise<T> | T, options?: RunStepOptions & { type?: string }) =>
      (await runner.run(id, options?.type ?? 'step', async () => ({ output: await fn() }), stepOptions(options))) as T,

    http: async (id, lazyOptions, extra) =>
      (await runner.run(
        id,
        'http',
        // A stable idempotency key lets a receiver drop the repeat a retry may send after a crash mid-call.
        async ({ signal: s }) => {
          const options = await resolve(lazyOptions);
          return { output: await httpRequest({ ...options, headers: { 'idempotency-key': `${delivery.id}.${id}`, ...(options.headers ?? {}) } }, s) };
        },
        stepOptions(extra),
      )) as HttpOutput,

    llm: async (id, lazyOptions, extra) =>
      (await runner.run(
        id,
        'llm',
        async ({ signal: s }) => {
          const options = await resolve(lazyOptions);
          const messages: LlmMessage[] = options.messages ?? [
            ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
            { role: 'user' as const, content: options.prompt ?? '' },
          ];
          if (!options.messages && options.prompt === undefined) throw new WorkflowError('llm_invalid', 'an llm step needs prompt or messages', false);
          const output = await llm.complete({
            messages,
            model: options.model,
            responseFormat: options.responseFormat ?? 'text',
            temperature: options.temperature,
            maxTokens: options.maxTokens,
            timeoutMs: options.timeoutMs,
            signal: s,
          });
          return { output };
        },
        stepOptions(extra),
      )) as LlmOutput,

    store: async (id, lazyOptions, extra) =>
      (await runner.run(
        id,
        'store',
        async ({ succeededRecord }) => {
          const options = await resolve(lazyOptions);
          checkStoreTarget(options);
          // The record write and this step's checkpoint commit together, or neither does.
          const result = await records.writeCheckpointed({
            agentId: delivery.agentId,
            collection: options.collection,
            key: options.key,
            apply: (current) => applyStore(current, options),
            deliveryId: delivery.id,
            stepField: stepField(id),
            checkpoint: (record) => JSON.stringify(succeededRecord(record)),
          });
          const output = result.outcome === 'written' ? result.record : (JSON.parse(result.checkpoint) as { output: unknown }).output;
          return { output, committed: true };
        },
        stepOptions(extra),
      )) as AgentRecord,

    notify: async (id, lazyOptions, extra) =>
      (await runner.run(
        id,
        'notify',
        async ({ signal: s }) => ({ output: await sendNotification(await resolve(lazyOptions), await outboundSecrets.get(delivery.agentId), `${delivery.id}.${id}`, s) }),
        stepOptions(extra),
      )) as { status: number },

    fail: async (id, code, message, extra) => {
      await runner.run(
        id,
        'fail',
        async () => {
          throw new WorkflowError(code, await resolve(message), false);
        },
        stepOptions(extra),
      );
    },
  };
}
