import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { ProblemError } from '../errors/problem-error.js';
import type { WebhookOptions, WebhookRecord, WebhookStatus } from './types.js';

export interface CreateWebhookInput {
  agentId: string;
  workflow: string;
  name?: string;
  scheme?: string;
  options?: WebhookOptions;
}

export interface UpdateWebhookInput {
  name?: string;
  workflow?: string;
  status?: WebhookStatus;
  options?: WebhookOptions;
}

/**
 * Webhook records. Every change is announced on the `webhookChanges` channel so ingress replicas drop their cached
 * copy at once instead of serving a disabled or deleted webhook until a TTL runs out.
 */
export class WebhookStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: CreateWebhookInput): Promise<WebhookRecord> {
    const id = newId('wh');
    const webhook: WebhookRecord = {
      id,
      agentId: input.agentId,
      name: input.name ?? input.workflow,
      workflow: input.workflow,
      scheme: input.scheme ?? 'uptiq',
      status: 'enabled',
      options: input.options ?? {},
      createdAt: this.now().toISOString(),
    };
    await this.redis
      .multi()
      .set(this.keys.webhook(id), JSON.stringify(webhook))
      .sadd(this.keys.agentWebhooks(input.agentId), id)
      .sadd(this.keys.workflowBindings(webhook.workflow), id)
      .exec();
    return webhook;
  }

  async find(webhookId: string): Promise<WebhookRecord | null> {
    const raw = await this.redis.get(this.keys.webhook(webhookId));
    return raw === null ? null : (JSON.parse(raw) as WebhookRecord);
  }

  async get(webhookId: string): Promise<WebhookRecord> {
    const webhook = await this.find(webhookId);
    if (!webhook) throw new ProblemError('webhook_not_found', `webhook ${webhookId} does not exist`);
    return webhook;
  }

  async listByAgent(agentId: string): Promise<WebhookRecord[]> {
    const ids = await this.redis.smembers(this.keys.agentWebhooks(agentId));
    const found = await Promise.all(ids.map((id) => this.find(id)));
    return found.filter((w): w is WebhookRecord => w !== null).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async update(webhookId: string, patch: UpdateWebhookInput): Promise<{ before: WebhookRecord; after: WebhookRecord }> {
    const before = await this.get(webhookId);
    const after: WebhookRecord = {
      ...before,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.workflow !== undefined ? { workflow: patch.workflow } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.options !== undefined ? { options: patch.options } : {}),
    };
    const tx = this.redis.multi().set(this.keys.webhook(webhookId), JSON.stringify(after));
    if (after.workflow !== before.workflow) {
      tx.srem(this.keys.workflowBindings(before.workflow), webhookId).sadd(this.keys.workflowBindings(after.workflow), webhookId);
    }
    await tx.publish(this.keys.webhookChanges, webhookId).exec();
    return { before, after };
  }

  async delete(webhookId: string): Promise<void> {
    const webhook = await this.get(webhookId);
    await this.redis
      .multi()
      .del(this.keys.webhook(webhookId), this.keys.webhookKeys(webhookId))
      .srem(this.keys.agentWebhooks(webhook.agentId), webhookId)
      .srem(this.keys.workflowBindings(webhook.workflow), webhookId)
      .publish(this.keys.webhookChanges, webhookId)
      .exec();
  }

  /** Tells ingress caches that something of this webhook (for example its keys) changed. */
  async announceChange(webhookId: string): Promise<void> {
    await this.redis.publish(this.keys.webhookChanges, webhookId);
  }

  async countBindings(workflow: string): Promise<number> {
    return this.redis.scard(this.keys.workflowBindings(workflow));
  }
}
