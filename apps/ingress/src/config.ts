import { z } from 'zod';
import { defaultCanonicalMaxBytes, envFields, parseEnv, refineRedisUrlList } from '@hookflow/shared';

/** What a 202 waits for; see docs/durability.md. */
export const durabilityModes = ['ack', 'fsync', 'replicated'] as const;
export type DurabilityMode = (typeof durabilityModes)[number];

const schema = z
  .object({
    NODE_ENV: envFields.nodeEnv,
    PORT: envFields.port(8080),
    REDIS_URL: envFields.redisUrl,
    /** REDIS_URL names Redis Cluster seed nodes (comma-separated). */
    HOOKFLOW_REDIS_CLUSTER: envFields.flag(false),
    HOOKFLOW_DURABILITY: z.enum(durabilityModes, 'must be ack, fsync or replicated').default('ack'),
    /** `replicated`: replicas that must confirm a batch before its 202. */
    HOOKFLOW_MIN_REPLICAS: envFields.positiveInt(1, 100),
    /** `replicated`: how long WAIT may take before the batch is answered 503. */
    HOOKFLOW_WAIT_TIMEOUT_MS: envFields.positiveInt(500, 60_000),
    HOOKFLOW_REDIS_PREFIX: envFields.prefix,
    HOOKFLOW_PUBLIC_URL: z.url('must be an absolute http(s) URL').optional(),
    HOOKFLOW_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    HOOKFLOW_READONLY_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    HOOKFLOW_MASTER_KEY: envFields.masterKey.optional(),
    LOG_LEVEL: envFields.logLevel,
    /** At LOG_LEVEL=debug, one `/hooks` request in this many is logged (1: every one). */
    HOOKFLOW_LOG_SAMPLE_EVERY: envFields.positiveInt(100, 1_000_000),
    HOOKFLOW_MAX_BACKLOG: z.coerce.number().int('must be a whole number').min(0, 'must be 0 (off) or more').default(100_000),
    HOOKFLOW_CANONICAL_MAX_BYTES: z.coerce
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 (off) or more')
      .max(16 * 1024 * 1024, `must be at most ${16 * 1024 * 1024}`)
      .default(defaultCanonicalMaxBytes),
    HOOKFLOW_REQUEST_TIMEOUT_MS: envFields.positiveInt(30_000, 3_600_000).refine((ms) => ms >= 100, 'must be at least 100'),
    HOOKFLOW_MAX_CONNECTIONS: envFields.positiveInt(10_000, 1_000_000),
    HOOKFLOW_MAX_WEBHOOKS_PER_AGENT: envFields.positiveInt(1_000, 1_000_000),
  })
  .superRefine((env, ctx) => {
    refineRedisUrlList(env, ctx);
    // Outside production `withLocalSecrets` fills these from .hookflow/; here only their absence is checked.
    for (const name of ['HOOKFLOW_ADMIN_TOKEN', 'HOOKFLOW_MASTER_KEY'] as const) {
      if (!env[name])
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `is required${env.NODE_ENV === 'production' ? ' when NODE_ENV=production' : ''}`,
        });
    }
  });

export interface IngressConfig {
  port: number;
  redisUrl: string;
  redisCluster: boolean;
  durability: { mode: DurabilityMode; minReplicas: number; waitTimeoutMs: number };
  prefix: string;
  publicUrl: string;
  adminToken: string;
  readonlyToken: string | undefined;
  masterKey: string;
  logLevel: string;
  /** At debug level, one `/hooks` request in `logSampleEvery` gets a log line (`HOOKFLOW_LOG_SAMPLE_EVERY`, default 100). */
  logSampleEvery: number;
  /** Waiting jobs per queue above which ingest answers 503 (`HOOKFLOW_MAX_BACKLOG`, default 100000; 0 turns it off). */
  maxBacklog: number;
  /** Largest body the `uptiq` canonical fallback re-serialises (`HOOKFLOW_CANONICAL_MAX_BYTES`, default 65536; 0: never). */
  canonicalMaxBytes: number;
  /** Time a request's headers and body have to arrive (`HOOKFLOW_REQUEST_TIMEOUT_MS`, default 30000). */
  requestTimeoutMs: number;
  /** Open connections one ingress accepts (`HOOKFLOW_MAX_CONNECTIONS`, default 10000). */
  maxConnections: number;
  /** Webhooks one agent may have (`HOOKFLOW_MAX_WEBHOOKS_PER_AGENT`, default 1000). */
  maxWebhooksPerAgent: number;
}

/** Reads the ingress configuration from `env`; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const parsed = parseEnv(schema, env);
  return {
    port: parsed.PORT,
    redisUrl: parsed.REDIS_URL,
    redisCluster: parsed.HOOKFLOW_REDIS_CLUSTER,
    durability: {
      mode: parsed.HOOKFLOW_DURABILITY,
      minReplicas: parsed.HOOKFLOW_MIN_REPLICAS,
      waitTimeoutMs: parsed.HOOKFLOW_WAIT_TIMEOUT_MS,
    },
    prefix: parsed.HOOKFLOW_REDIS_PREFIX,
    publicUrl: (parsed.HOOKFLOW_PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
    adminToken: parsed.HOOKFLOW_ADMIN_TOKEN!,
    readonlyToken: parsed.HOOKFLOW_READONLY_TOKEN,
    masterKey: parsed.HOOKFLOW_MASTER_KEY!,
    logLevel: parsed.LOG_LEVEL,
    logSampleEvery: parsed.HOOKFLOW_LOG_SAMPLE_EVERY,
    maxBacklog: parsed.HOOKFLOW_MAX_BACKLOG,
    canonicalMaxBytes: parsed.HOOKFLOW_CANONICAL_MAX_BYTES,
    requestTimeoutMs: parsed.HOOKFLOW_REQUEST_TIMEOUT_MS,
    maxConnections: parsed.HOOKFLOW_MAX_CONNECTIONS,
    maxWebhooksPerAgent: parsed.HOOKFLOW_MAX_WEBHOOKS_PER_AGENT,
  };
}
