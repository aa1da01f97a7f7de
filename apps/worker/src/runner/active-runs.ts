import type { Keys, Logger, RedisClient } from '@hookflow/shared';
import { cancelledError } from './checkpoints.js';

/**
 * The AbortController of each run in this process, by delivery id, so a cancel notice stops that run at once
 * (aborting its controller with the `cancelled` error) instead of at its next step's checkpoint.
 */
export class ActiveRuns {
  readonly #runs = new Map<string, AbortController>();

  /** Registers a run; the returned function unregisters it when the run ends. */
  track(deliveryId: string, controller: AbortController): () => void {
    this.#runs.set(deliveryId, controller);
    return () => {
      if (this.#runs.get(deliveryId) === controller) this.#runs.delete(deliveryId);
    };
  }

  /** Aborts the run of `deliveryId` if this process has one; says whether it had. */
  cancel(deliveryId: string): boolean {
    const controller = this.#runs.get(deliveryId);
    if (!controller) return false;
    controller.abort(cancelledError());
    return true;
  }

  /**
   * Subscribes `subscriber` (a dedicated connection) to cancel notices. A notice missed while it reconnects costs only
   * speed: the run still stops at its next checkpoint, which refuses a cancelled delivery.
   */
  async listen(subscriber: RedisClient, keys: Keys, log: Logger): Promise<void> {
    subscriber.on('message', (channel: string, deliveryId: string) => {
      if (channel === keys.deliveryCancels && this.cancel(deliveryId)) log.info({ deliveryId }, 'delivery cancelled; its run was stopped');
    });
    await subscriber.subscribe(keys.deliveryCancels);
  }
}
