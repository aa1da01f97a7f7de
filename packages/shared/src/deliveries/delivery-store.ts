import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import type { Delivery, DeliveryError, NewDelivery, StepRecord } from './types.js';

/**
 * Delivery records: one Redis hash per delivery (scalar fields as strings, structured ones as JSON) plus a
 * per-webhook sorted set by arrival time. Steps live in fields `step:<id>`, so a worker checkpoints a step with
 * one HSET that can join the step's own effects in a MULTI (same hash tag).
 */
export class DeliveryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Adds the commands that store `delivery` to a MULTI or pipeline, so the caller can batch many. */
  appendCreate(tx: ChainableCommander, delivery: NewDelivery): void {
    const fields: Record<string, string> = {
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
    tx.hset(this.keys.delivery(delivery.id), fields);
    tx.zadd(this.keys.webhookDeliveries(delivery.webhookId), Date.parse(delivery.receivedAt), delivery.id);
  }

  async create(delivery: NewDelivery): Promise<void> {
    const tx = this.redis.multi();
    this.appendCreate(tx, delivery);
    await tx.exec();
  }

  async get(deliveryId: string): Promise<Delivery | null> {
    const raw = await this.redis.hgetall(this.keys.delivery(deliveryId));
    return raw.id === undefined ? null : toDelivery(raw);
  }

  /** The record with its payload as stored (the verified body text) and its queue: what re-enqueueing it needs. */
  async getStored(deliveryId: string): Promise<{ delivery: Delivery; payloadJson: string; queue: string } | null> {
    const raw = await this.redis.hgetall(this.keys.delivery(deliveryId));
    if (raw.id === undefined) return null;
    return { delivery: toDelivery(raw), payloadJson: raw.payload ?? 'null', queue: raw.queue ?? 'default' };
  }

  /** The status of each delivery (null where the record is gone), in one round trip. */
  async statusesOf(deliveryIds: string[]): Promise<Array<Delivery['status'] | null>> {
    if (deliveryIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of deliveryIds) pipeline.hget(this.keys.delivery(id), 'status');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return (value as Delivery['status'] | null) ?? null;
    });
  }

  /** Clears a failed delivery's outcome (and the retention TTL it got when it finished) before it runs again. */
  async resetForRetry(deliveryId: string): Promise<void> {
    const key = this.keys.delivery(deliveryId);
    await this.redis.multi().hdel(key, 'error', 'finishedAt', 'result').persist(key).exec();
  }

  async markRunning(deliveryId: string, attempts: number, startedAt: Date): Promise<void> {
    const key = this.keys.delivery(deliveryId);
    // HSETNX keeps the first attempt's start time; attempts and status move on every try.
    await this.redis.multi().hset(key, { status: 'running', attempts: String(attempts) }).hsetnx(key, 'startedAt', startedAt.toISOString()).hdel(key, 'error').exec();
  }

  async markSucceeded(deliveryId: string, result: unknown, finishedAt: Date): Promise<void> {
    await this.redis.hset(this.keys.delivery(deliveryId), {
      status: 'succeeded',
      result: JSON.stringify(result ?? null),
      finishedAt: finishedAt.toISOString(),
    });
  }

  async markRetrying(deliveryId: string, error: DeliveryError): Promise<void> {
    await this.redis.hset(this.keys.delivery(deliveryId), { status: 'retrying', error: JSON.stringify(error) });
  }

  async markFailed(deliveryId: string, error: DeliveryError, finishedAt: Date): Promise<void> {
    await this.redis.hset(this.keys.delivery(deliveryId), {
      status: 'failed',
      error: JSON.stringify(error),
      finishedAt: finishedAt.toISOString(),
    });
  }

  /** Adds the commands that record a step's state to a MULTI, next to the step's own effects. */
  appendStep(tx: ChainableCommander, deliveryId: string, step: StepRecord): void {
    tx.hset(this.keys.delivery(deliveryId), `step:${step.id}`, JSON.stringify(step));
  }

  async saveStep(deliveryId: string, step: StepRecord): Promise<void> {
    const tx = this.redis.multi();
    this.appendStep(tx, deliveryId, step);
    await tx.exec();
  }
}

function parseJson<T>(value: string | undefined, fallback: T): T {
  if (value === undefined) return fallback;
  return JSON.parse(value) as T;
}

export function toDelivery(raw: Record<string, string>): Delivery {
  const steps = Object.entries(raw)
    .filter(([field]) => field.startsWith('step:'))
    .map(([, value]) => JSON.parse(value) as StepRecord)
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  return {
    id: raw.id!,
    webhookId: raw.webhookId!,
    agentId: raw.agentId!,
    workflow: raw.workflow!,
    status: raw.status as Delivery['status'],
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
  };
}
