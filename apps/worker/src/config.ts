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
  /** OpenAI-compatible API base (for example `https://api.openai.com/v1`); unset means the offline provider. */
  LLM_BASE_URL: z.url('must be an absolute http(s) URL').optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: envFields.positiveInt(60_000, 600_000),
  /** Default time budget of a workflow run when neither the webhook nor the workflow sets `timeoutMs`. */
  HOOKFLOW_RUN_TIMEOUT_MS: envFields.positiveInt(300_000, 3_600_000),
  /** Heap cap of one run (its thread's old generation): a run over it fails with `resource_exhausted`. */
  HOOKFLOW_RUN_MEMORY_MB: envFields.positiveInt(256, 16_384).refine((mb) => mb >= 32, 'must be at least 32 (a run thread needs that much to start)'),
}).superRefine(refineRedisUrlList);

/** Prefix of the variables workflows may read as `env.<NAME>`; nothing else of the environment is exposed. */
const varPrefix = 'HOOKFLOW_VAR_';

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
  llm: { baseUrl: string | undefined; apiKey: string | undefined; model: string; timeoutMs: number };
  runTimeoutMs: number;
  runMemoryMb: number;
  /** `HOOKFLOW_VAR_*` variables without the prefix: the `env` of workflow expressions. */
  vars: Record<string, string>;
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
    llm: { baseUrl: parsed.LLM_BASE_URL?.replace(/\/+$/, ''), apiKey: parsed.LLM_API_KEY, model: parsed.LLM_MODEL, timeoutMs: parsed.LLM_TIMEOUT_MS },
    runTimeoutMs: parsed.HOOKFLOW_RUN_TIMEOUT_MS,
    runMemoryMb: parsed.HOOKFLOW_RUN_MEMORY_MB,
    vars: Object.fromEntries(
      Object.entries(env)
        .filter((entry): entry is [string, string] => entry[0].startsWith(varPrefix) && entry[0].length > varPrefix.length && entry[1] !== undefined)
        .map(([name, value]) => [name.slice(varPrefix.length), value]),
    ),
  };
}

/**
 * What a run's thread needs of the configuration, and nothing else (no Redis URL, no master key): it is handed to
 * every run thread once, at its start. A setting a step needs is one more field here.
 */
export interface RunSettings {
  /** `env` of expressions. */
  vars: Record<string, string>;
  llm: WorkerConfig['llm'];
  logLevel: string;
}

export function runSettings(config: WorkerConfig): RunSettings {
  return { vars: config.vars, llm: config.llm, logLevel: config.logLevel };
}
