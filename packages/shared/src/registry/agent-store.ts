import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { ProblemError } from '../errors/problem-error.js';
import type { Agent } from './types.js';
import { pageOf, type Page } from './page.js';

export class AgentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: { name: string; description?: string }): Promise<Agent> {
    const createdAt = this.now();
    const agent: Agent = { id: newId('agt'), name: input.name, description: input.description ?? '', createdAt: createdAt.toISOString() };
    await this.redis
      .multi()
      .set(this.keys.agent(agent.id), JSON.stringify(agent))
      .zadd(this.keys.agents, createdAt.getTime(), agent.id)
      .exec();
    return agent;
  }

  async find(agentId: string): Promise<Agent | null> {
    const raw = await this.redis.get(this.keys.agent(agentId));
    return raw === null ? null : (JSON.parse(raw) as Agent);
  }

  async get(agentId: string): Promise<Agent> {
    const agent = await this.find(agentId);
    if (!agent) throw new ProblemError('agent_not_found', `agent ${agentId} does not exist`);
    return agent;
  }

  /** Oldest first, so a list is stable while agents are added. */
  async list(limit: number, cursor: string | null): Promise<Page<Agent>> {
    return pageOf(this.redis, this.keys.agents, limit, cursor, 'asc', (id) => this.find(id));
  }

  async delete(agentId: string): Promise<void> {
    await this.get(agentId);
    const webhooks = await this.redis.scard(this.keys.agentWebhooks(agentId));
    if (webhooks > 0) throw new ProblemError('agent_has_webhooks', `agent ${agentId} still has ${webhooks} webhook(s); delete them first`);
    // The agent's notify signing secrets go with it.
    await this.redis
      .multi()
      .del(this.keys.agent(agentId), this.keys.agentOutboundSecret(agentId), this.keys.agentPreviousOutboundSecret(agentId))
      .zrem(this.keys.agents, agentId)
      .exec();
  }
}
