import { LuaScript, type Keys, type RedisClient, type WebhookRecord } from '@hookflow/shared';

/**
 * Fixed-window counter: INCR, start the window on the first hit, return the count and the window's remaining
 * milliseconds. One round trip, atomic, and shared by every ingress replica because it lives in Redis.
 */
const hitScript = new LuaScript(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`);

export type RateLimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** The ingest path's `rateLimit` extension: counts one authentic request against the webhook's `rateLimit` option. */
export function createRateLimiter(redis: RedisClient, keys: Keys): (webhook: WebhookRecord) => Promise<RateLimitVerdict> {
  return async (webhook) => {
    const limit = webhook.options.rateLimit;
    if (!limit) return { ok: true };
    const [count, ttlMs] = (await hitScript.run(redis, [keys.rateLimit(webhook.id)], [limit.perSeconds * 1000])) as [number, number];
    if (count <= limit.max) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  };
}
