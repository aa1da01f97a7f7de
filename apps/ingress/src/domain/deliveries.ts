import { ProblemError, type Delivery, type DeliveryStore, type Page } from '@hookflow/shared';
import type { DeliveryLog, ListDeliveriesQuery } from '../deliveries/delivery-log.js';

/** A replay, as accepted: the new delivery, the one it repeats, and whether it waits for its paused webhook. */
export interface ReplayAccepted {
  deliveryId: string;
  replayOf: string;
  status: 'queued' | 'held';
}

/** What the admin API does with deliveries: read them, and cancel, replay or retry them through the delivery log. */
export class DeliveryService {
  constructor(private readonly deps: { deliveries: DeliveryStore; deliveryLog: DeliveryLog }) {}

  /** The webhook's deliveries, newest first, optionally of one status. */
  async list(webhookId: string, query: ListDeliveriesQuery): Promise<Page<Delivery>> {
    return this.deps.deliveryLog.list(webhookId, query);
  }

  async get(deliveryId: string): Promise<Delivery> {
    const delivery = await this.deps.deliveries.get(deliveryId);
    if (!delivery) throw new ProblemError('delivery_not_found', `delivery ${deliveryId} does not exist`);
    return delivery;
  }

  /** 409 `delivery_finished` once it ended. */
  async cancel(deliveryId: string): Promise<Delivery> {
    return this.deps.deliveryLog.cancel(deliveryId);
  }

  async replay(deliveryId: string): Promise<ReplayAccepted> {
    const { deliveryId: id, replayOf, status } = await this.deps.deliveryLog.replay(deliveryId);
    return { deliveryId: id, replayOf, status };
  }

  /** How many failed deliveries of the webhook were enqueued again. */
  async retryFailed(webhookId: string): Promise<{ retried: number }> {
    return { retried: await this.deps.deliveryLog.retryFailed(webhookId) };
  }
}
