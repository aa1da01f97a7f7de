import { z } from 'zod';
import { envFields, parseEnv } from '@hookflow/shared';

const schema = z
  .object({
    NODE_ENV: envFields.nodeEnv,
    PORT: envFields.port(8080),
    REDIS_URL: envFields.redisUrl,
    HOOKFLOW_REDIS_PREFIX: envFields.prefix,
    HOOKFLOW_PUBLIC_URL: z.url('must be an absolute http(s) URL').optional(),
    HOOKFLOW_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    HOOKFLOW_READONLY_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    HOOKFLOW_MASTER_KEY: envFields.masterKey.optional(),
    LOG_LEVEL: envFields.logLevel,
    HOOKFLOW_MAX_BACKLOG: z.coerce.number().int('must be a whole number').min(0, 'must be 0 (off) or more').default(100_000),
  })
  .superRefine((env, ctx) => {
    // Outside production `withLocalSecrets` fills these from .hookflow/; here only their absence is checked.
    for (const name of ['HOOKFLOW_ADMIN_TOKEN', 'HOOKFLOW_MASTER_KEY'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `is required${env.NODE_ENV === 'production' ? ' when NODE_ENV=production' : ''}` });
    }
  });

export interface IngressConfig {
  port: number;
  redisUrl: string;
  prefix: string;
  publicUrl: string;
  adminToken: string;
  readonlyToken: string | undefined;
  masterKey: string;
  logLevel: string;
  /** Waiting jobs per queue above which ingest answers 503 (`HOOKFLOW_MAX_BACKLOG`, default 100000; 0 turns it off). */
  maxBacklog: number;
}

/** Reads the ingress configuration from `env`; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const parsed = parseEnv(schema, env);
  return {
    port: parsed.PORT,
    redisUrl: parsed.REDIS_URL,
    prefix: parsed.HOOKFLOW_REDIS_PREFIX,
    publicUrl: (parsed.HOOKFLOW_PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
    adminToken: parsed.HOOKFLOW_ADMIN_TOKEN!,
    readonlyToken: parsed.HOOKFLOW_READONLY_TOKEN,
    masterKey: parsed.HOOKFLOW_MASTER_KEY!,
    logLevel: parsed.LOG_LEVEL,
    maxBacklog: parsed.HOOKFLOW_MAX_BACKLOG,
  };
}
