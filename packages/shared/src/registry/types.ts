import { z } from 'zod';
import { defaultBackoff } from '@hookflow/protocol';
import { presentableJsonDepth } from '../json/json-depth.js';
import { backoffSchema, concurrencySchema, debounceSchema } from '../workflows/definition-schema.js';

export const webhookStatuses = ['enabled', 'disabled', 'paused'] as const;
export type WebhookStatus = (typeof webhookStatuses)[number];

/** The highest `maxDepth` a webhook may set: what is stored must stay presentable by the admin API. */
export const maxWebhookDepth = presentableJsonDepth;

/** Per-webhook options of API.md; every field optional, defaults in `webhookDefaults`. */
export const webhookOptionsSchema = z
  .object({
    maxBodyBytes: z
      .number()
      .int()
      .min(1)
      .max(16 * 1024 * 1024)
      .optional(),
    /** Deepest nesting of arrays and objects an authentic body may have (400 `payload_too_deep` past it). */
    maxDepth: z.number().int().min(1).max(maxWebhookDepth).optional(),
    rateLimit: z
      .object({ max: z.number().int().min(1).max(1_000_000), perSeconds: z.number().int().min(1).max(86_400) })
      .strict()
      .nullable()
      .optional(),
    dedupe: z
      .object({
        header: z
          .string()
          .min(1)
          .max(100)
          .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
          .optional(),
        windowSeconds: z
          .number()
          .int()
          .min(1)
          .max(30 * 86_400),
      })
      .strict()
      .optional(),
    attempts: z.number().int().min(1).max(100).optional(),
    backoff: backoffSchema.optional(),
    timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
    queue: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
      .optional(),
    /** Flow control per key (API.md §5.4); wins over the bound workflow's own. */
    concurrency: concurrencySchema.optional(),
    debounce: debounceSchema.optional(),
  })
  .strict();
export type WebhookOptions = z.infer<typeof webhookOptionsSchema>;

export const webhookDefaults = {
  maxBodyBytes: 1024 * 1024,
  maxDepth: 64,
  dedupeWindowSeconds: 24 * 3600,
  attempts: 3,
  backoff: defaultBackoff,
  queue: 'default',
} as const;

export interface Agent {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface WebhookKeyMeta {
  id: string;
  primary: boolean;
  createdAt: string;
  expiresAt: string | null;
}

/** A webhook as stored (no secrets, no endpoint: the endpoint depends on the public URL of the installation). */
export interface WebhookRecord {
  id: string;
  agentId: string;
  name: string;
  workflow: string;
  scheme: string;
  status: WebhookStatus;
  options: WebhookOptions;
  createdAt: string;
}

export interface Webhook extends WebhookRecord {
  keys: WebhookKeyMeta[];
}

/** A key with its secret in the clear: lives only in memory (the ingress cache) and in the key file. */
export interface WebhookSecret {
  id: string;
  secret: string;
  primary: boolean;
  createdAt: string;
  expiresAt: string | null;
}
