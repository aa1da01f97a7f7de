import { webhookDefaults, type AgentStore, type QueueSet, type WebhookStore } from '@hookflow/shared';

export interface QueueSummary {
  name: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; paused: number };
  workers: number;
  /** True while the queue is paused in BullMQ (its waiting jobs are then reported under `paused`). */
  isPaused: boolean;
}

/**
 * What the queues look like: the names in use (`default`, every webhook's `queue` option, and any this process has
 * touched) with their job counts and connected workers.
 */
export class QueueOverview {
  constructor(private readonly deps: { queues: QueueSet; agents: AgentStore; webhooks: WebhookStore }) {}

  /** Queue names, sorted; reads every webhook of the registry, so callers that run often should cache it. */
  async names(): Promise<string[]> {
    const names = new Set<string>([webhookDefaults.queue, ...this.deps.queues.names()]);
    let cursor: string | null = null;
    do {
      const page = await this.deps.agents.list(200, cursor);
      const webhooks = await Promise.all(page.items.map((agent) => this.deps.webhooks.listByAgent(agent.id)));
      for (const webhook of webhooks.flat()) if (webhook.options.queue) names.add(webhook.options.queue);
      cursor = page.nextCursor;
    } while (cursor);
    return [...names].sort();
  }

  async list(): Promise<QueueSummary[]> {
    return Promise.all((await this.names()).map((name) => this.summary(name)));
  }

  /**
   * BullMQ 6 has no `paused` job state: a paused queue's jobs stay in `wait`. So while a queue is paused its
   * waiting jobs are reported as `paused` (and `waiting` is 0); otherwise `paused` is 0. Prioritized jobs count as waiting.
   */
  async summary(name: string): Promise<QueueSummary> {
    const queue = this.deps.queues.get(name);
    const [counts, workers, isPaused] = await Promise.all([
      queue.getJobCounts('wait', 'prioritized', 'waiting-children', 'active', 'delayed', 'completed', 'failed'),
      queue.getWorkersCount(),
      queue.isPaused(),
    ]);
    const waiting = (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0);
    return {
      name,
      counts: {
        waiting: isPaused ? 0 : waiting,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
        paused: isPaused ? waiting : 0,
      },
      workers,
      isPaused,
    };
  }
}
