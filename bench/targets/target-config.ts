import { z } from 'zod';
import { envFields, parseEnv } from '@hookflow/shared';

const schema = z.object({
  PORT: envFields.port(0),
  REDIS_URL: envFields.redisUrl,
  HOOKFLOW_REDIS_PREFIX: envFields.prefix,
  /** The HMAC key the naive handler verifies with (the webhook's private key string). */
  BENCH_SECRET: z.string().min(1).optional(),
  /** Queue the naive handler fills and the raw worker drains. */
  BENCH_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('bench'),
  WORKER_CONCURRENCY: envFields.positiveInt(10, 1000),
});

export interface TargetConfig {
  port: number;
  redisUrl: string;
  prefix: string;
  secret: string | undefined;
  queue: string;
  concurrency: number;
}

/** Configuration of the baseline processes the bench spawns (bare Express, naive handler, raw worker). */
export function loadTargetConfig(env: NodeJS.ProcessEnv = process.env): TargetConfig {
  const parsed = parseEnv(schema, env);
  return {
    port: parsed.PORT,
    redisUrl: parsed.REDIS_URL,
    prefix: parsed.HOOKFLOW_REDIS_PREFIX,
    secret: parsed.BENCH_SECRET,
    queue: parsed.BENCH_QUEUE,
    concurrency: parsed.WORKER_CONCURRENCY,
  };
}
