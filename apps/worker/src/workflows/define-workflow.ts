import type { z } from 'zod';
import type { ConcurrencyControl, DebounceControl } from '@hookflow/shared';
import type { WorkflowContext } from '../runner/workflow-context.js';

export interface WorkflowImplementationSpec<S extends z.ZodType, R> {
  name: string;
  description: string;
  /** The payload's schema; a payload that does not fit fails the delivery (not retryable) with `payload_invalid`. */
  input: S;
  run: (ctx: WorkflowContext<z.infer<S>>) => Promise<R>;
  /** Flow control per key (API.md §5.4), as in a JSON definition; list it in the shared `builtinFlowControl` too. */
  concurrency?: ConcurrencyControl;
  debounce?: DebounceControl;
}

export type TypeScriptWorkflow = WorkflowImplementationSpec<z.ZodType, unknown>;

/** A built-in workflow written in TypeScript. Its steps are checkpointed like a JSON definition's. */
export function defineWorkflow<S extends z.ZodType, R>(spec: WorkflowImplementationSpec<S, R>): TypeScriptWorkflow {
  return spec as unknown as TypeScriptWorkflow;
}
