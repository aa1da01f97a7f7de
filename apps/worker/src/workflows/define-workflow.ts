import type { z } from 'zod';
import type { WorkflowContext } from '../runner/workflow-context.js';

export interface WorkflowImplementationSpec<S extends z.ZodType, R> {
  name: string;
  description: string;
  /** The payload's schema; a payload that does not fit fails the delivery (not retryable) with `payload_invalid`. */
  input: S;
  run: (ctx: WorkflowContext<z.infer<S>>) => Promise<R>;
}

export type TypeScriptWorkflow = WorkflowImplementationSpec<z.ZodType, unknown>;

/** A built-in workflow written in TypeScript. Its steps are checkpointed like a JSON definition's. */
export function defineWorkflow<S extends z.ZodType, R>(spec: WorkflowImplementationSpec<S, R>): TypeScriptWorkflow {
  return spec as unknown as TypeScriptWorkflow;
}
