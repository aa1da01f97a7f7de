import { builtinWorkflows, findBuiltin, type WorkflowSummary } from '@hookflow/shared';

/** The workflows a webhook can bind: the built-ins, and (once stored) JSON definitions. */
export class WorkflowDirectory {
  async list(): Promise<WorkflowSummary[]> {
    return [...builtinWorkflows];
  }

  async find(name: string): Promise<WorkflowSummary | null> {
    return findBuiltin(name) ?? null;
  }
}
