import { builtinWorkflows } from '@hookflow/shared';
import type { Delivery } from '@hookflow/shared';

export interface WorkflowRunContext {
  delivery: Delivery;
  payload: unknown;
  signal: AbortSignal;
}

export type WorkflowImplementation = (ctx: WorkflowRunContext) => Promise<unknown>;

/** Implementations of the built-in workflows listed in the shared catalogue. */
export const builtinImplementations: Record<string, WorkflowImplementation> = {
  echo: async ({ payload }) => payload,
};

/** Fails start-up if the catalogue names a built-in this worker cannot run. */
export function assertBuiltinsImplemented(): void {
  const missing = builtinWorkflows.filter((workflow) => !builtinImplementations[workflow.name]).map((w) => w.name);
  if (missing.length > 0) throw new Error(`built-in workflows without an implementation: ${missing.join(', ')}`);
}
