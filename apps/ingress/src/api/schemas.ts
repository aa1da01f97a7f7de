import { z } from 'zod';
import { decodeCursor, deliveryStatuses, maxOutboundGraceSeconds, problemCatalog, schemeNames, webhookOptionsSchema, webhookStatuses, type ProblemCode } from '@hookflow/shared';

/** Request schemas of the admin API: they validate bodies and (later) generate the OpenAPI document. */

export const createAgentBody = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    description: z.string().max(2000, 'must be at most 2000 characters').optional(),
  })
  .strict();

const schemeField = z.string().refine((name) => schemeNames().includes(name), { message: `must be one of the supported schemes` });
const workflowName = z.string().min(1, 'must not be empty').max(100);

export const createWebhookBody = z
  .object({
    workflow: workflowName,
    name: z.string().trim().min(1).max(100).optional(),
    scheme: schemeField.optional(),
    options: webhookOptionsSchema.optional(),
  })
  .strict();

export const updateWebhookBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    workflow: workflowName.optional(),
    status: z.enum(webhookStatuses).optional(),
    options: webhookOptionsSchema.optional(),
  })
  .strict();

export const createKeyBody = z
  .object({
    graceSeconds: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(30 * 86_400).optional(),
    secret: z.string().min(8, 'must be at least 8 characters').max(512).optional(),
  })
  .strict();

export const rotateOutboundSecretBody = z
  .object({
    graceSeconds: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(maxOutboundGraceSeconds, 'must be at most 2592000 (30 days)').optional(),
  })
  .strict();

export const testEventBody = z.object({ payload: z.unknown().optional() }).strict();

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
    .optional(),
});

export const listDeliveriesQuery = listQuery.extend({
  status: z.enum(deliveryStatuses).optional(),
});

/*
 * Response shapes. They do not validate anything at run time; they exist so the OpenAPI document is generated
 * from zod like the request side, and they mirror API.md field by field.
 */
const timestamp = z.string().describe('ISO-8601 UTC timestamp');

export const problemResponse = z
  .object({
    type: z.literal('about:blank'),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(problemCatalog) as [ProblemCode, ...ProblemCode[]]),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable machine-readable code' });

export const agentResponse = z
  .object({ id: z.string(), name: z.string(), description: z.string(), createdAt: timestamp })
  .meta({ id: 'Agent' });

/** An agent record written by `store` steps. */
const deliveryError = z.object({ code: z.string(), message: z.string() });

export const recordResponse = z
  .object({
    collection: z.string(),
    key: z.string(),
    /** Null only when the stored value cannot be shown (then `presentationError` says so). */
    value: z.record(z.string(), z.unknown()).nullable(),
    updatedAt: timestamp,
    presentationError: deliveryError.optional(),
  })
  .meta({ id: 'AgentRecord' });

export const webhookResponse = z
  .object({
    id: z.string(),
    agentId: z.string(),
    name: z.string(),
    workflow: z.string(),
    scheme: z.string(),
    status: z.enum(webhookStatuses),
    endpoint: z.string(),
    keys: z.array(z.object({ id: z.string(), primary: z.boolean(), createdAt: timestamp, expiresAt: timestamp.nullable() })),
    options: webhookOptionsSchema,
    createdAt: timestamp,
  })
  .meta({ id: 'Webhook' });

export const keyFileResponse = z
  .object({
    webhookId: z.string(),
    keyId: z.string(),
    privateKey: z.string(),
    algorithm: z.literal('HMAC-SHA256'),
    scheme: z.string(),
    signatureHeader: z.string(),
    endpoint: z.string(),
    createdAt: timestamp,
  })
  .meta({ id: 'KeyFile' });

export const outboundSecretResponse = z
  .object({ secret: z.string().describe('whsec_<base64>'), scheme: z.literal('standard-webhooks'), previousExpiresAt: timestamp.nullable() })
  .meta({ id: 'OutboundSecret', description: "the secret the agent's notify steps sign with; previousExpiresAt: when the secret a rotation replaced stops signing" });

export const testEventResponse = z
  .object({ payload: z.unknown(), response: z.object({ status: z.number().int(), body: z.unknown() }) })
  .meta({ id: 'TestEvent', description: 'the payload sent and what the webhook endpoint answered' });

export const testEventPreviewResponse = z
  .object({ payload: z.unknown(), source: z.enum(['examples', 'sample']) })
  .meta({ id: 'TestEventPreview', description: "what a test event without a payload sends: the workflow's first example, else a sample fitting its input schema" });

export const workflowSummaryResponse = z
  .object({ name: z.string(), description: z.string(), source: z.enum(['builtin', 'definition']), version: z.number().int() })
  .meta({ id: 'WorkflowSummary' });


export const deliveryResponse = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    agentId: z.string(),
    workflow: z.string(),
    status: z.enum(deliveryStatuses),
    receivedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    attempts: z.number().int(),
    dedupeKey: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    payload: z.unknown(),
    result: z.unknown(),
    error: deliveryError.nullable(),
    /** Only when part of the stored record cannot be shown: those fields are shown empty, this names them. */
    presentationError: deliveryError.optional(),
    steps: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        status: z.enum(['running', 'succeeded', 'failed', 'skipped']),
        attempts: z.number().int(),
        startedAt: timestamp.nullable(),
        finishedAt: timestamp.nullable(),
        output: z.unknown().optional(),
        error: deliveryError.optional(),
      }),
    ),
    replayOf: z.string().nullable(),
    cancelledAt: timestamp.nullable(),
    /** The value of the concurrency key it is counted under (API.md §5.4). */
    concurrencyKey: z.string().nullable(),
    /** The value of its debounce key. */
    debounceKey: z.string().nullable(),
    /** The later delivery of the same debounce key that replaced it (status `superseded`). */
    supersededBy: z.string().nullable(),
    /** While it is parked behind its concurrency key: the delivery holding the slot it waits for. */
    waitingBehind: z.string().nullable(),
    /** While it is `waiting` at a `wait` step: the step, its signal and when the wait times out. */
    waitingFor: z.object({ stepId: z.string(), signal: z.string(), expiresAt: timestamp }).nullable(),
  })
  .meta({ id: 'Delivery' });

export const signalResumedResponse = z
  .object({ deliveryId: z.string(), signal: z.string(), status: z.literal('resumed') })
  .meta({ id: 'SignalResumed', description: 'the signal was taken: the wait step finished with its body, and the delivery goes on' });

export const replayResponse = z
  .object({ deliveryId: z.string(), replayOf: z.string(), status: z.enum(['queued', 'held']).optional() })
  .meta({ id: 'ReplayAccepted' });

export const retryFailedResponse = z.object({ retried: z.number().int().min(0) }).meta({ id: 'RetryFailedAccepted' });

export const queueResponse = z
  .object({
    name: z.string(),
    counts: z.object({
      waiting: z.number().int(),
      active: z.number().int(),
      delayed: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      paused: z.number().int().describe('jobs waiting in a paused queue (BullMQ 6 keeps them in wait); 0 while the queue runs'),
    }),
    workers: z.number().int(),
    isPaused: z.boolean().optional(),
  })
  .meta({ id: 'Queue' });

export const ingestAcceptedResponse = z
  .object({ deliveryId: z.string(), status: z.enum(['queued', 'held']) })
  .meta({ id: 'IngestAccepted' });

export const ingestDuplicateResponse = z
  .object({ deliveryId: z.string(), status: z.literal('duplicate') })
  .meta({ id: 'IngestDuplicate' });

export const healthResponse = z.object({ status: z.string() }).meta({ id: 'Health' });

/** `{ items, nextCursor }` around `item`. */
export function listResponse<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `POST /console/session`: the admin (or read-only) token, exchanged for the console's session cookie. */
export const consoleSignInBody = z.object({ token: z.string().min(1, 'must not be empty').max(1000) }).strict();
