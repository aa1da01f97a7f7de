import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import {
  createKeys,
  createLogger,
  createRedis,
  createWorkerMetrics,
  DeliveryRetention,
  DeliveryStore,
  loadWorkflowFiles,
  QueueSet,
  RecordStore,
  safeRedisUrl,
  ShortLivedCache,
  SignalTokens,
  WebhookStore,
  WorkflowCatalog,
  withLocalSecrets,
  type WebhookRecord,
} from '@hookflow/shared';
import { exitOnConfigError, installCrashHandlers, onShutdownSignal } from '@hookflow/shared/process';
import { loadConfig, runSettings } from './config.js';
import { createDeliveryProcessor } from './runner/run-delivery.js';
import { createRunPool } from './runner/run-pool.js';
import { assertBuiltinsImplemented, builtinImplementations } from './workflows/builtins.js';
import { describeLlmProvider } from './llm/create-provider.js';
import { OutboundSecrets } from './steps/outbound-secrets.js';
import { startHealthServer } from './health-server.js';
import { observeDeliveries } from './observe-deliveries.js';
import { ActiveRuns } from './runner/active-runs.js';
import { recordStallFailure, sweepStallFailures } from './runner/quarantine.js';
import { listenForFreedSlots, parkedCount } from './runner/flow-control.js';

// Local secrets (outside production) give the worker the same master key as the ingress for notify signing secrets.
const config = exitOnConfigError('worker', () => loadConfig(withLocalSecrets(process.env)));
const log = createLogger({ name: 'worker', level: config.logLevel });
installCrashHandlers(log);
assertBuiltinsImplemented();

const keys = createKeys(config.prefix);
const connection = createRedis(
  config.redisUrl,
  'worker',
  (err) => log.warn({ err: err.message, redis: safeRedisUrl(config.redisUrl) }, 'Redis unreachable; waiting for it'),
  { cluster: config.redisCluster },
);
// One retention for the whole worker: the store applies it when it records an outcome, the job observer when it settles.
const retention = new DeliveryRetention(connection, keys, config.retention);
const deliveries = new DeliveryStore(connection, keys, retention);
// Queue objects only for reading counts at scrape time; jobs are taken by the Workers below.
const queueReader = new QueueSet(connection, keys);
const metrics = createWorkerMetrics(
  async () =>
    Promise.all(
      config.queues.map(async (queue) => ({
        queue,
        counts: await queueReader.get(queue).getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
      })),
    ),
  undefined,
  () => parkedCount(connection, keys),
);
const catalog = new WorkflowCatalog(connection, keys);
const now = () => new Date();
const webhookStore = new WebhookStore(connection, keys, now);
// A run reads its webhook only for `timeoutMs`; a change reaches new runs within two seconds, as workflow changes do.
const webhookCache = new ShortLivedCache<WebhookRecord | null>(2_000);
// In the background: the ingress loads the same files before it accepts requests, and a worker started while Redis is
// down must still come up (its connection waits for Redis) rather than hang here.
void loadWorkflowFiles(catalog, log).catch((err: Error) =>
  log.warn({ err: err.message }, 'could not load workflows/*.json; using stored definitions'),
);
// Every run goes to a thread of its own, one per job slot (each queue's Worker takes `concurrency` jobs at once).
const runs = createRunPool({
  settings: runSettings(config),
  threads: config.concurrency * config.queues.length,
  memoryMb: config.runMemoryMb,
  log,
});
// Cancel notices name deliveries an admin cancelled; the run of one in this process is aborted at once.
const activeRuns = new ActiveRuns();
const subscriber = createRedis(config.redisUrl, 'subscriber', undefined, { cluster: config.redisCluster });
void activeRuns
  .listen(subscriber, keys, log)
  .catch((err: Error) => log.warn({ err: err.message }, 'could not subscribe to cancel notices; cancelled runs stop at their next step'));
// Wakes of parked deliveries whose concurrency key slot freed; one lost while reconnecting costs a recheck delay.
void listenForFreedSlots(subscriber, connection, keys, queueReader, config.queues, log).catch((err: Error) =>
  log.warn({ err: err.message }, 'could not subscribe to key slot wakes; parked deliveries look again after their recheck delay'),
);
const processor = observeDeliveries(
  createDeliveryProcessor({
    redis: connection,
    keys,
    deliveries,
    webhooks: { find: (webhookId) => webhookCache.get(webhookId, () => webhookStore.find(webhookId)) },
    catalog,
    records: new RecordStore(connection, keys, now),
    outboundSecrets: new OutboundSecrets(connection, keys, config.masterKey),
    maxStepOutputBytes: config.maxStepOutputBytes,
    builtins: builtinImplementations,
    runs,
    defaultTimeoutMs: config.runTimeoutMs,
    log,
    now,
    maxStalls: config.maxStalls,
    activeRuns,
    // Wait steps' links are signed with a key derived from the master key; the ingress checks them with the same.
    ...(config.masterKey ? { signalLinks: { tokens: new SignalTokens(config.masterKey), publicUrl: config.publicUrl } } : {}),
  }),
  { retention, metrics, log },
);

const workers = config.queues.map((queue) => {
  const worker = new Worker(queue, processor, {
    connection,
    prefix: keys.bullPrefix,
    concurrency: config.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    // A job whose worker died is put back (effects are made once by checkpoints, so re-running is safe), but only
    // so often: a delivery that keeps killing its workers is quarantined as `worker_crashed` (runner/quarantine.ts).
    maxStalledCount: config.maxStalls,
    // Stored on each job it takes (`processedBy`): which process holds a job.
    name: `${hostname()}:${process.pid}`,
  });
  worker.on('error', (err) => log.warn({ err: err.message, queue }, 'worker error'));
  worker.on('failed', (job, err) => {
    recordStallFailure(deliveries, job, err, now(), log).catch((e: Error) =>
      log.warn({ err: e.message, jobId: job?.id }, 'could not record a stalled delivery as worker_crashed'),
    );
  });
  void sweepStallFailures(queueReader.get(queue), deliveries, now(), log).catch((err: Error) =>
    log.warn({ err: err.message, queue }, 'could not look for stalled deliveries to quarantine'),
  );
  return worker;
});
log.info(
  {
    queues: config.queues,
    concurrency: config.concurrency,
    runMemoryMb: config.runMemoryMb,
    llm: describeLlmProvider(config.llm),
    redis: safeRedisUrl(config.redisUrl),
    prefix: config.prefix,
    egressAllow: config.egress.allow,
  },
  'worker started',
);

const health = await startHealthServer({
  port: config.port,
  routes: { '/metrics': async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }) },
}).catch((err: Error) => {
  log.warn({ err: err.message, port: config.port }, 'health server could not listen; continuing without it');
  return null;
});

onShutdownSignal(log, 'worker', async () => {
  // close() stops taking jobs and waits for the ones in hand; jobs it cannot finish go back via stall recovery.
  await Promise.all(workers.map((worker) => worker.close()));
  await runs.close();
  health?.close();
  await queueReader.close();
  subscriber.disconnect();
  connection.disconnect();
});
