import { LuaScript, type Keys, type RedisClient, type StepRecord } from '@hookflow/shared';

// A step record is written only if the step has not finished: a worker that lost its job's lock (and is still
// running) must not overwrite the `succeeded` checkpoint of the worker that took over, or a later `store` step
// would see "not done" and apply its write again. KEYS: delivery hash. ARGV: field, record JSON.
const guardedSave = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local status = cjson.decode(current).status
  if status == 'succeeded' or status == 'skipped' then return current end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return false
`);

export const stepField = (stepId: string) => `step:${stepId}`;

/** Step records in the delivery hash (`step:<id>`, the DeliveryStore layout), written so finished steps stay finished. */
export class Checkpoints {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * Saves a step record (JSON, serialised by the run that made it) unless the step already finished; then returns the
   * finished record's JSON instead.
   */
  async save(deliveryId: string, stepId: string, recordJson: string): Promise<string | null> {
    return (await guardedSave.run(this.redis, [this.keys.delivery(deliveryId)], [stepField(stepId), recordJson])) as string | null;
  }
}

/** Where a run's step records go (through the worker's RunHost, see run-host.ts). */
export interface CheckpointWriter {
  save(deliveryId: string, record: StepRecord): Promise<StepRecord | null>;
}
