import { describe, expect, it } from 'vitest';
import { compileInputSchema } from '@hookflow/shared';
import { useStack } from '../support/use-stack.js';

/** `POST /webhooks/{id}/test-event` (API.md §5.2): the given payload, else the first example, else a fitting sample. */
const ctx = useStack('test-events', { worker: false });

const input = {
  type: 'object',
  required: ['orderId', 'amount', 'status'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    amount: { type: 'integer', minimum: 1 },
    status: { type: 'string', enum: ['paid', 'refunded'] },
    note: { type: 'string' },
  },
};
const steps = [{ id: 'echo', type: 'transform', expression: 'payload' }];

async function webhookFor(definition: Record<string, unknown>) {
  const name = definition.name as string;
  const put = await ctx.api.call('PUT', `/workflows/${name}`, definition);
  expect(put.status, JSON.stringify(put.body)).toBe(201);
  return ctx.api.setupWebhook(name);
}

async function storedPayload(answer: { body: any }) {
  expect(answer.body.response, JSON.stringify(answer.body)).toMatchObject({
    status: 202,
    body: { deliveryId: expect.stringMatching(/^dlv_/) },
  });
  return (await ctx.api.get(`/deliveries/${answer.body.response.body.deliveryId}`)).body.payload;
}

describe('test events', () => {
  it("sends the workflow's first example when no payload is given, and GET shows it beforehand", async () => {
    const { webhookId } = await webhookFor({
      name: 'orders-examples',
      input,
      examples: [
        { orderId: 'o-1', amount: 250, status: 'paid' },
        { orderId: 'o-2', amount: 1, status: 'refunded' },
      ],
      steps,
    });
    expect((await ctx.api.get(`/webhooks/${webhookId}/test-event`)).body).toEqual({
      payload: { orderId: 'o-1', amount: 250, status: 'paid' },
      source: 'examples',
    });
    const sent = await ctx.api.post(`/webhooks/${webhookId}/test-event`);
    expect(sent.status).toBe(200);
    expect(sent.body.payload).toEqual({ orderId: 'o-1', amount: 250, status: 'paid' });
    expect(await storedPayload(sent)).toEqual(sent.body.payload);
  });

  it('sends the given payload as is (null included) instead of the example', async () => {
    const { webhookId } = await webhookFor({
      name: 'orders-given',
      input,
      examples: [{ orderId: 'o-1', amount: 250, status: 'paid' }],
      steps,
    });
    const payload = { orderId: 'edited-7', amount: 99, status: 'refunded', note: 'ünïcödé ✓' };
    const sent = await ctx.api.post(`/webhooks/${webhookId}/test-event`, { payload });
    expect(sent.body.payload).toEqual(payload);
    expect(await storedPayload(sent)).toEqual(payload);

    const echo = await ctx.api.setupWebhook('echo');
    const nullSent = await ctx.api.post(`/webhooks/${echo.webhookId}/test-event`, { payload: null });
    expect(nullSent.body.payload).toBeNull();
    expect(await storedPayload(nullSent)).toBeNull();
  });

  it('without examples sends a sample that fits the input schema, which ingest accepts', async () => {
    const { webhookId } = await webhookFor({ name: 'orders-sampled', input, steps });
    const preview = (await ctx.api.get(`/webhooks/${webhookId}/test-event`)).body;
    expect(preview.source).toBe('sample');
    const compiled = compileInputSchema(input);
    if (!compiled.ok) throw new Error(compiled.message);
    expect(compiled.validate(preview.payload)).toBe(true);
    const sent = await ctx.api.post(`/webhooks/${webhookId}/test-event`);
    expect(sent.body.payload).toEqual(preview.payload);
    expect(await storedPayload(sent)).toEqual(preview.payload);
  });

  it('passes along what ingest said about a payload the input schema refuses', async () => {
    const { webhookId } = await webhookFor({ name: 'orders-refused', input, steps });
    const sent = await ctx.api.post(`/webhooks/${webhookId}/test-event`, { payload: { orderId: '', amount: 'ten' } });
    expect(sent.status).toBe(200);
    expect(sent.body.response.status).toBe(422);
    expect(sent.body.response.body).toMatchObject({ code: 'payload_invalid' });
    const paths = (sent.body.response.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['amount', 'orderId', 'status']));
  });

  it('answers 404 webhook_not_found for an unknown webhook and 400 for a body with other fields', async () => {
    for (const method of ['GET', 'POST']) {
      const answer = await ctx.api.call(method, '/webhooks/wh_00000000000000000000000000/test-event', method === 'POST' ? {} : undefined);
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('webhook_not_found');
    }
    const { webhookId } = await ctx.api.setupWebhook('echo');
    const bad = await ctx.api.post(`/webhooks/${webhookId}/test-event`, { payload: {}, sendTwice: true });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_request', errors: [{ path: '' }] });
  });

  it('refuses to store a definition whose example does not fit its input schema, naming the field', async () => {
    const put = await ctx.api.call('PUT', '/workflows/orders-bad-example', {
      input,
      examples: [{ orderId: 'o-1', amount: 0, status: 'paid' }],
      steps,
    });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'examples.0.amount', message: expect.stringContaining('does not fit the input schema') }],
    });
    expect((await ctx.api.get('/workflows/orders-bad-example')).status).toBe(404);
  });
});
