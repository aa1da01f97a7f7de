import { z } from 'zod';
import { builtinFlowControl, builtinWorkflows } from '@hookflow/shared';
import { defineWorkflow, type TypeScriptWorkflow } from './define-workflow.js';

export const echoWorkflow = defineWorkflow({
  name: 'echo',
  description: 'Returns the payload as its result: a first end-to-end check of a webhook.',
  input: z.unknown(),
  run: async (ctx) => ctx.payload,
});

/** Implementations of the built-in workflows listed in the shared catalogue. */
export const builtinImplementations: Record<string, TypeScriptWorkflow> = {
  echo: echoWorkflow,
};

/** Fails start-up if the catalogue names a built-in this worker cannot run. */
export function assertBuiltinsImplemented(implementations: Record<string, TypeScriptWorkflow> = builtinImplementations): void {
  const missing = builtinWorkflows.filter((workflow) => !implementations[workflow.name]).map((w) => w.name);
  if (missing.length > 0) throw new Error(`built-in workflows without an implementation: ${missing.join(', ')}`);
  // The ingress evaluates keys from the shared list: an implementation declaring other flow control would be ignored.
  const differing = builtinWorkflows
    .filter(({ name }) => JSON.stringify(flowOf(implementations[name]!)) !== JSON.stringify(builtinFlowControl[name] ?? {}))
    .map((w) => w.name);
  if (differing.length > 0)
    throw new Error(`built-in workflows whose concurrency or debounce differs from builtinFlowControl: ${differing.join(', ')}`);
}

function flowOf(workflow: TypeScriptWorkflow): object {
  return {
    ...(workflow.concurrency ? { concurrency: workflow.concurrency } : {}),
    ...(workflow.debounce ? { debounce: workflow.debounce } : {}),
  };
}
