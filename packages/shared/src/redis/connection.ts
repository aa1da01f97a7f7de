import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A standalone connection or a Cluster client: everything Hookflow stores works on both (keys are hash-tagged). */
export type RedisClient = Redis | Cluster;

export type ConnectionRole =
  /** Answers HTTP requests: commands fail at once while Redis is down, so the ingress can answer 503. */
  | 'producer'
  /** BullMQ workers and blocking readers: wait for Redis to come back instead of failing each command. */
  | 'worker'
  /** Pub/sub subscriber. */
  | 'subscriber';

export interface CreateRedisOptions {
  /**
   * Connect to a Redis Cluster: `url` is then a comma-separated list of seed nodes (one is enough; the rest are
   * discovered). Credentials and TLS come from the first URL. Default false.
   */
  cluster?: boolean;
}

/**
 * Opens an ioredis connection for a role. Connection errors are reported through `onError` (once per outage, not
 * on every reconnect attempt) instead of crashing the process: Redis going away is an expected condition.
 */
export function createRedis(url: string, role: ConnectionRole, onError?: (err: Error) => void): Redis;
export function createRedis(
  url: string,
  role: ConnectionRole,
  onError: ((err: Error) => void) | undefined,
  options: CreateRedisOptions,
): RedisClient;
export function createRedis(
  url: string,
  role: ConnectionRole,
  onError?: (err: Error) => void,
  { cluster = false }: CreateRedisOptions = {},
): RedisClient {
  const client = cluster ? new Cluster(clusterSeeds(url), clusterOptions(url, role)) : new Redis(url, connectionOptions(url, role));
  let reported = false;
  client.on('error', (err: Error) => {
    if (!reported) onError?.(err);
    reported = true;
  });
  client.on('ready', () => {
    reported = false;
  });
  return client;
}

function connectionOptions(url: string, role: ConnectionRole): RedisOptions {
  return {
    lazyConnect: false,
    connectTimeout: 2_000,
    // Keep reconnecting, at most 1 s apart, so recovery after an outage is quick.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5_000 }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true }),
    ...(url.startsWith('rediss://') ? { tls: {} } : {}),
  };
}

/** `host:port` of each comma-separated seed URL. */
function clusterSeeds(urls: string): { host: string; port: number }[] {
  return urls.split(',').map((raw) => {
    const url = new URL(raw.trim());
    return { host: url.hostname, port: Number(url.port || 6379) };
  });
}

/** The standalone options, split the way ioredis's Cluster wants them (per-node options under `redisOptions`). */
function clusterOptions(urls: string, role: ConnectionRole): ClusterOptions {
  const first = new URL(urls.split(',')[0]!.trim());
  const { retryStrategy, enableOfflineQueue, lazyConnect, ...perNode } = connectionOptions(first.toString(), role);
  return {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy as ClusterOptions['clusterRetryStrategy'],
    // Everything Hookflow does is read-your-writes: read from masters only.
    scaleReads: 'master',
    redisOptions: {
      ...perNode,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    },
  };
}

/** Resolves when `client` is ready, or rejects after `timeoutMs` with a message naming the URL (without password). */
export async function waitUntilReady(client: RedisClient, url: string, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis at ${safeRedisUrl(url)} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/** The URL with any password replaced, fit for messages and logs. */
export function safeRedisUrl(url: string): string {
  if (url.includes(','))
    return url
      .split(',')
      .map((one) => safeRedisUrl(one.trim()))
      .join(',');
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
