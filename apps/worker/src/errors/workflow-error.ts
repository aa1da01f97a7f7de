/**
 * A failure of a workflow run with a stable `code` (shown as the delivery's `error.code`) and whether trying again
 * could help. Anything else thrown by a workflow is treated as retryable with code `workflow_error`.
 */
export class WorkflowError extends Error {
  override name = 'WorkflowError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeFailure(err: unknown): { code: string; message: string; retryable: boolean } {
  if (err instanceof WorkflowError) return { code: err.code, message: err.message, retryable: err.retryable };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'workflow_error', message: message.slice(0, 1000), retryable: true };
}

/** A failure as it crosses between a run's thread and the worker: plain data, since an Error loses its fields there. */
export type WireFailure = ReturnType<typeof describeFailure>;

export const toWire = (err: unknown): WireFailure => describeFailure(err);

export const fromWire = (failure: WireFailure): WorkflowError => new WorkflowError(failure.code, failure.message, failure.retryable);
