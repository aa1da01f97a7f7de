/** What the ingress and the admin API need to know of a workflow, whatever its source. */
export interface WorkflowSummary {
  name: string;
  description: string;
  source: 'builtin' | 'definition';
  version: number;
}

/**
 * Built-in workflows (TypeScript, run by the worker). Their metadata lives here, in the shared package, so the
 * ingress can list and bind them without importing the worker; the worker checks at start that it implements
 * every name listed.
 */
export const builtinWorkflows: readonly WorkflowSummary[] = [
  { name: 'echo', description: 'Returns the payload as its result: a first end-to-end check of a webhook.', source: 'builtin', version: 1 },
];

export function findBuiltin(name: string): WorkflowSummary | undefined {
  return builtinWorkflows.find((workflow) => workflow.name === name);
}
