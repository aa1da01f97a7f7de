import { maxWaitTimeoutMs as maxWaitMs, signalNamePattern, type WaitOptions } from '@hookflow/shared';
import { RunSuspended } from '../errors/run-suspended.js';
import { WorkflowError } from '../errors/workflow-error.js';
import type { RunHost } from '../runner/run-host.js';

/** Refuses (not retryable) options no definition could declare: the TypeScript API gets the schema's checks. */
export function checkWaitOptions(options: { signal: string; timeoutMs: number }): void {
  if (!signalNamePattern.test(options.signal)) throw new WorkflowError('wait_invalid', `signal ${JSON.stringify(options.signal).slice(0, 80)} must start with a letter or _ and contain only letters, digits and _`, false);
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > maxWaitMs) throw new WorkflowError('wait_invalid', `timeoutMs must be a whole number of ms from 1 to ${maxWaitMs}`, false);
}

/**
 * The body of a `wait` step, run only while the step has not finished (a signal writes its `succeeded` checkpoint,
 * so a resumed run never gets here for it). A signal that came before the run reached the step finishes it at once;
 * past the deadline it times out as declared; otherwise the run stops here (`RunSuspended`) and the delivery waits.
 */
export async function waitForSignal(host: RunHost, deliveryId: string, stepId: string, options: WaitOptions, now: () => Date): Promise<{ output: unknown }> {
  checkWaitOptions(options);
  const { expiresAt, earlyBodyJson } = await host.waitDeadline(deliveryId, options.signal, options.timeoutMs);
  if (earlyBodyJson !== null) return { output: JSON.parse(earlyBodyJson) as unknown };
  if (now().getTime() < Date.parse(expiresAt)) throw new RunSuspended({ stepId, signal: options.signal, expiresAt });
  if (options.onTimeout === 'continue') return { output: null };
  throw new WorkflowError('wait_timeout', `no signal ${options.signal} came before the wait's deadline (${expiresAt})`, false);
}
