import { ProblemError, type AgentRecord, type AgentStore, type Page, type RecordStore } from '@hookflow/shared';
import type { PageRequest } from './types.js';

/** The records an agent's `store` steps wrote, read-only: `{ collection, key, value, updatedAt }`. */
export class RecordService {
  constructor(private readonly deps: { agents: AgentStore; records: RecordStore }) {}

  /** One page of a collection, in key order. */
  async list(agentId: string, collection: string, { limit, cursor }: PageRequest): Promise<Page<AgentRecord>> {
    const agent = await this.deps.agents.get(agentId);
    return this.deps.records.list(agent.id, collection, limit, cursor ?? null);
  }

  async get(agentId: string, collection: string, key: string): Promise<AgentRecord> {
    const agent = await this.deps.agents.get(agentId);
    const record = await this.deps.records.get(agent.id, collection, key);
    if (!record) throw new ProblemError('not_found', `no record ${key.slice(0, 100)} in collection ${collection.slice(0, 64)}`);
    return record;
  }
}
