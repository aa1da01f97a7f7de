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

// KEYS: delivery hash. ARGV: finish time, error code, error message. Marks every step record still `running` failed
// with that error; replies how many. For a run whose thread was ended (timeout, cancel, memory): the step in hand
// never got to record how it ended.
const abandonScript = new LuaScript(`
local fields = redis.call('HGETALL', KEYS[1])
local abandoned = 0
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 5) == 'step:' then
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

export const stepField = (stepId: string) => `step:${stepId}`;

/**
 * Fails with `output_too_large` (not retryable: the same step makes the same output) when `json` is longer than
 * `maxBytes`, so one step or run cannot grow a delivery record without bound.
 */
export function assertOutputFits(json: string, maxBytes: number, what: string): void {
  // A UTF-8 byte is at most 3 per UTF-16 unit: only long strings need counting.
  if (json.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new WorkflowError('output_too_large', `${what} is ${bytes} bytes of JSON, over HOOKFLOW_MAX_STEP_OUTPUT_BYTES (${maxBytes})`, false);
}

/** The failure of a run whose delivery was cancelled: final, never retried. */
export const cancelledError = () => new WorkflowError('cancelled', 'the delivery was cancelled', false);

/** Step records in the delivery hash (`step:<id>`, the DeliveryStore layout), written so finished steps stay finished. */
export class Checkpoints {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    /** `HOOKFLOW_MAX_STEP_OUTPUT_BYTES`: the largest record a step may save. */
    private readonly maxRecordBytes: number,
  ) {}

  /**
   * Saves a step record (JSON, serialised by the run that made it) unless the step already finished; then returns the
   * finished record's JSON instead. Refuses a record over the output cap with `output_too_large`, and throws the
   * `cancelled` error when a step would start on a cancelled delivery.
   */
  async save(deliveryId: string, stepId: string, recordJson: string): Promise<string | null> {
    assertOutputFits(recordJson, this.maxRecordBytes, `the output of step ${stepId}`);
    const existing = (await guardedSave.run(this.redis, [this.keys.delivery(deliveryId)], [stepField(stepId), recordJson])) as string | null;
    if (existing === 'cancelled') throw cancelledError();
    return existing;
  }

  /** Records the step a stopped run was in (still `running`) as failed with the run's error. */
  async abandonRunning(deliveryId: string, error: { code: string; message: string }, finishedAt: Date): Promise<number> {
    return Number(await abandonScript.run(this.redis, [this.keys.delivery(deliveryId)], [finishedAt.toISOString(), error.code, error.message]));
  }
}

/** Where a run's step records go (through the worker's RunHost, see run-host.ts). */
export interface CheckpointWriter {
  save(deliveryId: string, record: StepRecord): Promise<StepRecord | null>;
}
