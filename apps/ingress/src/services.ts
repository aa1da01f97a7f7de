import type { RedisClient } from '@hookflow/shared';
import {
  AgentStore,
  createKeys,
  DeliveryEnqueuer,
  DeliveryStore,
  KeyStore,
  QueueSet,
  SecretBox,
  WebhookStore,
  type Keys,
  type Logger,
} from '@hookflow/shared';
import type { IngressConfig } from './config.js';
import { WebhookCache } from './ingest/webhook-cache.js';
import { WorkflowDirectory } from './api/workflow-directory.js';
import { durabilityAfterStore } from './durability/replica-wait.js';

/** Everything the routes use, built once from config and a Redis connection. */
export interface Services {
  config: IngressConfig;
  log: Logger;
  redis: RedisClient;
  keys: Keys;
  agents: AgentStore;
  webhooks: WebhookStore;
  keyStore: KeyStore;
  deliveries: DeliveryStore;
  queues: QueueSet;
  enqueuer: DeliveryEnqueuer;
  cache: WebhookCache;
  workflows: WorkflowDirectory;
  now: () => Date;
}

export function createServices(config: IngressConfig, log: Logger, redis: RedisClient, now: () => Date = () => new Date()): Services {
  const keys = createKeys(config.prefix);
  const webhooks = new WebhookStore(redis, keys, now);
  const keyStore = new KeyStore(redis, keys, new SecretBox(config.masterKey), now);
  const deliveries = new DeliveryStore(redis, keys);
  const queues = new QueueSet(redis, keys);
  return {
    config,
    log,
    redis,
    keys,
    agents: new AgentStore(redis, keys, now),
    webhooks,
    keyStore,
    deliveries,
    queues,
    // With `replicated`, a batch may also wait up to HOOKFLOW_WAIT_TIMEOUT_MS for replicas.
    enqueuer: new DeliveryEnqueuer(
      redis,
      deliveries,
      queues,
      3_000 + (config.durability.mode === 'replicated' ? config.durability.waitTimeoutMs : 0),
      durabilityAfterStore(config.durability, redis, keys),
    ),
    cache: new WebhookCache(webhooks, keyStore),
    workflows: new WorkflowDirectory(),
    now,
  };
}
