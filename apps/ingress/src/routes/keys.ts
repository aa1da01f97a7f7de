import { z } from 'zod';
import { timestamp } from '../api/schemas.js';
import { keyFileName } from '../api/presenters.js';
import type { KeyService } from '../domain/keys.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

export const createKeyBody = z
  .object({
    graceSeconds: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(30 * 86_400)
      .optional(),
    secret: z.string().min(8, 'must be at least 8 characters').max(512).optional(),
  })
  .strict();

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

export const keyEndpoints = defineEndpoints({
  create: {
    method: 'post',
    path: '/webhooks/{webhookId}/keys',
    summary: 'Generate (or store) a new primary key',
    tag: 'keys',
    body: { schema: createKeyBody, optional: true },
    ok: { status: 201, description: 'the key file', schema: keyFileResponse },
    problems: [400, 404],
  },
  privateKey: {
    method: 'get',
    path: '/webhooks/{webhookId}/private-key',
    summary: 'Download the primary key file',
    tag: 'keys',
    // The key file is a secret: reading it is not a read-only operation.
    adminOnly: 'the read-only token cannot download private keys',
    ok: { status: 200, description: 'the key file (attachment)', schema: keyFileResponse },
    problems: [403, 404],
  },
});

export function keyRoutes({ keys }: { keys: KeyService }) {
  return mountEndpoints(keyEndpoints, {
    create: ({ params, body }) => keys.create(params.webhookId, body),
    privateKey: async ({ params, res }) => {
      const keyFile = await keys.primaryKeyFile(params.webhookId);
      res.setHeader('Content-Disposition', `attachment; filename="${keyFileName(keyFile.webhookId)}"`);
      res.setHeader('Cache-Control', 'no-store');
      return keyFile;
    },
  });
}
