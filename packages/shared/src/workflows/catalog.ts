import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { ShortLivedCache } from '../cache/short-lived-cache.js';
import type { FlowControl, RetryPolicy, WorkflowDefinition } from './definition-schema.js';
import { WorkflowDefinitionStore, type StoredWorkflow } from './definition-store.js';

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

/**
 * The flow control each built-in declares in its `defineWorkflow` (the ingress evaluates the keys, so it is listed
 * here; the worker checks at start that the implementations agree).
 */
export const builtinFlowControl: Record<string, FlowControl> = {};

/** What a test event of a built-in workflow sends (a definition keeps its own in `examples`). */
const builtinExamples: Record<string, unknown[]> = {
  echo: [{ type: 'hookflow.test_event', message: 'Hello from Hookflow: this payload comes back as the delivery result' }],
};

/** A workflow's payload examples and input schema, whatever its source: what test events are made from. */
export interface WorkflowSamples {
  examples: unknown[];
  input: Record<string, unknown> | undefined;
}

export function findBuiltin(name: string): WorkflowSummary | undefined {
  return builtinWorkflows.find((workflow) => workflow.name === name);
}

export interface CatalogOptions {
  /**
   * How long the ingress hot path may use a definition it already read (default 2000 ms). Changes made through this
   * process are seen at once; other replicas see them within this time.
   */
  cacheMs?: number;
  now?: () => number;
}

/**
 * One view of every workflow: built-ins first (a definition cannot shadow one), then stored definitions. The
 * ingress lists, binds and validates through it; the worker resolves the version a delivery runs.
 */
export class WorkflowCatalog {
  readonly store: WorkflowDefinitionStore;
  readonly #cache: ShortLivedCache<StoredWorkflow | null>;

  constructor(redis: RedisClient, keys: Keys, options: CatalogOptions = {}) {
    this.store = new WorkflowDefinitionStore(redis, keys);
    this.#cache = new ShortLivedCache(options.cacheMs ?? 2_000, options.now);
  }

  async list(): Promise<WorkflowSummary[]> {
    const definitions = await this.store.list();
    return [
      ...builtinWorkflows,
      ...definitions
        .filter((meta) => !findBuiltin(meta.name))
        .map((meta) => ({ name: meta.name, description: meta.description, source: 'definition' as const, version: meta.version })),
    ];
  }

  async find(name: string): Promise<WorkflowSummary | null> {
    const builtin = findBuiltin(name);
    if (builtin) return builtin;
    const meta = await this.store.meta(name);
    return meta ? { name: meta.name, description: meta.description, source: 'definition', version: meta.version } : null;
  }

  /** The current definition, from a short-lived cache: for the ingest path, which must not read Redis twice per request. */
  async current(name: string): Promise<StoredWorkflow | null> {
    if (findBuiltin(name)) return null;
    return this.#cache.get(name, () => this.store.get(name));
  }

  /** The examples and input schema of the workflow's current version; null when there is no such workflow. */
  async samples(name: string): Promise<WorkflowSamples | null> {
    if (findBuiltin(name)) return { examples: builtinExamples[name] ?? [], input: undefined };
    const stored = await this.store.get(name);
    return stored ? { examples: stored.definition.examples ?? [], input: stored.definition.input } : null;
  }

  /** The workflow's own retry policy, if it is a definition that has one. */
  async retryPolicy(name: string): Promise<RetryPolicy | undefined> {
    return (await this.current(name))?.definition.retry;
  }

  /** The workflow's own concurrency and debounce, whatever its source (the webhook's options win over them). */
  async flowControl(name: string): Promise<FlowControl | undefined> {
    if (findBuiltin(name)) return builtinFlowControl[name];
    const definition = (await this.current(name))?.definition;
    if (!definition || (!definition.concurrency && !definition.debounce)) return undefined;
    return {
      ...(definition.concurrency ? { concurrency: definition.concurrency } : {}),
      ...(definition.debounce ? { debounce: definition.debounce } : {}),
    };
  }

  /** Forget cached copies after a change made through this process. */
  invalidate(name: string): void {
    this.#cache.delete(name);
  }

  async put(definition: WorkflowDefinition, options?: { onlyIfChanged?: boolean }) {
    const result = await this.store.put(definition, options);
    this.invalidate(definition.name);
    return result;
  }

  async delete(name: string) {
    const result = await this.store.delete(name);
    this.invalidate(name);
    return result;
  }
}
