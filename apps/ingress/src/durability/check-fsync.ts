import { Cluster } from 'ioredis';
import { safeRedisUrl, waitUntilReady, type RedisClient } from '@hookflow/shared';

/**
 * For `HOOKFLOW_DURABILITY=fsync`: checks that every master fsyncs its AOF before it answers a write
 * (`appendonly yes`, `appendfsync always`). Returns why not as one readable line, or null when it does.
 */
export async function checkFsyncDurability(redis: RedisClient, url: string, timeoutMs = 10_000): Promise<string | null> {
  const prefix = 'HOOKFLOW_DURABILITY=fsync needs Redis with appendonly yes and appendfsync always';
  try {
    await waitUntilReady(redis, url, timeoutMs);
    const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      const appendonly = await configValue(node, 'appendonly');
      const appendfsync = await configValue(node, 'appendfsync');
      if (appendonly !== 'yes' || appendfsync !== 'always') {
        const where = `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
        return `${prefix}, but ${where} has appendonly ${appendonly}, appendfsync ${appendfsync}`;
      }
    }
    return null;
  } catch (err) {
    // Managed services often disable CONFIG: then the setting cannot be verified, and fsync mode cannot be promised.
    return `${prefix}; could not check it at ${safeRedisUrl(url)}: ${(err as Error).message}`;
  }
}

async function configValue(node: { config: (op: 'GET', name: string) => Promise<unknown> }, name: string): Promise<string> {
  const reply = (await node.config('GET', name)) as string[];
  return reply[1] ?? '(unknown)';
}
