import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import {
  endedStatuses,
  jobCatalog,
  type Delivery,
  type DeliveryStore,
  type Keys,
  type Logger,
  type RecordStore,
  type RedisClient,
  type Settled,
  type WebhookRecord,
  type WorkflowCatalog,
  type WorkflowDefinition,
  type WorkflowPin,
} from '@hookflow/shared';
import { describeFailure, WorkflowError } from '../errors/workflow-error.js';
import { StepTimeoutError } from '../errors/step-timeout-error.js';
import { Evaluator } from '../expressions/evaluator.js';
import type { LlmProvider } from '../llm/provider.js';
import type { OutboundHttp } from '../egress/outbound-http.js';
import type { OutboundSecrets } from '../steps/outbound-secrets.js';
import type { TypeScriptWorkflow } from '../workflows/define-workflow.js';
import type { ActiveRuns } from './active-runs.js';
import { assertOutputFits, Checkpoints } from './checkpoints.js';
import { quarantineCrashed } from './quarantine.js';
import { parkBehindKey } from './flow-control.js';
import { runDefinition } from './run-definition.js';
import { StepRunner } from './step-runner.js';
import { createWorkflowContext } from './workflow-context.js';

export interface RunDeliveryDeps {
  redis: RedisClient;
  keys: Keys;
  deliveries: DeliveryStore;
  /** The webhook a delivery came through (for its `timeoutMs`); the worker reads it through a short cache. */
  webhooks: { find(webhookId: string): Promise<WebhookRecord | null> };
  catalog: WorkflowCatalog;
  records: RecordStore;
  llm: LlmProvider;
  outboundSecrets: OutboundSecrets;
  /** The egress-checked HTTP client of `http` and `notify` steps. */
  outbound: OutboundHttp;
  /** `HOOKFLOW_MAX_STEP_OUTPUT_BYTES`: the largest output a step may store, and result a run may. */
  maxStepOutputBytes: number;
  builtins: Record<string, TypeScriptWorkflow>;
  /** `env` of expressions: the `HOOKFLOW_VAR_*` variables without their prefix. */
  vars: Record<string, string>;
  /** Time budget of a run when neither the webhook nor the workflow sets `timeoutMs`. */
  defaultTimeoutMs: number;
  log: Logger;
  now: () => Date;
  /** `HOOKFLOW_MAX_STALLS`: after this many abandonments by dying workers a delivery fails with `worker_crashed`. */
  maxStalls: number;
  /** Where each run's controller is registered, so a cancel notice can abort it. */
  activeRuns?: ActiveRuns;
}

type Resolved = { kind: 'builtin'; workflow: TypeScriptWorkflow; timeoutMs?: number } | { kind: 'definition'; definition: WorkflowDefinition; version: number; timeoutMs?: number };

/**
 * The BullMQ processor: loads the delivery, runs its workflow and records the outcome. A retryable failure with
 * attempts left marks the delivery `retrying` and rethrows (BullMQ schedules the backoff); anything else marks it
 * `failed` and throws `UnrecoverableError` so BullMQ does not try again. When it returns, it reports what it
 * recorded (status and workflow) so the caller need not read it back.
 */
export function createDeliveryProcessor(deps: RunDeliveryDeps) {
  const { deliveries, log, now } = deps;
  const checkpoints = new Checkpoints(deps.redis, deps.keys, deps.maxStepOutputBytes);
  const evaluator = new Evaluator();

  return async (job: Job, token?: string, workerSignal?: AbortSignal): Promise<Settled> => {
    const { deliveryId } = jobCatalog['run-delivery'].schema.parse(job.data);
    const attempt = job.attemptsMade + 1;
    // Checked before the record is marked running, so a poison delivery does not even start (see quarantine.ts).
    if (job.stalledCounter >= deps.maxStalls) return quarantineCrashed(deliveries, deliveryId, job.stalledCounter, now(), log);
    const started = await deliveries.start(deliveryId, attempt, now());
    if (!started) {
      log.warn({ deliveryId }, 'delivery record is gone (retention or deletion); job dropped');
      return { status: null, workflow: null, removed: 0 };
    }
    // Its concurrency key's slots are all held by earlier deliveries: wait without holding a worker (flow-control.ts).
    if (started.parkedBehind) return parkBehindKey(deps.redis, deps.keys, job, token, deliveryId, started.parkedBehind, log);
    const { delivery, workflowPin } = started;
    // A job can come back after its delivery finished (a worker died after recording the outcome), or arrive after it
    // was cancelled: do not run it.
    if (endedStatuses.has(delivery.status)) return { status: delivery.status, workflow: delivery.workflow, removed: 0 };

    // The run's signal: aborted by its time budget, or when BullMQ aborts the job (forwarded: cheaper than AbortSignal.any).
    const controller = new AbortController();
    const forwardWorkerAbort = () => controller.abort(workerSignal?.reason);
    workerSignal?.addEventListener('abort', forwardWorkerAbort, { once: true });
    const untrack = deps.activeRuns?.track(deliveryId, controller);
    let runLog: Logger | undefined;
    let timer: NodeJS.Timeout | undefined;
    let timeoutMs = deps.defaultTimeoutMs;
    try {
      const resolved = await resolveWorkflow(deps, delivery, workflowPin, job);
      timeoutMs = resolved.timeoutMs ?? deps.defaultTimeoutMs;
      timer = setTimeout(() => controller.abort(new StepTimeoutError(`the run exceeded its timeoutMs of ${timeoutMs} ms`)), timeoutMs);
      const signal = controller.signal;
      const runner = new StepRunner(deliveryId, delivery.steps, checkpoints, signal, log, now, () => abortReason(signal));
      // A TypeScript workflow gets its payload parsed by its own input schema.
      const payload = resolved.kind === 'builtin' ? parseInput(resolved.workflow, delivery) : delivery.payload;
      const ctx = createWorkflowContext({ runner, delivery, payload, env: deps.vars, signal, log: () => (runLog ??= log.child({ deliveryId })), llm: deps.llm, records: deps.records, outboundSecrets: deps.outboundSecrets, outbound: deps.outbound });
      const result = resolved.kind === 'definition' ? await runDefinition(resolved.definition, ctx, evaluator) : await resolved.workflow.run(ctx);
      clearTimeout(timer);
      assertOutputFits(JSON.stringify(result ?? null), deps.maxStepOutputBytes, 'the run result');
      return await deliveries.markSucceeded(deliveryId, result, now());
    } catch (caught) {
      clearTimeout(timer);
      const err = controller.signal.aborted ? abortReason(controller.signal) : caught;
      const failure = describeFailure(err);
      const attemptsAllowed = job.opts.attempts ?? 1;
      if (failure.retryable && attempt < attemptsAllowed) {
        await deliveries.markRetrying(deliveryId, { code: failure.code, message: failure.message });
        log.warn({ deliveryId, attempt, code: failure.code }, 'delivery attempt failed; will retry');
        throw err;
      }
      const settled = await deliveries.markFailed(deliveryId, { code: failure.code, message: failure.message }, now());
      // Cancelled during the run: the record keeps `cancelled` and the job ends without a failure.
      if (settled.status === 'cancelled') return settled;
      log.warn({ deliveryId, attempt, code: failure.code }, 'delivery failed');
      throw new UnrecoverableError(failure.message);
    } finally {
      workerSignal?.removeEventListener('abort', forwardWorkerAbort);
      untrack?.();
    }
  };
}

function parseInput(workflow: TypeScriptWorkflow, delivery: Delivery): unknown {
  const input = workflow.input.safeParse(delivery.payload);
  if (!input.success) throw new WorkflowError('payload_invalid', `payload does not fit ${delivery.workflow}: ${input.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, false);
  return input.data;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof WorkflowError) return reason;
  // The worker is closing: the job goes back to the queue; not the workflow's fault, so retryable.
  return new WorkflowError('worker_stopping', 'the worker stopped while running this delivery', true);
}

/**
 * The workflow a delivery runs. A definition's version is pinned on the delivery at its first run and kept for the
 * automatic retries of that job; a new job for the same delivery (a manual retry) runs the current version.
 */
async function resolveWorkflow(deps: RunDeliveryDeps, delivery: Delivery, workflowPin: WorkflowPin | null, job: Job): Promise<Resolved> {
  const webhook = await deps.webhooks.find(delivery.webhookId);
  const webhookTimeout = webhook?.options.timeoutMs;
  const builtin = deps.builtins[delivery.workflow];
  if (builtin) return { kind: 'builtin', workflow: builtin, ...(webhookTimeout ? { timeoutMs: webhookTimeout } : {}) };

  const jobTag = `${job.id}:${job.timestamp}`;
  const pinned = workflowPin?.job === jobTag ? workflowPin.version : undefined;
  const stored = await deps.catalog.store.get(delivery.workflow, pinned);
  if (!stored) throw new WorkflowError('workflow_not_found', `no workflow named ${delivery.workflow}${pinned ? ` (version ${pinned})` : ''}`, false);
  if (pinned === undefined) await deps.deliveries.pinWorkflow(delivery.id, { version: stored.version, job: jobTag });
  const timeoutMs = webhookTimeout ?? stored.definition.timeoutMs;
  return { kind: 'definition', definition: stored.definition, version: stored.version, ...(timeoutMs ? { timeoutMs } : {}) };
}
