import { z } from 'zod';
import { envFields, parseEnv, refineRedisUrlList } from '@hookflow/shared';

const queueList = z
  .string()
  .default('default')
  .transform((v) => v.split(',').map((name) => name.trim()).filter(Boolean))
  .refine((names) => names.length > 0 && names.every((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name)), 'must be a comma-separated list of queue names (letters, digits, _ and -)');

const schema = z.object({
  NODE_ENV: envFields.nodeEnv,
  REDIS_URL: envFields.redisUrl,
  /** REDIS_URL names Redis Cluster seed nodes (comma-separated). */
  HOOKFLOW_REDIS_CLUSTER: envFields.flag(false),
  HOOKFLOW_REDIS_PREFIX: envFields.prefix,
  HOOKFLOW_QUEUES: queueList,
  WORKER_CONCURRENCY: envFields.positiveInt(10, 1000),
  WORKER_PORT: envFields.port(9464),
  HOOKFLOW_MASTER_KEY: envFields.masterKey.optional(),
  /** How long a job's lock lasts without renewal; a killed worker's jobs are picked up again after about this long. */
  HOOKFLOW_LOCK_MS: envFields.positiveInt(10_000, 600_000),
  /** How often workers look for jobs whose lock lapsed (stalled jobs). */
  HOOKFLOW_STALLED_INTERVAL_MS: envFields.positiveInt(5_000, 600_000),
  /** Deliveries kept per webhook (the oldest finished ones are removed first). */
  HOOKFLOW_RETENTION_COUNT: envFields.positiveInt(10_000, 10_000_000),
  /** Seconds a finished delivery is kept (a TTL set when it finishes). */
  HOOKFLOW_RETENTION_SECONDS: envFields.positiveInt(7 * 86_400, 365 * 86_400),
  LOG_LEVEL: envFields.logLevel,
}).superRefine(refineRedisUrlList);

export interface WorkerConfig {
  redisUrl: string;
  redisCluster: boolean;
  prefix: string;
  queues: string[];
  concurrency: number;
  port: number;
  masterKey: string | undefined;
  lockDurationMs: number;
  stalledIntervalMs: number;
  retention: { maxCount: number; maxAgeSeconds: number };
  logLevel: string;
}

/** Reads the worker configuration from `env`; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(schema, env);
  return {
    redisUrl: parsed.REDIS_URL,
    redisCluster: parsed.HOOKFLOW_REDIS_CLUSTER,
    prefix: parsed.HOOKFLOW_REDIS_PREFIX,
    queues: parsed.HOOKFLOW_QUEUES,
    concurrency: parsed.WORKER_CONCURRENCY,
    port: parsed.WORKER_PORT,
    masterKey: parsed.HOOKFLOW_MASTER_KEY,
    lockDurationMs: parsed.HOOKFLOW_LOCK_MS,
    stalledIntervalMs: parsed.HOOKFLOW_STALLED_INTERVAL_MS,
    retention: { maxCount: parsed.HOOKFLOW_RETENTION_COUNT, maxAgeSeconds: parsed.HOOKFLOW_RETENTION_SECONDS },
    logLevel: parsed.LOG_LEVEL,
  };
}
