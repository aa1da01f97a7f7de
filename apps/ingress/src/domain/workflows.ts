import {
  checkDefinition,
  findBuiltin,
  ProblemError,
  type WorkflowCatalog,
  type WorkflowDefinition,
  type WorkflowSummary,
} from '@hookflow/shared';

/** A workflow as `GET /workflows/{name}` shows it: the summary, and for definitions the definition itself. */
export interface WorkflowDetail extends WorkflowSummary {
  definition?: WorkflowDefinition;
  updatedAt?: string;
}

/**
 * The workflows a webhook can bind: the built-ins (read-only: they cannot be stored over or deleted) and the JSON
 * definitions of the catalogue, stored only once their input schema compiles and their examples fit it.
 */
export class WorkflowService {
  constructor(private readonly catalog: WorkflowCatalog) {}

  async list(): Promise<WorkflowSummary[]> {
    return this.catalog.list();
  }

  async get(name: string): Promise<WorkflowDetail> {
    const builtin = findBuiltin(name);
    if (builtin) return builtin;
    const stored = await this.catalog.store.get(name);
    if (!stored) throw new ProblemError('not_found', `no workflow named ${name.slice(0, 100)}`);
    return {
      name,
      description: stored.meta.description,
      source: 'definition',
      version: stored.version,
      updatedAt: stored.meta.updatedAt,
      definition: stored.definition,
    };
  }

  /** Stores `definition` as the next version of workflow `name`; `created` when the name was new. */
  async put(name: string, definition: WorkflowDefinition): Promise<{ created: boolean; detail: WorkflowDetail }> {
    if (definition.name !== name) invalid('name', `must match the name in the path (${name})`);
    if (findBuiltin(name)) invalid('name', 'is a built-in workflow');
    const problems = checkDefinition(definition);
    if (problems.length > 0) {
      throw new ProblemError(
        'invalid_request',
        `the workflow definition is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        { errors: problems },
      );
    }
    const { version, created } = await this.catalog.put(definition);
    return { created, detail: { name: definition.name, description: definition.description, source: 'definition', version, definition } };
  }

  /** Refuses built-ins and definitions a webhook still binds. */
  async delete(name: string): Promise<void> {
    if (findBuiltin(name))
      throw new ProblemError('invalid_request', `${name} is a built-in workflow and cannot be deleted`, {
        errors: [{ path: 'name', message: 'is a built-in workflow' }],
      });
    const outcome = await this.catalog.delete(name);
    if (outcome === 'not_found') throw new ProblemError('not_found', `no workflow named ${name.slice(0, 100)}`);
    if (outcome === 'in_use')
      throw new ProblemError('workflow_in_use', `workflow ${name} is bound to a webhook; rebind or delete the webhook first`);
  }
}

function invalid(path: string, message: string): never {
  throw new ProblemError('invalid_request', `the workflow definition is invalid: ${path}: ${message}`, { errors: [{ path, message }] });
}
