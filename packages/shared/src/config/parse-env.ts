import { z } from 'zod';
import { ConfigError } from '../errors/config-error.js';

/**
 * Parses `env` with a zod object schema whose keys are environment variable names. Every problem is reported
 * at once, each line naming its variable, so an operator fixes a bad deployment in one pass.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  // Empty strings mean "unset" for every variable: `FOO= npm start` should fall back to the default.
  const cleaned: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') cleaned[name] = value;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  // One line per variable: its first problem is enough to fix it.
  const lines = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? 'environment');
    if (lines.has(name)) continue;
    const value = cleaned[name];
    const received = value === undefined ? 'it is not set' : `got ${JSON.stringify(redactValue(name, value))}`;
    lines.set(name, `${name}: ${issue.message} (${received})`);
  }
  throw ConfigError.ofProblems([...lines.values()]);
}

/** Secret-bearing variables are never echoed back, even when they are wrong. */
function redactValue(name: string, value: string): string {
  return /TOKEN|KEY|SECRET|PASSWORD/i.test(name) ? '<redacted>' : value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/** Reusable field schemas, so every app reads a variable the same way. */
export const envFields = {
  redisUrl: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\/[^\s]+$/.test(v), 'must be a redis:// or rediss:// URL'),
  prefix: z
    .string()
    .default('hookflow')
    .refine((v) => /^[A-Za-z0-9_.:-]{1,64}$/.test(v), 'must be 1-64 characters of letters, digits, _ . : -'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  port: (fallback: number) => {
    const message = 'must be a port number (0-65535)';
    return z.coerce.number(message).int(message).min(0, message).max(65535, message).default(fallback);
  },
  positiveInt: (fallback: number, max = 1_000_000) =>
    z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(fallback),
  masterKey: z
    .string()
    .refine(
      (v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v),
      'must be 32 bytes encoded as base64 (openssl rand -base64 32)',
    ),
  nodeEnv: z.string().default('development'),
  /** A yes/no switch: `1`/`true`/`yes` or `0`/`false`/`no`. */
  flag: (fallback: boolean) =>
    z
      .enum(['1', '0', 'true', 'false', 'yes', 'no'], 'must be 1 or 0 (true/false, yes/no)')
      .default(fallback ? '1' : '0')
      .transform((v) => v === '1' || v === 'true' || v === 'yes'),
};

/**
 * `REDIS_URL` holds one URL, or with `HOOKFLOW_REDIS_CLUSTER=1` a comma-separated list of cluster seed nodes.
 * Use in an app schema's `superRefine`.
 */
export function refineRedisUrlList(env: { REDIS_URL: string; HOOKFLOW_REDIS_CLUSTER: boolean }, ctx: z.RefinementCtx): void {
  const urls = env.REDIS_URL.split(',').map((url) => url.trim());
  if (urls.length > 1 && !env.HOOKFLOW_REDIS_CLUSTER) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message: 'holds several URLs; set HOOKFLOW_REDIS_CLUSTER=1 to connect to a Redis Cluster',
    });
  }
  if (urls.some((url) => !/^rediss?:\/\/[^\s,]+$/.test(url))) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'must be redis:// or rediss:// URLs, comma-separated' });
  }
}
