import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import {
  DeliverySignals,
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
  type WorkflowPin,
} from '@hookflow/shared';
import { describeFailure, WorkflowError } from '../errors/workflow-error.js';
import { StepTimeoutError } from '../errors/step-timeout-error.js';
import { RunSuspended } from '../errors/run-suspended.js';
import type { OutboundSecrets } from '../steps/outbound-secrets.js';
import type { TypeScriptWorkflow } from '../workflows/define-workflow.js';
import type { ActiveRuns } from './active-runs.js';
import { assertOutputFits, Checkpoints } from './checkpoints.js';
import { abortReason, type RunWorkflow } from './execute-run.js';
import { quarantineCrashed } from './quarantine.js';
import { parkBehindKey } from './flow-control.js';
import { createRunHost, type SignalLinks } from './run-host.js';
import { parkAtWait } from './wait-parking.js';
import { endedItsThread, type RunExecutor } from './run-pool.js';

export interface RunDeliveryDeps {
  redis: RedisClient;
  keys: Keys;
  deliveries: DeliveryStore;
  /** The webhook a delivery came through (for its `timeoutMs`); the worker reads it through a short cache. */
  webhooks: { find(webhookId: string): Promise<WebhookRecord | null> };
  catalog: WorkflowCatalog;
  records: RecordStore;
  outboundSecrets: OutboundSecrets;
  /** `HOOKFLOW_MAX_STEP_OUTPUT_BYTES`: the largest output a step may store, and result a run may. */
  maxStepOutputBytes: number;
  /** The built-in workflows by name (their code runs where `runs` runs it; here only the names count). */
  builtins: Record<string, TypeScriptWorkflow>;
  /** Where workflows run: the run thread pool (run-pool.ts). */
  runs: RunExecutor;
  /** Time budget of a run when neither the webhook nor the workflow sets `timeoutMs`. */
  defaultTimeoutMs: number;
  log: Logger;
  now: () => Date;
  /** `HOOKFLOW_MAX_STALLS`: after this many abandonments by dying workers a delivery fails with `worker_crashed`. */
  maxStalls: number;
  /** Where each run's controller is registered, so a cancel notice can abort it. */
  activeRuns?: ActiveRuns;
  /** What signs the links of `wait` steps (`signals.<name>.url`); without it rendering one fails with `signals_unconfigured`. */
  signalLinks?: SignalLinks;
}

type Resolved = { workflow: RunWorkflow; timeoutMs?: number };

/**
 * The BullMQ processor: loads the delivery, runs its workflow and records the outcome. A retryable failure with
 * attempts left marks the delivery `retrying` and rethrows (BullMQ schedules the backoff); anything else marks it
 * `failed` and throws `UnrecoverableError` so BullMQ does not try again. When it returns, it reports what it
 * recorded (status and workflow) so the caller need not read it back.
 */
export function createDeliveryProcessor(deps: RunDeliveryDeps) {
  const { deliveries, log, now } = deps;
  const checkpoints = new Checkpoints(deps.redis, deps.keys, deps.maxStepOutputBytes);
  const signals = new DeliverySignals(deps.redis, deps.keys);
  const host = createRunHost({
    checkpoints,
    records: deps.records,
    outboundSecrets: deps.outboundSecrets,
    maxStepOutputBytes: deps.maxStepOutputBytes,
    now,
    signals,
    ...(deps.signalLinks ? { signalLinks: deps.signalLinks } : {}),
  });

  return async (job: Job, token?: string, workerSignal?: AbortSignal): Promise<Settled> => {
    const { deliveryId } = jobCatalog['run-delivery'].schema.parse(job.data);
    const attempt = job.attemptsMade + 1;
    // Checked before the record is marked running, so a poison delivery does not even start (see quarantine.ts).
    if (job.stalledCounter >= deps.maxStalls) return quarantineCrashed(deliveries, deliveryId, job.stalledCounter, now(), log);
    // The lock token fences the outcome: a run that outlived its lock (and so its job) records nothing.
    const fence = token ? { runToken: token } : {};
    const started = await deliveries.start(deliveryId, attempt, now(), token);
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

    // The run's one stop handle: aborted by its time budget, or when BullMQ aborts the job (forwarded: cheaper than
    // AbortSignal.any). Aborting it ends the run's thread; the run fails with the abort reason's code.
    const controller = new AbortController();
    const forwardWorkerAbort = () => controller.abort(workerSignal?.reason);
    workerSignal?.addEventListener('abort', forwardWorkerAbort, { once: true });
    const untrack = deps.activeRuns?.track(deliveryId, controller);
    let timer: NodeJS.Timeout | undefined;
    let timeoutMs = deps.defaultTimeoutMs;
    try {
      const resolved = await resolveWorkflow(deps, delivery, workflowPin, job);
      timeoutMs = resolved.timeoutMs ?? deps.defaultTimeoutMs;
      timer = setTimeout(() => controller.abort(new StepTimeoutError(`the run exceeded its timeoutMs of ${timeoutMs} ms`)), timeoutMs);
      const result = await deps.runs.run({ delivery, workflow: resolved.workflow }, host, controller.signal);
      clearTimeout(timer);
      const resultJson = JSON.stringify(result ?? null);
      assertOutputFits(resultJson, deps.maxStepOutputBytes, 'the run result');
      return await deliveries.markSucceededJson(deliveryId, resultJson, now(), fence);
    } catch (caught) {
      clearTimeout(timer);
      // Stopped at a wait step whose signal has not come: not a failure; the delivery waits without a worker.
      if (caught instanceof RunSuspended && !controller.signal.aborted)
        return await parkAtWait({ redis: deps.redis, signals, deliveries, log, now }, job, token, deliveryId, caught.waitingFor);
      const err = controller.signal.aborted ? abortReason(controller.signal) : caught;
      const failure = describeFailure(err);
      // A run whose thread was ended mid-step (stopped, over its memory cap, crashed): that step records the run's
      // error instead of staying `running`.
      if (controller.signal.aborted || endedItsThread(failure.code))
        await checkpoints.abandonRunning(deliveryId, { code: failure.code, message: failure.message }, now());
      const attemptsAllowed = job.opts.attempts ?? 1;
      if (failure.retryable && attempt < attemptsAllowed) {
        await deliveries.markRetrying(deliveryId, { code: failure.code, message: failure.message }, fence);
        log.warn({ deliveryId, attempt, code: failure.code }, 'delivery attempt failed; will retry');
        throw err;
      }
      const settled = await deliveries.markFailed(deliveryId, { code: failure.code, message: failure.message }, now(), fence);
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

/**
 * The workflow a delivery runs. A definition's version is pinned on the delivery at its first run and kept for the
 * automatic retries of that job; a new job for the same delivery (a manual retry) runs the current version.
 */
async function resolveWorkflow(deps: RunDeliveryDeps, delivery: Delivery, workflowPin: WorkflowPin | null, job: Job): Promise<Resolved> {
  const webhook = await deps.webhooks.find(delivery.webhookId);
  const webhookTimeout = webhook?.options.timeoutMs;
  const builtin = deps.builtins[delivery.workflow];
  if (builtin) return { workflow: { kind: 'builtin', name: delivery.workflow }, ...(webhookTimeout ? { timeoutMs: webhookTimeout } : {}) };

  const jobTag = `${job.id}:${job.timestamp}`;
  const pinned = workflowPin?.job === jobTag ? workflowPin.version : undefined;
  const stored = await deps.catalog.store.get(delivery.workflow, pinned);
  if (!stored)
    throw new WorkflowError('workflow_not_found', `no workflow named ${delivery.workflow}${pinned ? ` (version ${pinned})` : ''}`, false);
  if (pinned === undefined) await deps.deliveries.pinWorkflow(delivery.id, { version: stored.version, job: jobTag });
  const timeoutMs = webhookTimeout ?? stored.definition.timeoutMs;
  return { workflow: { kind: 'definition', definition: stored.definition }, ...(timeoutMs ? { timeoutMs } : {}) };
}
