import { z } from 'zod';
import { decodeCursor, problemCatalog, type ProblemCode } from '@hookflow/shared';

/**
 * The pieces every resource's schemas share. Each resource's own request and response schemas sit in its route
 * module, beside the endpoints that validate with them and that the OpenAPI document is generated from.
 */

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
    .optional(),
});

/** `{ items, nextCursor }` around `item`. */
export function listResponse<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/*
 * Response shapes do not validate anything at run time: they type what the handlers return and are what the
 * OpenAPI document shows, mirroring API.md field by field.
 */
export const timestamp = z.string().describe('ISO-8601 UTC timestamp');

/** What went wrong with a delivery, a step, or the presentation of a stored value. */
export const deliveryError = z.object({ code: z.string(), message: z.string() });

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
