import { z } from 'zod';
import {
  consoleSignInBody,
  agentResponse,
  createAgentBody,
  createKeyBody,
  createWebhookBody,
  deliveryResponse,
  healthResponse,
  ingestAcceptedResponse,
  ingestDuplicateResponse,
  keyFileResponse,
  listDeliveriesQuery,
  listQuery,
  listResponse,
  problemResponse,
  queueResponse,
  recordResponse,
  replayResponse,
  retryFailedResponse,
  signalResumedResponse,
  outboundSecretResponse,
  rotateOutboundSecretBody,
  testEventBody,
  testEventPreviewResponse,
  testEventResponse,
  updateWebhookBody,
  webhookResponse,
  workflowSummaryResponse,
} from './schemas.js';

type JsonSchema = Record<string, unknown>;

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** Needs the admin bearer token (everything under /api/v1). */
  admin?: boolean;
  query?: z.ZodObject;
  /** A zod schema, or a raw JSON Schema where the body is free-form (a webhook payload). */
  body?: z.ZodType | JsonSchema;
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  ok: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Status codes answered with problem+json. */
  problems: number[];
}

const api = '/api/v1';
const anyJson: JsonSchema = { description: 'any JSON value' };
const workflowDefinition: JsonSchema = {
  type: 'object',
  description: 'a workflow definition (see DESIGN.md: name, description, input, examples, retry, timeoutMs, concurrency, debounce, steps, output)',
};

/** Every endpoint of API.md (the OpenAPI test checks the list against API.md). Add a route here when you add one. */
const operations: Operation[] = [
  {
    method: 'post',
    path: '/hooks/{webhookId}',
    summary: 'Ingest a signed event',
    tag: 'ingest',
    body: anyJson,
    headers: [
      { name: 'x-signature', description: 'scheme uptiq: hex HMAC-SHA256 of the body (optional sha256= prefix); other schemes use their own headers' },
      { name: 'idempotency-key', description: 'dedupe key: a repeat inside the window runs the workflow once' },
    ],
    ok: { status: 202, description: 'stored and queued (or held while the webhook is paused)', schema: ingestAcceptedResponse },
    problems: [400, 401, 403, 404, 413, 415, 422, 429, 503],
  },
  {
    method: 'post',
    path: '/signals/{token}',
    summary: "A wait step's signed link: the token is the credential (one delivery, one signal, until the wait's deadline; one use). The JSON body becomes the step's output",
    tag: 'signals',
    body: anyJson,
    ok: { status: 202, description: 'resumed', schema: signalResumedResponse },
    problems: [400, 401, 404, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/signals/{token}',
    summary: 'The page a person opening the link sees: the signal and its deadline, with Approve / Reject buttons that POST to the same URL (an invalid link: a 401 page)',
    tag: 'signals',
    ok: { status: 200, description: 'HTML page', contentType: 'text/html' },
    problems: [],
  },
  { method: 'get', path: '/healthz', summary: 'Liveness', tag: 'health', ok: { status: 200, description: 'the process runs', schema: healthResponse }, problems: [] },
  { method: 'get', path: '/readyz', summary: 'Readiness', tag: 'health', ok: { status: 200, description: 'the store is reachable', schema: healthResponse }, problems: [] },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'health',
    ok: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' },
    problems: [],
  },
  { method: 'get', path: `${api}/openapi.json`, summary: 'This document', tag: 'meta', ok: { status: 200, description: 'OpenAPI 3.1' }, problems: [] },
  { method: 'post', path: `${api}/agents`, summary: 'Create an agent', tag: 'agents', admin: true, body: createAgentBody, ok: { status: 201, description: 'created', schema: agentResponse }, problems: [400] },
  { method: 'get', path: `${api}/agents`, summary: 'List agents', tag: 'agents', admin: true, query: listQuery, ok: { status: 200, description: 'a page of agents', schema: listResponse(agentResponse) }, problems: [400] },
  { method: 'get', path: `${api}/agents/{agentId}`, summary: 'Get an agent', tag: 'agents', admin: true, ok: { status: 200, description: 'the agent', schema: agentResponse }, problems: [404] },
  { method: 'delete', path: `${api}/agents/{agentId}`, summary: 'Delete an agent', tag: 'agents', admin: true, ok: { status: 204, description: 'deleted' }, problems: [404, 409] },
  { method: 'get', path: `${api}/workflows`, summary: 'List workflows', tag: 'workflows', admin: true, ok: { status: 200, description: 'workflows', schema: listResponse(workflowSummaryResponse) }, problems: [] },
  { method: 'put', path: `${api}/workflows/{name}`, summary: 'Create or version a workflow definition', tag: 'workflows', admin: true, body: workflowDefinition, ok: { status: 201, description: 'created (200 for a new version)', schema: workflowSummaryResponse }, problems: [400] },
  { method: 'get', path: `${api}/workflows/{name}`, summary: 'Get a workflow', tag: 'workflows', admin: true, ok: { status: 200, description: 'the workflow' }, problems: [404] },
  { method: 'delete', path: `${api}/workflows/{name}`, summary: 'Delete a workflow', tag: 'workflows', admin: true, ok: { status: 204, description: 'deleted' }, problems: [404, 409] },
  { method: 'get', path: `${api}/agents/{agentId}/records/{collection}`, summary: "List an agent's records in a collection", tag: 'records', admin: true, query: listQuery, ok: { status: 200, description: 'a page of records', schema: listResponse(recordResponse) }, problems: [400, 404] },
  { method: 'get', path: `${api}/agents/{agentId}/records/{collection}/{key}`, summary: 'Get one agent record', tag: 'records', admin: true, ok: { status: 200, description: 'the record', schema: recordResponse }, problems: [404] },
  { method: 'post', path: `${api}/agents/{agentId}/webhooks`, summary: 'Create a webhook for an agent', tag: 'webhooks', admin: true, body: createWebhookBody, ok: { status: 201, description: 'created', schema: webhookResponse }, problems: [400, 404, 409, 422] },
  { method: 'get', path: `${api}/agents/{agentId}/webhooks`, summary: "List an agent's webhooks, oldest first", tag: 'webhooks', admin: true, query: listQuery, ok: { status: 200, description: 'a page of webhooks', schema: listResponse(webhookResponse) }, problems: [400, 404] },
  { method: 'get', path: `${api}/webhooks/{webhookId}`, summary: 'Get a webhook', tag: 'webhooks', admin: true, ok: { status: 200, description: 'the webhook', schema: webhookResponse }, problems: [404] },
  {
    method: 'patch',
    path: `${api}/webhooks/{webhookId}`,
    summary: 'Change a webhook (paused holds deliveries; enabled releases them in arrival order)',
    tag: 'webhooks',
    admin: true,
    body: updateWebhookBody,
    ok: { status: 200, description: 'the changed webhook', schema: webhookResponse },
    problems: [400, 404, 422],
  },
  { method: 'delete', path: `${api}/webhooks/{webhookId}`, summary: 'Delete a webhook', tag: 'webhooks', admin: true, ok: { status: 204, description: 'deleted' }, problems: [404] },
  { method: 'post', path: `${api}/webhooks/{webhookId}/keys`, summary: 'Generate (or store) a new primary key', tag: 'keys', admin: true, body: createKeyBody, ok: { status: 201, description: 'the key file', schema: keyFileResponse }, problems: [400, 404] },
  { method: 'get', path: `${api}/webhooks/{webhookId}/private-key`, summary: 'Download the primary key file', tag: 'keys', admin: true, ok: { status: 200, description: 'the key file (attachment)', schema: keyFileResponse }, problems: [404] },
  {
    method: 'get',
    path: `${api}/webhooks/{webhookId}/deliveries`,
    summary: "List a webhook's deliveries, newest first",
    tag: 'deliveries',
    admin: true,
    query: listDeliveriesQuery,
    ok: { status: 200, description: 'a page of deliveries', schema: listResponse(deliveryResponse) },
    problems: [400, 404],
  },
  { method: 'get', path: `${api}/deliveries/{deliveryId}`, summary: 'Get a delivery', tag: 'deliveries', admin: true, ok: { status: 200, description: 'the delivery', schema: deliveryResponse }, problems: [404] },
  {
    method: 'post',
    path: `${api}/deliveries/{deliveryId}/cancel`,
    summary: 'Cancel a held, queued, retrying, waiting or running delivery; it never runs again (409 once it ended)',
    tag: 'deliveries',
    admin: true,
    ok: { status: 200, description: 'the cancelled delivery', schema: deliveryResponse },
    problems: [404, 409],
  },
  {
    method: 'post',
    path: `${api}/deliveries/{deliveryId}/signals/{name}`,
    summary: 'Resume a delivery waiting at a wait step for signal {name}: the JSON body (none: null) becomes the step output; once per signal',
    tag: 'signals',
    admin: true,
    body: anyJson,
    ok: { status: 202, description: 'resumed', schema: signalResumedResponse },
    problems: [400, 404, 409],
  },
  {
    method: 'post',
    path: `${api}/deliveries/{deliveryId}/replay`,
    summary: 'Run the current workflow again on the stored payload, as a new delivery',
    tag: 'deliveries',
    admin: true,
    ok: { status: 202, description: 'the new delivery', schema: replayResponse },
    problems: [404],
  },
  {
    method: 'post',
    path: `${api}/webhooks/{webhookId}/deliveries/retry-failed`,
    summary: 'Run every failed delivery of the webhook again',
    tag: 'deliveries',
    admin: true,
    ok: { status: 202, description: 'how many were re-enqueued', schema: retryFailedResponse },
    problems: [404],
  },
  { method: 'get', path: `${api}/queues`, summary: 'Queues with job counts and workers', tag: 'queues', admin: true, ok: { status: 200, description: 'queues', schema: listResponse(queueResponse) }, problems: [] },
  {
    method: 'post',
    path: `${api}/webhooks/{webhookId}/test-event`,
    summary: "Sign a payload (the given one, else the workflow's first example, else a sample fitting its input schema) with the webhook's primary key and POST it to its endpoint (the console's \"Send test event\")",
    tag: 'webhooks',
    admin: true,
    body: testEventBody,
    ok: { status: 200, description: 'the payload sent and what the endpoint answered', schema: testEventResponse },
    problems: [400, 404, 503],
  },
  {
    method: 'get',
    path: `${api}/webhooks/{webhookId}/test-event`,
    summary: 'The payload a test event without one would send (the console prefills its editor with it)',
    tag: 'webhooks',
    admin: true,
    ok: { status: 200, description: 'the payload and where it came from', schema: testEventPreviewResponse },
    problems: [404],
  },
  {
    method: 'get',
    path: `${api}/agents/{agentId}/outbound-secret`,
    summary: "The secret the agent's notify steps sign with (Standard Webhooks), for receivers to verify; admin token only",
    tag: 'agents',
    admin: true,
    ok: { status: 200, description: 'the outbound secret', schema: outboundSecretResponse },
    problems: [403, 404],
  },
  {
    method: 'post',
    path: `${api}/agents/{agentId}/outbound-secret`,
    summary: 'Rotate the outbound secret; the old one keeps signing alongside for graceSeconds (default 86400)',
    tag: 'agents',
    admin: true,
    body: rotateOutboundSecretBody,
    ok: { status: 200, description: 'the new outbound secret', schema: outboundSecretResponse },
    problems: [400, 403, 404],
  },
  {
    method: 'post',
    path: '/console/session',
    summary: 'Console sign-in: sets the httpOnly, SameSite=Strict session cookie; writes made with it need x-csrf-token',
    tag: 'console',
    body: consoleSignInBody,
    ok: { status: 201, description: '{ signedIn, role, csrfToken, expiresAt }' },
    problems: [400, 401],
  },
  { method: 'get', path: '/console/session', summary: 'Whether this browser is signed in, with its CSRF token', tag: 'console', ok: { status: 200, description: '{ signedIn, role?, csrfToken?, expiresAt? }' }, problems: [] },
  { method: 'delete', path: '/console/session', summary: 'Console sign-out: ends the session and clears its cookie', tag: 'console', ok: { status: 204, description: 'signed out' }, problems: [] },
  {
    method: 'get',
    path: '/admin/queues',
    summary: 'Queue dashboard (Bull Board); bearer token, Basic with the token as password, or the console session',
    tag: 'queues',
    admin: true,
    ok: { status: 200, description: 'HTML page', contentType: 'text/html' },
    problems: [],
  },
];

/**
 * One zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). Schemas named with `.meta({ id })` come out as
 * `$defs`; they are moved to `components.schemas` (collected in `components`) and referenced from there.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  Object.assign(components, $defs ?? {});
  return rest;
}

/** The OpenAPI 3.1 document of the whole HTTP surface, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1]!, in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = op.query
      ? Object.entries(op.query.shape).map(([name, field]) => ({
          name,
          in: 'query',
          required: !(field as z.ZodType).safeParse(undefined).success,
          schema: toSchema(field as z.ZodType, 'input', schemas),
        }))
      : [];
    const headerParams = (op.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {
      [String(op.ok.status)]: {
        description: op.ok.description,
        ...(op.ok.schema
          ? { content: { 'application/json': { schema: toSchema(op.ok.schema, 'output', schemas) } } }
          : op.ok.contentType
            ? { content: { [op.ok.contentType]: { schema: { type: 'string' } } } }
            : {}),
      },
    };
    if (op.path === '/hooks/{webhookId}') {
      responses['200'] = { description: 'a repeated dedupe key: the first delivery', content: { 'application/json': { schema: toSchema(ingestDuplicateResponse, 'output', schemas) } } };
    }
    const problems = [...op.problems, ...(op.admin ? [401, 403] : [])];
    for (const status of [...new Set(problems)].sort()) {
      responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
    }
    const operation = {
      operationId: operationId(op),
      summary: op.summary,
      tags: [op.tag],
      ...(op.admin ? { security: [{ adminToken: [] }] } : { security: [] }),
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body instanceof z.ZodType ? toSchema(op.body, 'input', schemas) : op.body } } } } : {}),
      responses,
    };
    (paths[op.path] ??= {})[op.method] = operation;
  }

  toSchema(problemResponse, 'output', schemas); // registers components.schemas.Problem
  const statuses = [...new Set(operations.flatMap((op) => [...op.problems, ...(op.admin ? [401, 403] : [])]))].sort();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookflow',
      version: '1.0.0',
      description: 'Signed webhooks in, AI-agent workflows out. Every error is application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'HOOKFLOW_ADMIN_TOKEN (or the read-only token for reads)' } },
      schemas,
      responses: Object.fromEntries(
        statuses.map((status) => [
          `Problem${status}`,
          { description: `problem+json (status ${status})`, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        ]),
      ),
    },
  };
}

function operationId(op: Operation): string {
  const words = op.path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()));
  return [op.method, ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}
