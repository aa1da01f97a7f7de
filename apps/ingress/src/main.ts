import type { AddressInfo } from 'node:net';
import { createLogger, createRedis, loadWorkflowFiles, safeRedisUrl, waitUntilReady, withLocalSecrets } from '@hookflow/shared';
import { loadConfig } from './config.js';
import { createServices } from './services.js';
import { checkFsyncDurability } from './durability/check-fsync.js';
import { drainServer } from './http/drain-server.js';
import { createEdgeServer } from './http/edge-server.js';
import { createRequestListener } from './app.js';
import { exitOnConfigError, installCrashHandlers, onShutdownSignal } from '@hookflow/shared/process';

const config = exitOnConfigError('ingress', () => loadConfig(withLocalSecrets(process.env)));
const log = createLogger({ name: 'ingress', level: config.logLevel });
installCrashHandlers(log);

const redis = createRedis(
  config.redisUrl,
  'producer',
  (err) => log.warn({ err: err.message, redis: safeRedisUrl(config.redisUrl) }, 'Redis unreachable; ingest answers 503 until it is back'),
  { cluster: config.redisCluster },
);
const subscriber = createRedis(config.redisUrl, 'subscriber', undefined, { cluster: config.redisCluster });
if (config.durability.mode === 'fsync') {
  const refusal = await checkFsyncDurability(redis, config.redisUrl);
  if (refusal) {
    process.stderr.write(`hookflow ingress: ${refusal}\n`);
    process.exit(1);
  }
}
const services = createServices(config, log, redis);
// workflows/*.json are stored before the first request is accepted, so they can be bound at once. The producer
// connection fails fast while not connected, so wait for it briefly; if Redis is away, load when it comes.
const loadWorkflows = () =>
  loadWorkflowFiles(services.catalog, log).catch((err: Error) =>
    log.warn({ err: err.message }, 'could not load workflows/*.json; using stored definitions'),
  );
await waitUntilReady(redis, config.redisUrl, 5_000).then(loadWorkflows, () => redis.once('ready', () => void loadWorkflows()));
void services.cache
  .listen(subscriber, services.keys)
  .catch((err: Error) => log.warn({ err: err.message }, 'could not subscribe to webhook changes'));

const server = createEdgeServer(createRequestListener(services), config).listen(config.port, () => {
  const { port } = server.address() as AddressInfo;
  log.info({ port, publicUrl: config.publicUrl, redis: safeRedisUrl(config.redisUrl), prefix: config.prefix }, 'ingress listening');
});

onShutdownSignal(log, 'ingress', async () => {
  // Stop accepting, let in-flight requests finish (their deliveries are stored before they are answered).
  await drainServer(server);
  await services.queues.close();
  redis.disconnect();
  subscriber.disconnect();
});
