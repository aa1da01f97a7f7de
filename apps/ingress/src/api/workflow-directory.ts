import { ProblemError, findBuiltin, type WorkflowCatalog, type WorkflowDefinition, type WorkflowSummary } from '@hookflow/shared';

/** A workflow as `GET /workflows/{name}` shows it: the summary, and for definitions the definition itself. */
export interface WorkflowDetail extends WorkflowSummary {
  definition?: WorkflowDefinition;
  updatedAt?: string;
}

/** The workflows a webhook can bind: the built-ins, and the JSON definitions stored in the catalogue. */
export class WorkflowDirectory {
  constructor(readonly catalog: WorkflowCatalog) {}

  async list(): Promise<WorkflowSummary[]> {
    return this.catalog.list();
  }

  async find(name: string): Promise<WorkflowSummary | null> {
    return this.catalog.find(name);
  }

  async get(name: string): Promise<WorkflowDetail> {
    const builtin = findBuiltin(name);
    if (builtin) return builtin;
    const stored = await this.catalog.store.get(name);
    if (!stored) throw new ProblemError('not_found', `no workflow named ${name.slice(0, 100)}`);
    return { name, description: stored.meta.description, source: 'definition', version: stored.version, updatedAt: stored.meta.updatedAt, definition: stored.definition };
  }

  /** Stores a new version; `created` when the name was new. */
  async put(definition: WorkflowDefinition): Promise<{ created: boolean; detail: WorkflowDetail }> {
    const { version, created } = await this.catalog.put(definition);
    return { created, detail: { name: definition.name, description: definition.description, source: 'definition', version, definition } };
  }

  async delete(name: string): Promise<void> {
    if (findBuiltin(name)) throw new ProblemError('invalid_request', `${name} is a built-in workflow and cannot be deleted`, { errors: [{ path: 'name', message: 'is a built-in workflow' }] });
    const outcome = await this.catalog.delete(name);
    if (outcome === 'not_found') throw new ProblemError('not_found', `no workflow named ${name.slice(0, 100)}`);
    if (outcome === 'in_use') throw new ProblemError('workflow_in_use', `workflow ${name} is bound to a webhook; rebind or delete the webhook first`);
  }
}
