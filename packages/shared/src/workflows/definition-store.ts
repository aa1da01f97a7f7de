import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import type { WorkflowDefinition } from './definition-schema.js';

/** What the index keeps of a workflow's current version. */
export interface WorkflowMeta {
  name: string;
  description: string;
  version: number;
  contentHash: string;
  updatedAt: string;
}

export interface StoredWorkflow {
  meta: WorkflowMeta;
  version: number;
  definition: WorkflowDefinition;
}

export type PutResult = { version: number; created: boolean; changed: boolean };

/** Versions of a workflow always kept: the newest this many (older ones only while a delivery is pinned to them). */
export const keptWorkflowVersions = 20;

// Atomic, so an ingress and a worker loading workflows/*.json at the same moment agree on one version number.
// KEYS: index hash, versions hash, pin counts hash. ARGV: name, definition JSON, content hash, only-if-changed flag,
// description, now, versions kept. After storing a new version, drops every version older than the newest kept ones
// that no unfinished delivery is pinned to (pin counts at zero are dropped with them).
const putScript = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
local version = 1
local created = 1
if current then
  local meta = cjson.decode(current)
  created = 0
  if ARGV[4] == '1' and meta.contentHash == ARGV[3] then return {meta.version, 0, 0} end
  version = meta.version + 1
end
redis.call('HSET', KEYS[2], tostring(version), ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({name = ARGV[1], description = ARGV[5], version = version, contentHash = ARGV[3], updatedAt = ARGV[6]}))
local oldestKept = version - tonumber(ARGV[7]) + 1
for _, stored in ipairs(redis.call('HKEYS', KEYS[2])) do
  local n = tonumber(stored)
  if n and n < oldestKept then
    local pinned = tonumber(redis.call('HGET', KEYS[3], stored) or '0')
    if pinned <= 0 then
      redis.call('HDEL', KEYS[2], stored)
      redis.call('HDEL', KEYS[3], stored)
    end
  end
end
return {version, created, 1}
`;

// KEYS: index hash, versions hash, bindings set, pin counts hash. Refuses while a webhook binds the workflow.
const deleteScript = `
if redis.call('SCARD', KEYS[3]) > 0 then return 'in_use' end
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 'not_found' end
redis.call('DEL', KEYS[2], KEYS[4])
return 'deleted'
`;

/**
 * Workflow definitions in Redis, versioned: every change is a new version number and old versions stay readable,
 * so a delivery that started on version 3 can finish on version 3 after version 4 was stored. Readable means the
 * newest `keptWorkflowVersions` and any older one a delivery is still pinned to; the rest are dropped by the next put.
 */
export class WorkflowDefinitionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Stores `definition` as a new version. With `onlyIfChanged`, content equal to the current version's keeps that
   * version (loading `workflows/*.json` at every start is then idempotent).
   */
  async put(definition: WorkflowDefinition, { onlyIfChanged = false } = {}): Promise<PutResult> {
    const json = JSON.stringify(definition);
    const contentHash = createHash('sha256').update(json).digest('hex');
    const [version, created, changed] = (await this.redis.eval(
      putScript,
      3,
      this.keys.workflows,
      this.keys.workflowVersions(definition.name),
      this.keys.workflowPinCounts(definition.name),
      definition.name,
      json,
      contentHash,
      onlyIfChanged ? '1' : '0',
      definition.description,
      this.now().toISOString(),
      keptWorkflowVersions,
    )) as [number, number, number];
    return { version, created: created === 1, changed: changed === 1 };
  }

  async meta(name: string): Promise<WorkflowMeta | null> {
    const raw = await this.redis.hget(this.keys.workflows, name);
    return raw === null ? null : (JSON.parse(raw) as WorkflowMeta);
  }

  async list(): Promise<WorkflowMeta[]> {
    const all = await this.redis.hvals(this.keys.workflows);
    return all.map((raw) => JSON.parse(raw) as WorkflowMeta).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The current version, or the given one (which may be older than the current). */
  async get(name: string, version?: number): Promise<StoredWorkflow | null> {
    const meta = await this.meta(name);
    if (!meta) return null;
    const wanted = version ?? meta.version;
    const raw = await this.redis.hget(this.keys.workflowVersions(name), String(wanted));
    return raw === null ? null : { meta, version: wanted, definition: JSON.parse(raw) as WorkflowDefinition };
  }

  async delete(name: string): Promise<'deleted' | 'not_found' | 'in_use'> {
    return (await this.redis.eval(
      deleteScript,
      4,
      this.keys.workflows,
      this.keys.workflowVersions(name),
      this.keys.workflowBindings(name),
      this.keys.workflowPinCounts(name),
      name,
    )) as 'deleted' | 'not_found' | 'in_use';
  }
}
