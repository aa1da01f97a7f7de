import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { ProblemError } from '../errors/problem-error.js';
import { LuaScript } from '../redis/lua-script.js';
import { pageOf, type Page } from './page.js';
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

// KEYS: webhook record, the agent's id set, the agent's id order, the workflow's bindings.
// ARGV: record JSON, id, creation time (ms), the agent's limit. Atomic, so concurrent creates cannot pass the limit.
const createScript = new LuaScript(`
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
return 1
`);

/**
 * Webhook records. Every change is announced on the `webhookChanges` channel so ingress replicas drop their cached
 * copy at once instead of serving a disabled or deleted webhook until a TTL runs out.
 */
export class WebhookStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => Date = () => new Date(),
    /** Webhooks one agent may have; past it `create` fails with 409 `limit_reached`. */
    private readonly maxPerAgent = 1_000,
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
    const created = await createScript.run(
      this.redis,
      [
        this.keys.webhook(id),
        this.keys.agentWebhooks(input.agentId),
        this.keys.agentWebhookOrder(input.agentId),
        this.keys.workflowBindings(webhook.workflow),
      ],
      [JSON.stringify(webhook), id, Date.parse(webhook.createdAt), this.maxPerAgent],
    );
    if (created !== 1)
      throw new ProblemError('limit_reached', `agent ${input.agentId} already has ${this.maxPerAgent} webhooks, the most it may have`);
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

  /** One page of the agent's webhooks, oldest first (stable while webhooks are added). */
  async pageByAgent(agentId: string, limit: number, cursor: string | null): Promise<Page<WebhookRecord>> {
    await this.#indexOlderWebhooks(agentId);
    return pageOf(this.redis, this.keys.agentWebhookOrder(agentId), limit, cursor, 'asc', (id) => this.find(id));
  }

  /**
   * Webhooks created before the ordered index existed are in the id set only: add them (by their creation time)
   * the first time the list is read. One ZCARD and SCARD round trip when there is nothing to do.
   */
  async #indexOlderWebhooks(agentId: string): Promise<void> {
    const [[, ordered], [, all]] = (await this.redis
      .pipeline()
      .zcard(this.keys.agentWebhookOrder(agentId))
      .scard(this.keys.agentWebhooks(agentId))
      .exec()) as [[Error | null, number], [Error | null, number]];
    if (ordered >= all) return;
    const ids = await this.redis.smembers(this.keys.agentWebhooks(agentId));
    const found = (await Promise.all(ids.map((id) => this.find(id)))).filter((w): w is WebhookRecord => w !== null);
    if (found.length === 0) return;
    await this.redis.zadd(this.keys.agentWebhookOrder(agentId), ...found.flatMap((w) => [Date.parse(w.createdAt), w.id]));
  }

  /** Every webhook of the agent (at most the per-agent limit), oldest first. */
  async listByAgent(agentId: string): Promise<WebhookRecord[]> {
    const ids = await this.redis.smembers(this.keys.agentWebhooks(agentId));
    const found = await Promise.all(ids.map((id) => this.find(id)));
    return found
      .filter((w): w is WebhookRecord => w !== null)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
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
      .zrem(this.keys.agentWebhookOrder(webhook.agentId), webhookId)
      .srem(this.keys.workflowBindings(webhook.workflow), webhookId)
      .publish(this.keys.webhookChanges, webhookId)
      .exec();
  }
}
