import { endedStatusLua, LuaScript, type Keys, type RedisClient, type StepRecord } from '@hookflow/shared';
import { WorkflowError } from '../errors/workflow-error.js';

// A step record is written only if the step has not finished: a worker that lost its job's lock (and is still
// running) must not overwrite the `succeeded` checkpoint of the worker that took over, or a later `store` step
// would see "not done" and apply its write again. No step starts on a cancelled delivery: every step starts with a
// `running` checkpoint, which is refused, so a cancel stops the run before its next step even when the worker missed
// the cancel notice (how the step in hand ended is still recorded). KEYS: delivery hash. ARGV: field, record JSON.
// Replies the finished record, 'cancelled', or false when it wrote.
const guardedSave = new LuaScript(`${endedStatusLua}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local status = cjson.decode(current).status
  if status == 'succeeded' or status == 'skipped' then return current end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if endedStatus(KEYS[1]) == 'cancelled' and cjson.decode(ARGV[2]).status == 'running' then return 'cancelled' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return false
`);

export const stepField = (stepId: string) => `step:${stepId}`;

/** The failure of a run whose delivery was cancelled: final, never retried. */
export const cancelledError = () => new WorkflowError('cancelled', 'the delivery was cancelled', false);

/** Step records in the delivery hash (`step:<id>`, the DeliveryStore layout), written so finished steps stay finished. */
export class Checkpoints {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * Saves `record` unless the step already finished; then returns the finished record instead. Throws the
   * `cancelled` error when the delivery was cancelled.
   */
  async save(deliveryId: string, record: StepRecord): Promise<StepRecord | null> {
    const existing = (await guardedSave.run(this.redis, [this.keys.delivery(deliveryId)], [stepField(record.id), JSON.stringify(record)])) as string | null;
    if (existing === 'cancelled') throw cancelledError();
    return existing ? (JSON.parse(existing) as StepRecord) : null;
  }
}
