import {
  ProblemError,
  type AgentStore,
  type KeyStore,
  type Page,
  type UpdateWebhookInput,
  type WebhookOptions,
  type WebhookRecord,
  type WebhookStore,
  type WorkflowCatalog,
} from '@hookflow/shared';
import { presentWebhook } from '../api/presenters.js';
import type { DeliveryLog } from '../deliveries/delivery-log.js';
import type { PageRequest, WebhookChangeListener } from './types.js';

export type WebhookView = ReturnType<typeof presentWebhook>;

export interface NewWebhook {
  workflow: string;
  name?: string | undefined;
  scheme?: string | undefined;
  options?: WebhookOptions | undefined;
}

export interface WebhookServiceDeps {
  agents: AgentStore;
  webhooks: WebhookStore;
  keyStore: KeyStore;
  catalog: Pick<WorkflowCatalog, 'find'>;
  /** This process's look-up cache; other replicas hear of a change over pub/sub (the store announces it). */
  cache: WebhookChangeListener;
  deliveryLog: Pick<DeliveryLog, 'releaseAfterResume'>;
  publicUrl: string;
}

/**
 * An agent's webhooks: binding them to a workflow that exists, and what a change sets off. Every change is forgotten
 * by this process's cache at once, so the very next request here sees it; enabling a webhook that was not enabled
 * releases the deliveries it held while paused, in arrival order.
 */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  async create(agentId: string, input: NewWebhook): Promise<WebhookView> {
    const agent = await this.deps.agents.get(agentId);
    await this.#requireWorkflow(input.workflow);
    return this.#present(await this.deps.webhooks.create({ ...input, agentId: agent.id }));
  }

  /** Oldest first. */
  async list(agentId: string, { limit, cursor }: PageRequest): Promise<Page<WebhookView>> {
    const agent = await this.deps.agents.get(agentId);
    const page = await this.deps.webhooks.pageByAgent(agent.id, limit, cursor ?? null);
    return { items: await Promise.all(page.items.map((webhook) => this.#present(webhook))), nextCursor: page.nextCursor };
  }

  async get(webhookId: string): Promise<WebhookView> {
    return this.#present(await this.deps.webhooks.get(webhookId));
  }

  async update(webhookId: string, patch: UpdateWebhookInput): Promise<WebhookView> {
    if (patch.workflow !== undefined) await this.#requireWorkflow(patch.workflow);
    const { before, after } = await this.deps.webhooks.update(webhookId, patch);
    this.deps.cache.invalidate(after.id);
    if (after.status === 'enabled' && before.status !== 'enabled') await this.deps.deliveryLog.releaseAfterResume(after);
    return this.#present(after);
  }

  async delete(webhookId: string): Promise<void> {
    await this.deps.webhooks.delete(webhookId);
    this.deps.cache.invalidate(webhookId);
  }

  async #requireWorkflow(name: string): Promise<void> {
    if (!(await this.deps.catalog.find(name))) throw new ProblemError('workflow_not_found', `no workflow named ${name}`);
  }

  async #present(webhook: WebhookRecord): Promise<WebhookView> {
    return presentWebhook(this.deps.publicUrl, webhook, await this.deps.keyStore.list(webhook.id));
  }
}
