import type {
  AgentRecord,
  Delivery,
  HttpOutput,
  HttpStepOptions,
  Lazy,
  LlmMessage,
  LlmOutput,
  LlmStepOptions,
  Logger,
  NotifyOptions,
  StepTools,
  StoreOptions,
  WaitOptions,
} from '@hookflow/shared';
import type { OutboundHttp } from '../egress/outbound-http.js';
import { WorkflowError } from '../errors/workflow-error.js';
import type { LlmProvider } from '../llm/provider.js';
import { httpRequest } from '../steps/http-request.js';
import { sendNotification } from '../steps/notify.js';
import { checkStoreTarget } from '../steps/store-record.js';
import { checkWaitOptions, waitForSignal } from '../steps/wait-step.js';
import type { RunHost } from './run-host.js';
import type { RunStepOptions, StepControl, StepResult, StepRunner } from './step-runner.js';

async function resolve<T>(value: Lazy<T>): Promise<T> {
  return typeof value === 'function' ? (value as () => Promise<T>)() : value;
}

/**
 * What a TypeScript workflow's `run` receives: the run's data and the step calls (`StepTools`), which the step kinds
 * of JSON definitions make too, so both run through the same functions.
 */
export interface WorkflowContext<P = unknown> extends StepTools {
  payload: P;
  delivery: Delivery;
  headers: Record<string, string>;
  /** `HOOKFLOW_VAR_*` variables without the prefix. */
  env: Record<string, string>;
  /** Does not fire in a run thread: a run stopped by its `timeoutMs`, a cancel or the worker closing has its thread terminated. */
  signal: AbortSignal;
  log: Logger;
  /**
   * The signed public link (POST a JSON body to it, or open it in a browser) that resumes this delivery's wait on
   * `signal`, and when it expires. Its deadline is fixed by the first call or wait on that signal, whichever comes
   * first (the `timeoutMs` of later ones is then not used), so every call returns the same link, expiring when the wait does.
   */
  signalLink(signal: string, options: { timeoutMs: number }): Promise<{ url: string; expiresAt: string }>;
}

export interface ContextDeps {
  runner: StepRunner;
  delivery: Delivery;
  /** What `ctx.payload` is: the delivery's payload, as a TypeScript workflow's input schema parsed it. */
  payload: unknown;
  env: Record<string, string>;
  signal: AbortSignal;
  /** The delivery's logger, made on first use: a pino child costs more than a short run does. */
  log: () => Logger;
  llm: LlmProvider;
  /** The worker's Redis writes and secrets (a `store` write, the notify signing secrets). */
  host: RunHost;
  /** The egress-checked HTTP client of `http` and `notify` steps. */
  outbound: OutboundHttp;
  now: () => Date;
}

export function createWorkflowContext<P>({
  runner,
  delivery,
  payload,
  env,
  signal,
  log,
  llm,
  host,
  outbound,
  now,
}: ContextDeps): WorkflowContext<P> {
  /** One step kind: its options are resolved inside the checkpointed body, so a finished step does not compute them. */
  const kind =
    <O, R>(type: string, exec: (options: O, id: string, control: StepControl) => Promise<StepResult>) =>
    async (id: string, options: Lazy<O>, stepOptions?: RunStepOptions): Promise<R> =>
      (await runner.run(id, type, async (control) => exec(await resolve(options), id, control), stepOptions ?? {})) as R;

  return {
    payload: payload as P,
    delivery,
    headers: delivery.headers,
    env,
    signal,
    get log() {
      return log();
    },
    step: async <T>(id: string, fn: () => Promise<T> | T, options?: RunStepOptions & { type?: string }) =>
      (await runner.run(id, options?.type ?? 'step', async () => ({ output: await fn() }), options ?? {})) as T,

    // A stable idempotency key lets a receiver drop the repeat a retry may send after a crash mid-call.
    http: kind<HttpStepOptions, HttpOutput>('http', async (options, id, { signal: s }) => ({
      output: await httpRequest(
        { ...options, headers: { 'idempotency-key': `${delivery.id}.${id}`, ...(options.headers ?? {}) } },
        s,
        outbound,
      ),
    })),

    llm: kind<LlmStepOptions, LlmOutput>('llm', async (options, _id, { signal: s }) => {
      if (!options.messages && options.prompt === undefined)
        throw new WorkflowError('llm_invalid', 'an llm step needs prompt or messages', false);
      const messages: LlmMessage[] = options.messages ?? [
        ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
        { role: 'user' as const, content: options.prompt ?? '' },
      ];
      const { model, temperature, maxTokens, timeoutMs } = options;
      return {
        output: await llm.complete({
          messages,
          model,
          responseFormat: options.responseFormat ?? 'text',
          temperature,
          maxTokens,
          timeoutMs,
          signal: s,
        }),
      };
    }),

    store: kind<StoreOptions, AgentRecord>('store', async (options, id, { attempts, startedAt }) => {
      checkStoreTarget(options);
      // The worker commits the record write and this step's checkpoint together, or neither.
      const output = await host.store({
        agentId: delivery.agentId,
        deliveryId: delivery.id,
        options,
        step: { id, type: 'store', attempts, startedAt },
      });
      return { output, committed: true };
    }),

    notify: kind<NotifyOptions, { status: number }>('notify', async (options, id, { signal: s }) => ({
      output: await sendNotification(options, await host.signingSecrets(delivery.agentId), `${delivery.id}.${id}`, s, outbound),
    })),

    wait: kind<WaitOptions, unknown>('wait', (options, id) => waitForSignal(host, delivery.id, id, options, now)),

    signalLink: async (name, { timeoutMs }) => {
      checkWaitOptions({ signal: name, timeoutMs });
      return host.signalLink(delivery.id, name, timeoutMs);
    },

    fail: async (id, code, message, stepOptions) => {
      await runner.run(
        id,
        'fail',
        async () => {
          throw new WorkflowError(code, await resolve(message), false);
        },
        stepOptions ?? {},
      );
    },
  };
}
