import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys } from '@hookflow/shared';

export const testRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one test file, so files run in parallel against one Redis. */
export function testPrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

export function testRedis(url = testRedisUrl): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Deletes every key of `prefix` (registry, deliveries and BullMQ queues alike). */
export async function cleanupPrefix(redis: Redis, prefix: string): Promise<void> {
  const pattern = createKeys(prefix).all;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.unlink(...found);
  } while (cursor !== '0');
}
