import { z } from 'zod';
import { builtinWorkflows } from '@hookflow/shared';
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
}
