import { createLogger, type Delivery, type Logger, type StepRecord, type WaitingFor, type WorkflowDefinition } from '@hookflow/shared';
import type { RunSettings } from '../config.js';
import { toWire, WorkflowError, type WireFailure } from '../errors/workflow-error.js';
import { RunSuspended } from '../errors/run-suspended.js';
import { Evaluator } from '../expressions/evaluator.js';
import { createOutboundHttp, type OutboundHttp } from '../egress/outbound-http.js';
import { createLlmProvider } from '../llm/create-provider.js';
import type { LlmProvider } from '../llm/provider.js';
import type { TypeScriptWorkflow } from '../workflows/define-workflow.js';
import type { CheckpointWriter } from './checkpoints.js';
import type { RunHost } from './run-host.js';
import { runDefinition } from './run-definition.js';
import { StepRunner } from './step-runner.js';
import { createWorkflowContext } from './workflow-context.js';

/** A built-in is named (the thread has its code); a definition travels whole (the worker read it from Redis). */
export type RunWorkflow = { kind: 'builtin'; name: string } | { kind: 'definition'; definition: WorkflowDefinition };

/** Everything one run needs from the worker: the delivery as started (payload, headers, finished steps) and its workflow. */
export interface RunTask {
  delivery: Delivery;
  workflow: RunWorkflow;
}

/**
 * A run's end as plain data (it crosses a thread boundary, where an Error would lose its code): a result, a failure,
 * or `suspended` at a wait step whose signal has not come (not a failure: the delivery waits without a worker).
 */
export type RunOutcome = { ok: true; result: unknown } | { ok: false; failure: WireFailure } | { ok: false; suspended: WaitingFor };

/** What runs share where they execute (one per thread): providers and caches built once from the settings. */
export interface RunEnvironment {
  env: Record<string, string>;
  /** The egress-checked HTTP client of this thread's `http`, `notify` and `llm` calls. */
  outbound: OutboundHttp;
  llm: LlmProvider;
  evaluator: Evaluator;
  builtins: Record<string, TypeScriptWorkflow>;
  log: Logger;
  now: () => Date;
}

export function createRunEnvironment(settings: RunSettings, builtins: Record<string, TypeScriptWorkflow>, log?: Logger): RunEnvironment {
  const outbound = createOutboundHttp(settings.egress);
  return {
    env: settings.vars,
    outbound,
    llm: createLlmProvider(settings.llm, outbound),
    evaluator: new Evaluator(),
    builtins,
    log: log ?? createLogger({ name: 'worker', level: settings.logLevel }),
    now: () => new Date(),
  };
}

/**
 * Runs a delivery's workflow: its steps are checkpointed through `host`, its failures come back as values. The
 * same code runs in a run thread (run-thread.ts) and, for the bench's comparison only, in the worker's own thread.
 */
export async function executeRun(task: RunTask, host: RunHost, environment: RunEnvironment, signal: AbortSignal): Promise<RunOutcome> {
  const { delivery, workflow } = task;
  const { log, now } = environment;
  try {
    const runner = new StepRunner(delivery.id, delivery.steps, hostCheckpoints(host), signal, log, now, () => abortReason(signal));
    let runLog: Logger | undefined;
    const contextOf = (payload: unknown) =>
      createWorkflowContext({
        runner,
        delivery,
        payload,
        env: environment.env,
        signal,
        log: () => (runLog ??= log.child({ deliveryId: delivery.id })),
        llm: environment.llm,
        host,
        outbound: environment.outbound,
        now,
      });
    if (workflow.kind === 'definition')
      return { ok: true, result: await runDefinition(workflow.definition, contextOf(delivery.payload), environment.evaluator) };
    const builtin = environment.builtins[workflow.name];
    if (!builtin) throw new WorkflowError('workflow_not_found', `no built-in workflow named ${workflow.name}`, false);
    // A TypeScript workflow gets its payload parsed by its own input schema.
    return { ok: true, result: await builtin.run(contextOf(parseInput(builtin, delivery))) };
  } catch (err) {
    if (err instanceof RunSuspended && !signal.aborted) return { ok: false, suspended: err.waitingFor };
    return { ok: false, failure: toWire(signal.aborted ? abortReason(signal) : err) };
  }
}

function hostCheckpoints(host: RunHost): CheckpointWriter {
  return {
    save: async (deliveryId, record) => {
      const finished = await host.checkpoint(deliveryId, record.id, JSON.stringify(record));
      return finished === null ? null : (JSON.parse(finished) as StepRecord);
    },
  };
}

function parseInput(workflow: TypeScriptWorkflow, delivery: Delivery): unknown {
  const input = workflow.input.safeParse(delivery.payload);
  if (!input.success)
    throw new WorkflowError(
      'payload_invalid',
      `payload does not fit ${delivery.workflow}: ${input.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      false,
    );
  return input.data;
}

/** Why a run was stopped: the `WorkflowError` it was aborted with (timeout, cancel), else the worker is closing. */
export function abortReason(signal: AbortSignal): WorkflowError {
  const reason: unknown = signal.reason;
  if (reason instanceof WorkflowError) return reason;
  // The worker is closing: the job goes back to the queue; not the workflow's fault, so retryable.
  return new WorkflowError('worker_stopping', 'the worker stopped while running this delivery', true);
}
