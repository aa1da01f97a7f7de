import { z } from 'zod';
import type { TestEventService } from '../domain/test-events.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

export const testEventBody = z.object({ payload: z.unknown().optional() }).strict();

export const testEventResponse = z
  .object({ payload: z.unknown(), response: z.object({ status: z.number().int(), body: z.unknown() }) })
  .meta({ id: 'TestEvent', description: 'the payload sent and what the webhook endpoint answered' });

export const testEventPreviewResponse = z.object({ payload: z.unknown(), source: z.enum(['examples', 'sample']) }).meta({
  id: 'TestEventPreview',
  description: "what a test event without a payload sends: the workflow's first example, else a sample fitting its input schema",
});

/** `POST /webhooks/{id}/test-event` (API.md §5.2) answers with what ingest answered, a refusal (422) included. */
export const testEventEndpoints = defineEndpoints({
  send: {
    method: 'post',
    path: '/webhooks/{webhookId}/test-event',
    summary:
      "Sign a payload (the given one, else the workflow's first example, else a sample fitting its input schema) with the webhook's primary key and POST it to its endpoint (the console's \"Send test event\")",
    tag: 'webhooks',
    body: { schema: testEventBody, optional: true },
    ok: { status: 200, description: 'the payload sent and what the endpoint answered', schema: testEventResponse },
    problems: [400, 404, 503],
  },
  preview: {
    method: 'get',
    path: '/webhooks/{webhookId}/test-event',
    summary: 'The payload a test event without one would send (the console prefills its editor with it)',
    tag: 'webhooks',
    ok: { status: 200, description: 'the payload and where it came from', schema: testEventPreviewResponse },
    problems: [404],
  },
});

export function testEventRoutes({ testEvents }: { testEvents: TestEventService }) {
  return mountEndpoints(testEventEndpoints, {
    // The port this request came in on is one the ingress listens on, whatever PORT said.
    send: ({ params, body, req }) => testEvents.send(params.webhookId, body, req.socket.localPort),
    preview: ({ params }) => testEvents.preview(params.webhookId),
  });
}
