import type { RedisClient } from '@hookflow/shared';
import {
  AgentStore,
  createIngressMetrics,
  createKeys,
  type DeliveryEnqueuer,
  DeliverySignals,
  DeliveryStore,
  KeyStore,
  OutboundSecretStore,
  QueueSet,
  SecretBox,
  SignalTokens,
  InputValidator,
  RecordStore,
  WorkflowCatalog,
  WebhookStore,
  type IngressMetrics,
  type Keys,
  type Logger,
} from '@hookflow/shared';
import type { IngressConfig } from './config.js';
import { WebhookCache } from './ingest/webhook-cache.js';
import { durabilityAfterStore } from './durability/replica-wait.js';
import { BacklogMonitor } from './ingest/backlog-monitor.js';
import { DeliveryLog } from './deliveries/delivery-log.js';
import { QueueOverview } from './queues/queue-overview.js';
import { MeteredDeliveryEnqueuer } from './metrics/metered-enqueuer.js';
import type { SignalDeps } from './domain/signals.js';

/** The stores, queues and caches of one ingress process, built once from config and a Redis connection. */
export interface Services {
  config: IngressConfig;
  log: Logger;
  redis: RedisClient;
  keys: Keys;
  agents: AgentStore;
  webhooks: WebhookStore;
  keyStore: KeyStore;
  /** Agents' `notify` signing secrets (the worker signs with them, receivers verify with them). */
  outboundSecrets: OutboundSecretStore;
  deliveries: DeliveryStore;
  queues: QueueSet;
  enqueuer: DeliveryEnqueuer;
  cache: WebhookCache;
  catalog: WorkflowCatalog;
  records: RecordStore;
  inputValidator: InputValidator;
  now: () => Date;
  /** Cached per-queue backlog for backpressure; refreshed in the background once started. */
  backlog: BacklogMonitor;
  metrics: IngressMetrics;
  deliveryLog: DeliveryLog;
  queueOverview: QueueOverview;
  /** Signals of `wait` steps: their links' key and the signal state on delivery records. */
  signals: SignalDeps;
}

export function createServices(config: IngressConfig, log: Logger, redis: RedisClient, now: () => Date = () => new Date()): Services {
  const keys = createKeys(config.prefix);
  const webhooks = new WebhookStore(redis, keys, now, config.maxWebhooksPerAgent);
  const box = new SecretBox(config.masterKey);
  const keyStore = new KeyStore(redis, keys, box, now);
  const deliveries = new DeliveryStore(redis, keys);
  const queues = new QueueSet(redis, keys);
  const agents = new AgentStore(redis, keys, now);
  const metrics = createIngressMetrics();
  const enqueuer: DeliveryEnqueuer = new MeteredDeliveryEnqueuer(
    redis,
    deliveries,
    queues,
    // With `replicated`, a batch may also wait up to HOOKFLOW_WAIT_TIMEOUT_MS for replicas.
    3_000 + (config.durability.mode === 'replicated' ? config.durability.waitTimeoutMs : 0),
    durabilityAfterStore(config.durability, keys),
  ).withMetrics(metrics);
  const catalog = new WorkflowCatalog(redis, keys);
  return {
    config,
    log,
    redis,
    keys,
    agents,
    webhooks,
    keyStore,
    outboundSecrets: new OutboundSecretStore(redis, keys, box, now),
    deliveries,
    queues,
    enqueuer,
    cache: new WebhookCache(webhooks, keyStore),
    catalog,
    records: new RecordStore(redis, keys, now),
    inputValidator: new InputValidator(catalog),
    now,
    backlog: new BacklogMonitor(queues, { maxBacklog: config.maxBacklog, log }),
    metrics,
    deliveryLog: new DeliveryLog({
      redis,
      keys,
      deliveries,
      webhooks,
      enqueuer,
      queues,
      log,
      now,
      workflowRetry: (name) => catalog.retryPolicy(name),
    }),
    queueOverview: new QueueOverview({ queues, agents, webhooks }),
    signals: { signals: new DeliverySignals(redis, keys), tokens: new SignalTokens(config.masterKey), queues, redis, now, log },
  };
}
