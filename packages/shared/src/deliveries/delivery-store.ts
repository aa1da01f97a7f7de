import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { LuaScript } from '../redis/lua-script.js';
import { affixesOf, DeliveryRetention, type Settled } from './delivery-retention.js';
import { deliveryField, deliveryJsonFields, isStepField, stepIdOf, type DeliveryHash } from './delivery-fields.js';
import { endedStatusLua } from './ended-status-lua.js';
import { appendKeyState, keyFields, releaseKeySlotLua, takeKeySlotLua } from './key-slots.js';
import type { Delivery, DeliveryError, DeliveryStatus, NewDelivery, StepRecord, WaitingFor } from './types.js';
import { isPresentableJson, presentableJsonDepth } from '../json/json-depth.js';

// KEYS[1] the delivery record. ARGV: attempt number, start time. Marks a delivery that may still run `running`
// (keeping the first attempt's start time) and returns the whole record as one JSON object, unless it cannot take
// its concurrency key's slot: then it stays as it is and the reply's `parkedBehind` names the holder; one that ended
// (finished, cancelled) is returned unchanged, a missing one as false. One round trip rather than a read and then a
// write. One JSON string rather than the hash's field/value list: the worker's Redis client decodes a multi-bulk
// reply item by item in JavaScript, which cost more than Redis spends encoding the JSON and V8 parsing it.
const startScript = new LuaScript(`${endedStatusLua}${releaseKeySlotLua}${takeKeySlotLua}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local ended = endedStatus(KEYS[1])
local behind = nil
if not ended then behind = takeKeySlot(KEYS[1]) end
if behind then
elseif not ended then
  redis.call('HSET', KEYS[1], '${deliveryField.status}', 'running', '${deliveryField.attempts}', ARGV[1])
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], '${deliveryField.runToken}', ARGV[3]) end
  redis.call('HSETNX', KEYS[1], '${deliveryField.startedAt}', ARGV[2])
  redis.call('HDEL', KEYS[1], '${deliveryField.error}', '${deliveryField.waitingFor}')
elseif ended == 'cancelled' and redis.call('HGET', KEYS[1], '${deliveryField.status}') ~= 'cancelled' then
  redis.call('HSET', KEYS[1], '${deliveryField.status}', 'cancelled')
end
local flat = redis.call('HGETALL', KEYS[1])
local record = {}
for i = 1, #flat, 2 do record[flat[i]] = flat[i + 1] end
if behind then record.parkedBehind = behind end
return cjson.encode(record)
`);

// KEYS[1] the delivery record. ARGV: the error JSON, the run's token (or ''). A retryable failure is recorded only while
// the delivery may still run (a cancel that landed during the attempt stays) and by the run that holds it.
const retryingScript = new LuaScript(`${endedStatusLua}
if redis.call('EXISTS', KEYS[1]) == 0 or endedStatus(KEYS[1]) then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], '${deliveryField.runToken}') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], '${deliveryField.status}', 'retrying', '${deliveryField.error}', ARGV[1])
return 1
`);

// KEYS[1] the delivery record. ARGV: the time, the cancel channel, the delivery id. Cancels a delivery that may still
// run, and announces it on the channel in the same step, so a worker running it can stop at once. Replies false for a
// missing record, {0, status} for one that already ended, {1, previous status, queue} when it cancelled it.
const cancelScript = new LuaScript(`${endedStatusLua}${releaseKeySlotLua}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local ended = endedStatus(KEYS[1])
if ended then return {0, ended} end
local fields = redis.call('HMGET', KEYS[1], '${deliveryField.status}', '${deliveryField.queue}')
redis.call('HSET', KEYS[1], '${deliveryField.status}', 'cancelled', '${deliveryField.cancelledAt}', ARGV[1], '${deliveryField.finishedAt}', ARGV[1])
releaseKeySlot(KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {1, fields[1], fields[2] or 'default'}
`);

/** What cancelling a delivery found: null when the record is gone. */
export type CancelOutcome = { cancelled: true; previous: DeliveryStatus; queue: string } | { cancelled: false; status: string } | null;

// KEYS[1] the delivery record. ARGV: version, job, the workflow pin-count key's prefix and suffix. Moves the
// delivery's hold from the version it held (if another) to this one; the settle script releases it at the finish.
const pinScript = new LuaScript(`
local workflow = redis.call('HGET', KEYS[1], '${deliveryField.workflow}')
if not workflow then return 0 end
redis.call('HSET', KEYS[1], '${deliveryField.workflowVersion}', ARGV[1], '${deliveryField.workflowJob}', ARGV[2])
local held = redis.call('HGET', KEYS[1], '${deliveryField.workflowPinHeld}')
if held == ARGV[1] then return 1 end
local counts = ARGV[3] .. workflow .. ARGV[4]
if held then redis.call('HINCRBY', counts, held, -1) end
redis.call('HINCRBY', counts, ARGV[1], 1)
redis.call('HSET', KEYS[1], '${deliveryField.workflowPinHeld}', ARGV[1])
return 1
`);

/**
 * What starting an attempt returns: the delivery, and the workflow version its job was pinned to by an earlier attempt
 * (the fields `workflowVersion` and `workflowJob` of the same record, read in the same round trip), if any.
 */
export interface StartedDelivery {
  delivery: Delivery;
  workflowPin: WorkflowPin | null;
  /** Set when it did not start: the delivery holding the concurrency key slot it waits for (see key-slots.ts). */
  parkedBehind?: string;
}

/** The definition version a delivery's automatic retries keep, and the job (`<id>:<timestamp>`) it was pinned for. */
export interface WorkflowPin {
  version: number;
  job: string;
}

/**
 * Delivery records: one Redis hash per delivery (scalar fields as strings, structured ones as JSON) plus a
 * per-webhook sorted set by arrival time. Steps live in fields `step:<id>`, so a worker checkpoints a step with
 * one HSET that can join the step's own effects in a MULTI (same hash tag). The field names: delivery-fields.ts.
 */
export class DeliveryStore {
  readonly #retention: DeliveryRetention;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    /** Applied when a delivery is marked succeeded or failed; the worker passes the one it settles its jobs with. */
    retention: DeliveryRetention = new DeliveryRetention(redis, keys),
  ) {
    this.#retention = retention;
  }

  /**
   * Adds the commands that store `deliveries` to a MULTI or pipeline: one HSET per record, and one ZADD per webhook
   * for all of that webhook's ids (a micro-batch of the ingress mostly holds one webhook's deliveries, and each
   * command is an object to build, a reply to parse and a command for Redis to run).
   */
  appendCreate(tx: ChainableCommander, deliveries: readonly NewDelivery[]): void {
    const indexEntries = new Map<string, (string | number)[]>();
    for (const delivery of deliveries) {
      tx.hset(this.keys.delivery(delivery.id), recordFields(delivery));
      let entries = indexEntries.get(delivery.webhookId);
      if (!entries) indexEntries.set(delivery.webhookId, (entries = []));
      entries.push(Date.parse(delivery.receivedAt), delivery.id);
    }
    for (const [webhookId, entries] of indexEntries) tx.zadd(this.keys.webhookDeliveries(webhookId), ...entries);
    for (const delivery of deliveries)
      if (delivery.concurrency || delivery.debounce) appendKeyState(tx, this.keys, delivery, this.#retention.policy.maxAgeSeconds);
  }

  async create(delivery: NewDelivery): Promise<void> {
    const tx = this.redis.multi();
    this.appendCreate(tx, [delivery]);
    await tx.exec();
  }

  /** The delivery as the admin API shows it: whatever was stored, it can be serialised (see `presentDelivery`). */
  async get(deliveryId: string): Promise<Delivery | null> {
    const raw = await this.redis.hgetall(this.keys.delivery(deliveryId));
    return raw.id === undefined ? null : presentDelivery(raw);
  }

  /**
   * The record with its payload as stored (the verified body text), its queue and its concurrency key's line: what
   * re-enqueueing it needs (a replay or a retry keeps the key it arrived under).
   */
  async getStored(
    deliveryId: string,
  ): Promise<{ delivery: Delivery; payloadJson: string; queue: string; concurrency?: NonNullable<NewDelivery['concurrency']> } | null> {
    const raw = await this.redis.hgetall(this.keys.delivery(deliveryId));
    if (raw.id === undefined) return null;
    const stored = { delivery: toDelivery(raw), payloadJson: raw.payload ?? 'null', queue: raw.queue ?? 'default' };
    if (raw.concurrencyLine === undefined) return stored;
    return {
      ...stored,
      concurrency: { key: raw.concurrencyKey ?? '', line: raw.concurrencyLine, limit: Number(raw.concurrencyLimit ?? 1) },
    };
  }

  /** The status of each delivery (null where the record is gone), in one round trip. */
  async statusesOf(deliveryIds: string[]): Promise<Array<Delivery['status'] | null>> {
    if (deliveryIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of deliveryIds) pipeline.hget(this.keys.delivery(id), deliveryField.status);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return (value as Delivery['status'] | null) ?? null;
    });
  }

  /** Clears a failed delivery's outcome (and the retention TTL it got when it finished) before it runs again. */
  async resetForRetry(deliveryId: string): Promise<void> {
    const key = this.keys.delivery(deliveryId);
    await this.redis.multi().hdel(key, deliveryField.error, deliveryField.finishedAt, deliveryField.result).persist(key).exec();
  }

  /**
   * Starts an attempt: marks the delivery running and returns it with its workflow pin, in one round trip. A delivery
   * that already ended (finished or cancelled) is returned as it is (the caller must not run it again); null when the
   * record is gone. `runToken` (the job lock's token) names the run that holds the delivery from now on: the outcome of
   * an earlier run whose lock lapsed meanwhile (its worker lost Redis longer than the lock) is then not recorded.
   */
  async start(deliveryId: string, attempts: number, startedAt: Date, runToken = ''): Promise<StartedDelivery | null> {
    const json = (await startScript.run(this.redis, [this.keys.delivery(deliveryId)], [attempts, startedAt.toISOString(), runToken])) as
      string | null;
    if (!json) return null;
    const raw = JSON.parse(json) as DeliveryHash & { parkedBehind?: string };
    const pinned = raw.workflowVersion !== undefined && raw.workflowJob !== undefined;
    const started: StartedDelivery = {
      delivery: toDelivery(raw),
      workflowPin: pinned ? { version: Number(raw.workflowVersion), job: raw.workflowJob! } : null,
    };
    if (raw.parkedBehind !== undefined) started.parkedBehind = raw.parkedBehind;
    return started;
  }

  /**
   * Pins the definition version a job's attempts run, before the first one runs anything (see `StartedDelivery`).
   * The version is counted as held (`workflowPinHeld`) until the delivery finishes, so pruning old versions keeps it.
   */
  async pinWorkflow(deliveryId: string, pin: WorkflowPin): Promise<void> {
    await pinScript.run(
      this.redis,
      [this.keys.delivery(deliveryId)],
      [String(pin.version), pin.job, ...affixesOf(this.keys.workflowPinCounts)],
    );
  }

  /**
   * Records success with the run's result as JSON (the caller serialises it, to check its size too) and applies
   * retention (a finished delivery gets its TTL, the webhook's index is trimmed). Neither this nor `markFailed`
   * changes a delivery that was cancelled (during the run) or superseded: the returned status says what the record
   * holds.
   */
  markSucceededJson(deliveryId: string, resultJson: string, finishedAt: Date, options: { runToken?: string } = {}): Promise<Settled> {
    return this.#retention.finish(deliveryId, { status: 'succeeded', result: resultJson, finishedAt: finishedAt.toISOString() }, options);
  }

  /** Records a failed attempt that will be tried again; a delivery that ended meanwhile (cancelled) is left as it is. */
  async markRetrying(deliveryId: string, error: DeliveryError, options: { runToken?: string } = {}): Promise<void> {
    await retryingScript.run(this.redis, [this.keys.delivery(deliveryId)], [JSON.stringify(error), options.runToken ?? '']);
  }

  /**
   * Cancels a delivery that may still run (held, queued, retrying, waiting, running), atomically, and announces it on
   * `deliveryCancels` for the worker that may be running it. A delivery that already ended is left unchanged.
   */
  async cancel(deliveryId: string, at: Date): Promise<CancelOutcome> {
    const reply = (await cancelScript.run(
      this.redis,
      [this.keys.delivery(deliveryId)],
      [at.toISOString(), this.keys.deliveryCancels, deliveryId],
    )) as [number, string, string?] | null;
    if (!reply) return null;
    return reply[0] === 1
      ? { cancelled: true, previous: reply[1] as DeliveryStatus, queue: reply[2] ?? 'default' }
      : { cancelled: false, status: reply[1] };
  }

  /** Applies retention to the delivery if it ended, and reports its status and workflow (see `DeliveryRetention.settle`). */
  settle(deliveryId: string): Promise<Settled> {
    return this.#retention.settle(deliveryId);
  }

  /**
   * Records the final failure and applies retention, as `markSucceededJson` does. With `onlyIfOpen` a delivery that ended
   * in any way (succeeded too) is left as it is, for a failure decided without running it (a quarantine).
   */
  markFailed(
    deliveryId: string,
    error: DeliveryError,
    finishedAt: Date,
    options: { onlyIfOpen?: boolean; runToken?: string } = {},
  ): Promise<Settled> {
    return this.#retention.finish(
      deliveryId,
      { status: 'failed', error: JSON.stringify(error), finishedAt: finishedAt.toISOString() },
      options,
    );
  }
}

/** A new delivery as the fields of its record hash (scalars as strings, structured values as JSON). */
function recordFields(delivery: NewDelivery): DeliveryHash {
  const fields: DeliveryHash = {
    id: delivery.id,
    webhookId: delivery.webhookId,
    agentId: delivery.agentId,
    workflow: delivery.workflow,
    status: delivery.status,
    receivedAt: delivery.receivedAt,
    attempts: '0',
    headers: JSON.stringify(delivery.headers),
    payload: delivery.payloadJson,
    queue: delivery.queue,
  };
  if (delivery.dedupeKey !== null) fields.dedupeKey = delivery.dedupeKey;
  if (delivery.replayOf !== null) fields.replayOf = delivery.replayOf;
  return Object.assign(fields, keyFields(delivery));
}

/**
 * `toDelivery` for showing: a field that is not JSON or nests deeper than `presentableJsonDepth` is shown empty, and
 * `presentationError` names it, so one bad record never breaks a read (a delivery list shows the rest).
 */
export function presentDelivery(raw: Record<string, string>): Delivery {
  const unshown: string[] = [];
  const shown: Record<string, string> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!deliveryJsonFields.has(field) && !isStepField(field)) shown[field] = value;
    else if (isPresentableJson(value)) shown[field] = value;
    else if (isStepField(field)) {
      unshown.push(`${stepIdOf(field)} (step)`);
      shown[field] = JSON.stringify(stepOutline(field, value));
    } else unshown.push(field);
  }
  const delivery = toDelivery(shown);
  if (unshown.length === 0) return delivery;
  return {
    ...delivery,
    presentationError: {
      code: 'record_unpresentable',
      message: `stored data not shown, as it is not JSON or nested deeper than ${presentableJsonDepth} levels: ${unshown.join(', ')}`,
    },
  };
}

/** A step record's scalar fields, without its output or error (where the depth is). */
function stepOutline(field: string, value: string): StepRecord {
  let parsed: Partial<Record<keyof StepRecord, unknown>> = {};
  try {
    parsed = JSON.parse(value) as typeof parsed;
  } catch {
    // not JSON at all: only the id is known
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: stepIdOf(field),
    type: text(parsed.type) ?? 'unknown',
    status: (text(parsed.status) as StepRecord['status'] | null) ?? 'failed',
    attempts: typeof parsed.attempts === 'number' ? parsed.attempts : 0,
    startedAt: text(parsed.startedAt),
    finishedAt: text(parsed.finishedAt),
  };
}

function parseJson<T>(value: string | undefined, fallback: T): T {
  if (value === undefined) return fallback;
  return JSON.parse(value) as T;
}

export function toDelivery(raw: DeliveryHash): Delivery {
  const steps = Object.entries(raw)
    .filter(([field]) => isStepField(field))
    .map(([, value]) => JSON.parse(value) as StepRecord)
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  return {
    id: raw.id!,
    webhookId: raw.webhookId!,
    agentId: raw.agentId!,
    workflow: raw.workflow!,
    // `cancelledAt` wins: see endedStatusLua.
    status: (raw.cancelledAt !== undefined ? 'cancelled' : raw.status) as Delivery['status'],
    receivedAt: raw.receivedAt!,
    startedAt: raw.startedAt ?? null,
    finishedAt: raw.finishedAt ?? null,
    attempts: Number(raw.attempts ?? 0),
    dedupeKey: raw.dedupeKey ?? null,
    headers: parseJson(raw.headers, {}),
    payload: parseJson(raw.payload, null),
    result: parseJson(raw.result, null),
    error: parseJson(raw.error, null),
    steps,
    replayOf: raw.replayOf ?? null,
    cancelledAt: raw.cancelledAt ?? null,
    concurrencyKey: raw.concurrencyKey ?? null,
    debounceKey: raw.debounceKey ?? null,
    supersededBy: raw.supersededBy ?? null,
    // Only while it is parked: the holder it names may have ended since, and the field goes when it starts.
    waitingBehind: raw.waitingBehind !== undefined && (raw.status === 'queued' || raw.status === 'retrying') ? raw.waitingBehind : null,
    waitingFor: raw.status === 'waiting' && raw.cancelledAt === undefined ? parseJson<WaitingFor | null>(raw.waitingFor, null) : null,
  };
}
