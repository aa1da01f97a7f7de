import { z } from 'zod';
import { decodeCursor, schemeNames, webhookOptionsSchema, webhookStatuses } from '@hookflow/shared';

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

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
    .optional(),
});
