import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { pageOf, type Page } from '../registry/page.js';
import { isPresentableJson, presentableJsonDepth } from '../json/json-depth.js';
import { stepField } from '../deliveries/delivery-fields.js';
import type { AgentRecord } from './agent-record.js';

export type { AgentRecord } from './agent-record.js';

/**
 * Compare-and-set of a record together with the step checkpoint that records the write, in one script (one atomic
 * unit on hash-tagged keys). If the step is already checkpointed as succeeded, nothing is written and the stored
 * checkpoint is returned: that is what makes a retried `store` step never apply its increment twice.
 * KEYS: record, collection index, delivery hash. ARGV: expected current record JSON ('' = absent), new record JSON,
 * record key, step field, step record JSON, index score.
 */
const writeScript = new LuaScript(`
local done = redis.call('HGET', KEYS[3], ARGV[4])
if done and cjson.decode(done).status == 'succeeded' then return {'done', done} end
local current = redis.call('GET', KEYS[1])
if not current then current = '' end
if current ~= ARGV[1] then return {'conflict', ''} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
return {'ok', ''}
`);

export interface CheckpointedWrite {
  agentId: string;
  collection: string;
  key: string;
  /** Computes the new value from the current one (null when there is none); may be called again after a conflict. */
  apply: (current: Record<string, unknown> | null) => Record<string, unknown>;
  deliveryId: string;
  /** The step whose checkpoint commits with the write, in the delivery's record. */
  stepId: string;
  /** The step's checkpoint for the record written. */
  checkpoint: (record: AgentRecord) => string;
}

export type CheckpointedResult = { outcome: 'written'; record: AgentRecord } | { outcome: 'already-done'; checkpoint: string };

/** Agent records written by `store` steps: a JSON value per key, a key index per collection (ordered by key). */
export class RecordStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The record as the admin API shows it: whatever a workflow stored, it can be serialised. */
  async get(agentId: string, collection: string, key: string): Promise<AgentRecord | null> {
    const raw = await this.redis.get(this.keys.record(agentId, collection, key));
    if (raw === null) return null;
    if (isPresentableJson(raw)) return JSON.parse(raw) as AgentRecord;
    let updatedAt = '';
    try {
      const parsed = JSON.parse(raw) as { updatedAt?: unknown };
      if (typeof parsed.updatedAt === 'string') updatedAt = parsed.updatedAt;
    } catch {
      // not JSON: only its collection and key are known
    }
    return {
      collection,
      key,
      value: null,
      updatedAt,
      presentationError: {
        code: 'record_unpresentable',
        message: `the stored value is not JSON or nested deeper than ${presentableJsonDepth} levels`,
      },
    };
  }

  /** Keys in lexicographic order (every member has score 0, so the shared pager orders by member). */
  async list(agentId: string, collection: string, limit: number, cursor: string | null): Promise<Page<AgentRecord>> {
    return pageOf(this.redis, this.keys.records(agentId, collection), limit, cursor, 'asc', (key) => this.get(agentId, collection, key));
  }

  /** Applies `write.apply` and checkpoints the step atomically, retrying on concurrent writers of the same record. */
  async writeCheckpointed(write: CheckpointedWrite, maxConflicts = 100): Promise<CheckpointedResult> {
    const recordKey = this.keys.record(write.agentId, write.collection, write.key);
    for (let conflicts = 0; ; conflicts++) {
      const raw = await this.redis.get(recordKey);
      const current = raw === null ? null : (JSON.parse(raw) as AgentRecord);
      const record: AgentRecord = {
        collection: write.collection,
        key: write.key,
        value: write.apply(current?.value ?? null),
        updatedAt: this.now().toISOString(),
      };
      const [outcome, checkpoint] = (await writeScript.run(
        this.redis,
        [recordKey, this.keys.records(write.agentId, write.collection), this.keys.delivery(write.deliveryId)],
        [raw ?? '', JSON.stringify(record), write.key, stepField(write.stepId), write.checkpoint(record), '0'],
      )) as [string, string];
      if (outcome === 'ok') return { outcome: 'written', record };
      if (outcome === 'done') return { outcome: 'already-done', checkpoint };
      if (conflicts >= maxConflicts) throw new Error(`record ${write.collection}/${write.key} kept changing under ${maxConflicts} writes`);
      // Someone else wrote the record between our read and our write: back off a little and recompute.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (conflicts + 1))));
    }
  }
}
