import { Redis, type Cluster, type RedisOptions } from 'ioredis';

/** A standalone connection or a Cluster client: everything Hookflow stores works on both (keys are hash-tagged). */
export type RedisClient = Redis | Cluster;

export type ConnectionRole =
  /** Answers HTTP requests: commands fail at once while Redis is down, so the ingress can answer 503. */
  | 'producer'
  /** BullMQ workers and blocking readers: wait for Redis to come back instead of failing each command. */
  | 'worker'
  /** Pub/sub subscriber. */
  | 'subscriber';

/**
 * Opens an ioredis connection for a role. Connection errors are reported through `onError` (once per outage, not
 * on every reconnect attempt) instead of crashing the process: Redis going away is an expected condition.
 */
export function createRedis(url: string, role: ConnectionRole, onError?: (err: Error) => void): Redis {
  const options: RedisOptions = {
    lazyConnect: false,
    connectTimeout: 2_000,
    // Keep reconnecting, at most 1 s apart, so recovery after an outage is quick.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5_000 }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true }),
    ...(url.startsWith('rediss://') ? { tls: {} } : {}),
  };
  const client = new Redis(url, options);
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

/** Resolves when `client` is ready, or rejects after `timeoutMs` with a message naming the URL (without password). */
export async function waitUntilReady(client: Redis, url: string, timeoutMs = 5_000): Promise<void> {
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
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
