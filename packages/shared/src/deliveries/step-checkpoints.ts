import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { stepField, stepFieldLua } from './delivery-fields.js';
import { endedStatusLua } from './ended-status-lua.js';

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

// KEYS: delivery hash. ARGV: finish time, error code, error message. Marks every step record still `running` failed
// with that error; replies how many. For a run whose thread was ended (timeout, cancel, memory): the step in hand
// never got to record how it ended.
const abandonScript = new LuaScript(`${stepFieldLua}
local fields = redis.call('HGETALL', KEYS[1])
local abandoned = 0
for i = 1, #fields, 2 do
  if isStepField(fields[i]) then
    local ok, record = pcall(cjson.decode, fields[i + 1])
    if ok and type(record) == 'table' and record.status == 'running' then
      record.status = 'failed'
      record.finishedAt = ARGV[1]
      record.error = { code = ARGV[2], message = ARGV[3] }
      redis.call('HSET', KEYS[1], fields[i], cjson.encode(record))
      abandoned = abandoned + 1
    end
  end
end
return abandoned
`);

/**
 * What saving a step record did: wrote it (also when the record is gone: nothing to write to), found the step already
 * finished (its stored record's JSON, which stays), or refused a step starting on a cancelled delivery.
 */
export type StepSave = { outcome: 'saved' } | { outcome: 'finished'; recordJson: string } | { outcome: 'cancelled' };

/** Step records (`StepRecord` JSON) in the delivery hash, written so that finished steps stay finished. */
export class StepCheckpoints {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Saves a step record (JSON, serialised by the run that made it) unless the step already finished (see `StepSave`). */
  async save(deliveryId: string, stepId: string, recordJson: string): Promise<StepSave> {
    const reply = (await guardedSave.run(this.redis, [this.keys.delivery(deliveryId)], [stepField(stepId), recordJson])) as string | null;
    if (reply === null) return { outcome: 'saved' };
    // A stored record is JSON, so it is never the bare word.
    return reply === 'cancelled' ? { outcome: 'cancelled' } : { outcome: 'finished', recordJson: reply };
  }

  /** Records every step still `running` (the one a stopped run was in) as failed with the run's error; how many. */
  async abandonRunning(deliveryId: string, error: { code: string; message: string }, finishedAt: Date): Promise<number> {
    return Number(
      await abandonScript.run(this.redis, [this.keys.delivery(deliveryId)], [finishedAt.toISOString(), error.code, error.message]),
    );
  }
}
