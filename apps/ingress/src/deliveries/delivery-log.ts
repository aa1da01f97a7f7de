import {
  newId,
  pageOf,
  ProblemError,
  webhookDefaults,
  deliveryJobOptions,
  deliveryJobId,
  type Delivery,
  type DeliveryEnqueuer,
  type DeliveryStatus,
  type DeliveryStore,
  type EnqueueRequest,
  type Keys,
  type Logger,
  type NewDelivery,
  type Page,
  type QueueSet,
  type RedisClient,
  type RetryPolicy,
  type WebhookRecord,
  type WebhookStore,
} from '@hookflow/shared';

export interface DeliveryLogDeps {
  redis: RedisClient;
  keys: Keys;
  deliveries: DeliveryStore;
  webhooks: WebhookStore;
  enqueuer: DeliveryEnqueuer;
  queues: QueueSet;
  log: Logger;
  now: () => Date;
  /** The bound workflow's own retry policy, used when the webhook sets none (as at ingest). */
  workflowRetry: (workflow: string) => Promise<RetryPolicy | undefined>;
}

export interface ListDeliveriesQuery {
  status?: DeliveryStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Deliveries re-enqueued per batch: one MULTI (records and jobs) each, awaited in turn so arrival order holds. */
const chunkSize = 500;
/** Index entries looked at per list request when filtering by status, so a rare status cannot make a request scan forever. */
const scanBudget = 5_000;

/**
 * The delivery log behind the admin API: listing, replay, cancel, retry of failed deliveries and release of held ones.
 * Every job it creates goes through the one `DeliveryEnqueuer`, as the ingest path's do.
 */
export class DeliveryLog {
  constructor(private readonly deps: DeliveryLogDeps) {}

  /** Newest first. With a status filter, pages are filled by reading on until `limit` matches or the scan budget is spent. */
  async list(webhookId: string, query: ListDeliveriesQuery): Promise<Page<Delivery>> {
    await this.deps.webhooks.get(webhookId);
    const index = this.deps.keys.webhookDeliveries(webhookId);
    const load = async (id: string) => {
      const delivery = await this.deps.deliveries.get(id);
      return delivery && (!query.status || delivery.status === query.status) ? delivery : null;
    };
    const items: Delivery[] = [];
    let cursor = query.cursor ?? null;
    let scanned = 0;
    do {
      const want = query.limit - items.length;
      const page = await pageOf(this.deps.redis, index, want, cursor, 'desc', load);
      items.push(...page.items);
      cursor = page.nextCursor;
      scanned += want;
    } while (query.status && cursor && items.length < query.limit && scanned < scanBudget);
    return { items, nextCursor: cursor };
  }

  /** A new delivery on the stored payload, run by the webhook's current workflow (held while the webhook is paused). */
  async replay(deliveryId: string): Promise<{ deliveryId: string; replayOf: string; status: 'queued' | 'held' }> {
    const stored = await this.deps.deliveries.getStored(deliveryId);
    if (!stored) throw new ProblemError('delivery_not_found', `delivery ${deliveryId} does not exist`);
    const webhook = await this.deps.webhooks.get(stored.delivery.webhookId);
    const status = webhook.status === 'paused' ? 'held' : 'queued';
    const id = newId('dlv');
    await this.deps.enqueuer.enqueue(
      await this.#request(webhook, {
        id,
        webhookId: webhook.id,
        agentId: webhook.agentId,
        workflow: webhook.workflow,
        status,
        receivedAt: this.deps.now().toISOString(),
        dedupeKey: null,
        headers: stored.delivery.headers,
        payloadJson: stored.payloadJson,
        replayOf: deliveryId,
        queue: webhook.options.queue ?? webhookDefaults.queue,
        // In line behind the same key as the original, after every delivery of it accepted so far.
        ...(stored.concurrency ? { concurrency: stored.concurrency } : {}),
      }),
    );
    return { deliveryId: id, replayOf: deliveryId, status };
  }

  /**
   * Cancels a delivery that may still run (held, queued, retrying, waiting, running): the record changes in one atomic
   * step that also tells the workers, so the one running it stops at once. Its queued or delayed job is then removed
   * where BullMQ lets it go; one that still reaches a worker (active, or added by a concurrent release) is dropped at
   * start, and a running one stops before its next step even if its worker missed the notice. Retention applies to it
   * from the cancel on.
   */
  async cancel(deliveryId: string): Promise<Delivery> {
    const outcome = await this.deps.deliveries.cancel(deliveryId, this.deps.now());
    if (!outcome) throw new ProblemError('delivery_not_found', `delivery ${deliveryId} does not exist`);
    if (!outcome.cancelled)
      throw new ProblemError('delivery_finished', `delivery ${deliveryId} already ended (${outcome.status}); it cannot be cancelled`);
    if (outcome.previous !== 'held') await this.#removeJob(outcome.queue, deliveryId);
    // Retention (the TTL, the index bound) applies now: a delivery cancelled before it ran has no run to settle it, and
    // a worker that later finds its job drops it unsettled. A running one is settled again by its run; that is harmless.
    await this.deps.deliveries.settle(deliveryId);
    const delivery = await this.deps.deliveries.get(deliveryId);
    if (!delivery) throw new ProblemError('delivery_not_found', `delivery ${deliveryId} does not exist`);
    return delivery;
  }

  /** Removes a cancelled delivery's job if BullMQ lets it go (not while a worker holds it); the worker drops it otherwise. */
  async #removeJob(queueName: string, deliveryId: string): Promise<void> {
    try {
      await this.deps.queues.get(queueName).remove(deliveryJobId(deliveryId));
    } catch (err) {
      this.deps.log.warn(
        { err: (err as Error).message, deliveryId },
        'could not remove the job of a cancelled delivery; a worker drops it',
      );
    }
  }

  /**
   * Runs every failed delivery of the webhook again, as the same delivery (steps already checkpointed are not
   * repeated), with its recorded workflow. Returns how many were re-enqueued.
   */
  async retryFailed(webhookId: string): Promise<number> {
    const webhook = await this.deps.webhooks.get(webhookId);
    let retried = 0;
    for await (const ids of this.#withStatus(webhookId, 'failed')) {
      const requests: EnqueueRequest[] = [];
      for (const id of ids) {
        const stored = await this.deps.deliveries.getStored(id);
        if (!stored || stored.delivery.status !== 'failed') continue;
        if (!(await this.#dropOldJob(stored.queue, id))) continue;
        await this.deps.deliveries.resetForRetry(id);
        requests.push(await this.#request(webhook, { ...this.#asNew(stored), queue: stored.queue }));
      }
      await Promise.all(requests.map((request) => this.deps.enqueuer.enqueue(request)));
      retried += requests.length;
    }
    return retried;
  }

  /** Enqueues the webhook's held deliveries, oldest first, with its current workflow and options. */
  async releaseHeld(webhook: WebhookRecord): Promise<number> {
    let released = 0;
    for await (const ids of this.#withStatus(webhook.id, 'held')) {
      const stored = await Promise.all(ids.map((id) => this.deps.deliveries.getStored(id)));
      const requests = await Promise.all(
        stored
          .filter((s): s is NonNullable<typeof s> => s !== null && s.delivery.status === 'held')
          .map((s) =>
            this.#request(webhook, {
              ...this.#asNew(s),
              workflow: webhook.workflow,
              queue: webhook.options.queue ?? webhookDefaults.queue,
            }),
          ),
      );
      // Issued in one turn, so they share one batch (one MULTI), in this order.
      await Promise.all(requests.map((request) => this.deps.enqueuer.enqueue(request)));
      released += requests.length;
    }
    if (released > 0) this.deps.log.info({ webhookId: webhook.id, released }, 'released held deliveries');
    return released;
  }

  /**
   * Releases the held deliveries of a webhook that was just set `enabled`, and once more after `settleMs`: a replica
   * that had not yet heard of the change may still have stored a `held` delivery in between.
   */
  async releaseAfterResume(webhook: WebhookRecord, settleMs = 2_000): Promise<number> {
    const released = await this.releaseHeld(webhook);
    setTimeout(() => {
      void (async () => {
        const current = await this.deps.webhooks.find(webhook.id);
        if (current?.status === 'enabled') await this.releaseHeld(current);
      })().catch((err: Error) => this.deps.log.warn({ err: err.message, webhookId: webhook.id }, 'second release pass failed'));
    }, settleMs).unref();
    return released;
  }

  /**
   * The old job keeps the delivery's job id (`deliveryJobId`); it must go, or adding the job again is a no-op. A job
   * still active (a worker is just moving it to failed) is left alone and the delivery is not retried this time.
   */
  async #dropOldJob(queueName: string, deliveryId: string): Promise<boolean> {
    const queue = this.deps.queues.get(queueName);
    const jobId = deliveryJobId(deliveryId);
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') return true;
    if (state === 'active') return false;
    return (await queue.remove(jobId)) === 1;
  }

  /** Ids of the webhook's deliveries with `status`, oldest first, in chunks. */
  async *#withStatus(webhookId: string, status: DeliveryStatus): AsyncGenerator<string[]> {
    const index = this.deps.keys.webhookDeliveries(webhookId);
    for (let start = 0; ; start += chunkSize) {
      const ids = await this.deps.redis.zrange(index, String(start), String(start + chunkSize - 1));
      if (ids.length === 0) return;
      const statuses = await this.deps.deliveries.statusesOf(ids);
      const matching = ids.filter((_, i) => statuses[i] === status);
      if (matching.length > 0) yield matching;
      if (ids.length < chunkSize) return;
    }
  }

  #asNew({ delivery, payloadJson, queue, concurrency }: NonNullable<Awaited<ReturnType<DeliveryStore['getStored']>>>): NewDelivery {
    return {
      id: delivery.id,
      webhookId: delivery.webhookId,
      agentId: delivery.agentId,
      workflow: delivery.workflow,
      status: 'queued',
      receivedAt: delivery.receivedAt,
      dedupeKey: delivery.dedupeKey,
      headers: delivery.headers,
      payloadJson,
      replayOf: delivery.replayOf,
      queue,
      // Joins its key's line again when it is re-enqueued (released, or retried after it failed and left it).
      ...(concurrency ? { concurrency } : {}),
    };
  }

  async #request(webhook: WebhookRecord, delivery: NewDelivery): Promise<EnqueueRequest> {
    return { delivery, jobOptions: deliveryJobOptions(webhook.options, await this.deps.workflowRetry(delivery.workflow)) };
  }
}
