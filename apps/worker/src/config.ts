import { z } from 'zod';
import { envFields, parseEnv, refineRedisUrlList } from '@hookflow/shared';
import { parseAllowList } from './egress/egress-policy.js';
import { varPrefix } from './expressions/evaluator.js';

const queueList = z
  .string()
  .default('default')
  .transform((v) =>
    v
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .refine(
    (names) => names.length > 0 && names.every((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name)),
    'must be a comma-separated list of queue names (letters, digits, _ and -)',
  );

/** `HOOKFLOW_EGRESS_ALLOW`: comma-separated `host`, `host:port` or CIDR entries; every bad one is named. */
const egressAllow = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const { entries, errors } = parseAllowList(value);
    // One issue naming every bad entry: the configuration error shows one line per variable.
    if (errors.length > 0) ctx.addIssue({ code: 'custom', message: errors.join('; ') });
    return entries;
  });

const schema = z
  .object({
    NODE_ENV: envFields.nodeEnv,
    REDIS_URL: envFields.redisUrl,
    /** REDIS_URL names Redis Cluster seed nodes (comma-separated). */
    HOOKFLOW_REDIS_CLUSTER: envFields.flag(false),
    HOOKFLOW_REDIS_PREFIX: envFields.prefix,
    HOOKFLOW_QUEUES: queueList,
    WORKER_CONCURRENCY: envFields.positiveInt(10, 1000),
    WORKER_PORT: envFields.port(9464),
    HOOKFLOW_MASTER_KEY: envFields.masterKey.optional(),
    /** Base of the signal links of `wait` steps (`signals.<name>.url`): the ingress's public URL. */
    HOOKFLOW_PUBLIC_URL: z.url('must be an absolute http(s) URL').optional(),
    /** The ingress's port, for HOOKFLOW_PUBLIC_URL's default (the ingress's own default): one machine, one environment. */
    PORT: envFields.port(8080),
    /** How long a job's lock lasts without renewal; a killed worker's jobs are picked up again after about this long. */
    HOOKFLOW_LOCK_MS: envFields.positiveInt(10_000, 600_000),
    /** How often workers look for jobs whose lock lapsed (stalled jobs). */
    HOOKFLOW_STALLED_INTERVAL_MS: envFields.positiveInt(5_000, 600_000),
    /**
     * Times a delivery's job may be abandoned by workers that died while running it; then it fails with `worker_crashed`
     * instead of running again (BullMQ's `maxStalledCount`).
     */
    HOOKFLOW_MAX_STALLS: envFields.positiveInt(2, 1000),
    /** Deliveries kept per webhook (the oldest finished ones are removed first). */
    HOOKFLOW_RETENTION_COUNT: envFields.positiveInt(10_000, 10_000_000),
    /** Seconds a finished delivery is kept (a TTL set when it finishes). */
    HOOKFLOW_RETENTION_SECONDS: envFields.positiveInt(7 * 86_400, 365 * 86_400),
    LOG_LEVEL: envFields.logLevel,
    /** OpenAI-compatible API base; unset means OpenAI's when LLM_API_KEY is set, the offline provider otherwise. */
    LLM_BASE_URL: z.url('must be an absolute http(s) URL').optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
    LLM_TIMEOUT_MS: envFields.positiveInt(60_000, 600_000),
    /** Default time budget of a workflow run when neither the webhook nor the workflow sets `timeoutMs`. */
    HOOKFLOW_RUN_TIMEOUT_MS: envFields.positiveInt(300_000, 3_600_000),
    /** Internal services `http`, `notify` and `llm` steps may reach besides public addresses. */
    HOOKFLOW_EGRESS_ALLOW: egressAllow,
    /** Bytes of a response body a step reads before it fails with `response_too_large`. */
    HOOKFLOW_MAX_RESPONSE_BYTES: envFields.positiveInt(5_242_880, 1_073_741_824),
    /** Bytes of JSON a step may store as its output (and a run as its result) before failing with `output_too_large`. */
    HOOKFLOW_MAX_STEP_OUTPUT_BYTES: envFields.positiveInt(1_048_576, 67_108_864),
    /** Heap cap of one run (its thread's old generation): a run over it fails with `resource_exhausted`. */
    HOOKFLOW_RUN_MEMORY_MB: envFields
      .positiveInt(256, 16_384)
      .refine((mb) => mb >= 32, 'must be at least 32 (a run thread needs that much to start)'),
  })
  .superRefine(refineRedisUrlList);

/** Where an API key without a base URL goes: a key alone must not leave the worker on the offline provider. */
export const openAiBaseUrl = 'https://api.openai.com/v1';

export interface WorkerConfig {
  redisUrl: string;
  redisCluster: boolean;
  prefix: string;
  queues: string[];
  concurrency: number;
  port: number;
  masterKey: string | undefined;
  /** Where the ingress is reached from outside: the base of signal links. */
  publicUrl: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalls: number;
  retention: { maxCount: number; maxAgeSeconds: number };
  logLevel: string;
  llm: { baseUrl: string | undefined; apiKey: string | undefined; model: string; timeoutMs: number };
  runTimeoutMs: number;
  /** What the outbound client is built from (`createOutboundHttp`): allowed internal services and the response cap. */
  egress: { allow: string[]; maxResponseBytes: number };
  maxStepOutputBytes: number;
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
    publicUrl: (parsed.HOOKFLOW_PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
    lockDurationMs: parsed.HOOKFLOW_LOCK_MS,
    stalledIntervalMs: parsed.HOOKFLOW_STALLED_INTERVAL_MS,
    maxStalls: parsed.HOOKFLOW_MAX_STALLS,
    retention: { maxCount: parsed.HOOKFLOW_RETENTION_COUNT, maxAgeSeconds: parsed.HOOKFLOW_RETENTION_SECONDS },
    logLevel: parsed.LOG_LEVEL,
    llm: {
      baseUrl: parsed.LLM_BASE_URL?.replace(/\/+$/, '') ?? (parsed.LLM_API_KEY ? openAiBaseUrl : undefined),
      apiKey: parsed.LLM_API_KEY,
      model: parsed.LLM_MODEL,
      timeoutMs: parsed.LLM_TIMEOUT_MS,
    },
    runTimeoutMs: parsed.HOOKFLOW_RUN_TIMEOUT_MS,
    egress: { allow: parsed.HOOKFLOW_EGRESS_ALLOW, maxResponseBytes: parsed.HOOKFLOW_MAX_RESPONSE_BYTES },
    maxStepOutputBytes: parsed.HOOKFLOW_MAX_STEP_OUTPUT_BYTES,
    runMemoryMb: parsed.HOOKFLOW_RUN_MEMORY_MB,
    // Only HOOKFLOW_VAR_* reach workflows as `env.<NAME>`: nothing else of the environment is exposed.
    vars: Object.fromEntries(
      Object.entries(env)
        .filter(
          (entry): entry is [string, string] =>
            entry[0].startsWith(varPrefix) && entry[0].length > varPrefix.length && entry[1] !== undefined,
        )
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
  /** What a run's outbound client is built from (`createOutboundHttp`, one per thread). */
  egress: WorkerConfig['egress'];
  logLevel: string;
}

export function runSettings(config: WorkerConfig): RunSettings {
  return { vars: config.vars, llm: config.llm, egress: config.egress, logLevel: config.logLevel };
}
