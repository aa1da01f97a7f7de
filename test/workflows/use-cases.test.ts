import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { spawnEntry, startStack, waitForHttp, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { llmStubHandler, sendJson, startStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';

/**
 * The five use cases of workflows/*.json end to end: real ingress and worker processes, and small local services
 * standing in for the document store, the CRM, the notification receivers and an OpenAI-compatible API.
 */
const prefix = testPrefix('use-cases');
const redis = testRedis();
let stack: Stack;
let worker: RunningProcess;
let api: AdminClient;
let docs: HttpStub;
let crm: HttpStub;
let sink: HttpStub;
let compliance: HttpStub;
let llm: HttpStub;
/** The compliance desk's decision per transaction (what its officer would press on the review link). */
const decisions = new Map<string, 'approve' | 'reject'>();
/** How the review link answered the compliance desk, per transaction. */
const reviewAnswers = new Map<string, { status: number; body: any }>();

const documents: Record<string, { title: string; text: string }> = {
  'doc-1': {
    title: 'ACME invoice 2026-114',
    text: 'Invoice 2026-114 from ACME Corp. Amount due: 1,250.00 EUR for consulting in October. Payment is due within 30 days.',
  },
};
const clients: Record<string, Record<string, unknown>> = {
  'cli-7': { id: 'cli-7', name: 'Globex Ltd', email: 'ops@globex.example', tier: 'gold', notes: 'Prefers email; renewal in March.' },
};

beforeAll(async () => {
  docs = await startStub((req, res) => {
    const doc = documents[decodeURIComponent(req.path.replace('/documents/', ''))];
    return doc ? sendJson(res, 200, doc) : sendJson(res, 404, { error: 'no such document' });
  });
  crm = await startStub((req, res) => {
    const client = clients[decodeURIComponent(req.path.replace('/clients/', ''))];
    return client ? sendJson(res, 200, client) : sendJson(res, 404, { error: 'no such client' });
  });
  sink = await startStub((_req, res) => sendJson(res, 202, { accepted: true }));
  // The compliance desk: takes the alert, then answers its review link (approve or reject) as its officer would.
  compliance = await startStub((req, res) => {
    sendJson(res, 202, { accepted: true });
    const decision = decisions.get(req.json?.transactionId);
    if (!decision || typeof req.json?.review?.url !== 'string') return;
    // The link is on HOOKFLOW_PUBLIC_URL (by default http://localhost:<PORT>); this desk reaches the ingress on 127.0.0.1.
    const link = (req.json.review.url as string).replace(/^http:\/\/localhost:\d+/, stack.baseUrl);
    const body = JSON.stringify(req.json.review[decision]);
    void fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (answer) => {
      reviewAnswers.set(req.json.transactionId, { status: answer.status, body: await answer.json() });
    });
  });
  llm = await startStub(
    llmStubHandler((request) => {
      if (request.response_format?.type === 'json_object') return JSON.stringify({ category: 'invoice' });
      return `Summary (${request.model}): ${request.messages.at(-1).content.split('\n').at(-1).slice(0, 40)}`;
    }),
  );
  stack = await startStack({
    prefix,
    worker: false,
    env: {
      HOOKFLOW_VAR_DOCS_URL: docs.url,
      HOOKFLOW_VAR_CRM_URL: crm.url,
      HOOKFLOW_VAR_COMPLIANCE_URL: `${compliance.url}/compliance`,
      HOOKFLOW_VAR_NOTIFY_URL: `${sink.url}/notify`,
      LLM_BASE_URL: `${llm.url}/v1`,
      // The stand-ins are internal services on loopback: the egress policy lets exactly these through.
      HOOKFLOW_EGRESS_ALLOW: [docs, crm, sink, compliance, llm].map((stub) => new URL(stub.url).host).join(','),
      LLM_API_KEY: 'sk-e2e-secret-key',
      LLM_MODEL: 'e2e-model',
      LOG_LEVEL: 'warn',
    },
  });
  // Started here with a longer allowance than startStack's: the machines are shared and start-up can be slow.
  worker = spawnEntry('apps/worker/src/main.ts', stack.env);
  await waitForHttp(`http://127.0.0.1:${stack.workerPort}/healthz`, 90_000, worker);
  api = adminClient(stack.baseUrl, stack.adminToken);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
  await Promise.all([docs?.close(), crm?.close(), sink?.close(), compliance?.close(), llm?.close()]);
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function hook(workflow: string) {
  const setup = await api.setupWebhook(workflow);
  const endpoint = setup.keyFile.endpoint.replace(/^http:\/\/localhost:\d+/, stack.baseUrl);
  return { ...setup, send: (payload: unknown) => sendSigned(endpoint, payload, setup.keyFile.privateKey) };
}

async function run(send: (payload: unknown) => Promise<{ status: number; body: any }>, payload: unknown) {
  const answer = await send(payload);
  expect(answer.status).toBe(202);
  return waitForDelivery(api, answer.body.deliveryId, ['succeeded', 'failed'], 60_000);
}

/** Checks a notify call's Standard Webhooks signature with the agent's outbound secret from the API (as a receiver would). */
async function verifySignature(agentId: string, request: RecordedRequest): Promise<void> {
  const { secret } = (await api.get(`/agents/${agentId}/outbound-secret`)).body as { secret: string };
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  expect(() => new StandardWebhook(secret).verify(request.body, headers)).not.toThrow();
}

describe('the five use cases', () => {
  it('document-summary: fetches the document, summarises and classifies it with the LLM, stores the result', async () => {
    const { agentId, send } = await hook('document-summary');
    const delivery = await run(send, { documentId: 'doc-1', pages: 1 });
    expect(delivery).toMatchObject({
      status: 'succeeded',
      result: { documentId: 'doc-1', category: 'invoice', summary: expect.stringContaining('Summary (e2e-model)') },
    });
    expect(docs.hits('/documents/doc-1')).toHaveLength(1);
    const prompts = llm.requests.filter((r) => r.json.messages.some((m: any) => m.content.includes('Invoice 2026-114')));
    expect(prompts).toHaveLength(2);
    for (const call of prompts) {
      expect(call.headers.authorization).toBe('Bearer sk-e2e-secret-key');
      expect(call.json.model).toBe('e2e-model');
    }
    expect(prompts.find((p) => !p.json.response_format)!.json.messages.at(-1).content).toBe(`Summarise:\n${documents['doc-1']!.text}`);
    const record = await api.get(`/agents/${agentId}/records/documents/doc-1`);
    expect(record.body).toMatchObject({
      collection: 'documents',
      key: 'doc-1',
      value: { title: 'ACME invoice 2026-114', category: 'invoice', summarisedBy: 'openai-compatible', summary: delivery.result.summary },
      updatedAt: expect.any(String),
    });
    // No secret ends up in the delivery record.
    expect(JSON.stringify(delivery)).not.toContain('sk-e2e-secret-key');
  });

  it('crm-sync: fetches the client, updates the record and refreshes its summary on every change', async () => {
    const { agentId, send } = await hook('crm-sync');
    await run(send, { clientId: 'cli-7', changedFields: ['email'] });
    const second = await run(send, { clientId: 'cli-7', changedFields: ['tier'] });
    expect(second).toMatchObject({
      status: 'succeeded',
      result: { clientId: 'cli-7', syncCount: 2, summary: expect.stringContaining('Summary') },
    });
    expect(crm.hits('/clients/cli-7')).toHaveLength(2);
    const record = await api.get(`/agents/${agentId}/records/clients/cli-7`);
    expect(record.body.value).toMatchObject({
      name: 'Globex Ltd',
      email: 'ops@globex.example',
      tier: 'gold',
      syncCount: 2,
      lastChangedFields: ['tier'],
      summary: expect.any(String),
    });
    const profilePrompt = llm.requests.find((r) => r.json.messages.at(-1).content.includes('Globex Ltd'));
    expect(profilePrompt?.json.messages.at(-1).content).toContain('Tier: gold');
  });

  it('fraud-alert: scores the transaction; a high risk alerts compliance (signed) with a review link, waits, then freezes or clears the account', async () => {
    const { agentId, send } = await hook('fraud-alert');
    decisions.set('tx-9', 'approve');
    decisions.set('tx-11', 'reject');
    const high = await run(send, { transactionId: 'tx-9', accountId: 'acc-1', amount: 25_000, country: 'KP', flags: ['new_device'] });
    expect(high).toMatchObject({
      status: 'succeeded',
      result: { transactionId: 'tx-9', level: 'high', score: 105, notified: true, account: 'frozen' },
    });
    expect(high.steps.find((s: any) => s.id === 'review')).toMatchObject({ type: 'wait', status: 'succeeded', output: { approved: true } });
    expect((await api.get(`/agents/${agentId}/records/accounts/acc-1`)).body.value).toEqual({
      status: 'frozen',
      transactionId: 'tx-9',
      score: 105,
    });

    const rejected = await run(send, { transactionId: 'tx-11', accountId: 'acc-3', amount: 25_000, country: 'SY' });
    expect(rejected).toMatchObject({ status: 'succeeded', result: { level: 'high', notified: true, account: 'cleared' } });
    expect((await api.get(`/agents/${agentId}/records/accounts/acc-3`)).body.value).toEqual({
      status: 'cleared',
      transactionId: 'tx-11',
      score: 90,
    });

    const low = await run(send, { transactionId: 'tx-10', accountId: 'acc-1', amount: 40 });
    expect(low).toMatchObject({
      status: 'succeeded',
      result: { transactionId: 'tx-10', level: 'low', score: 0, notified: false, account: null },
    });
    for (const id of ['alert', 'review', 'account']) expect(low.steps.find((s: any) => s.id === id)).toMatchObject({ status: 'skipped' });
    expect((await api.get(`/agents/${agentId}/records/transactions/tx-10`)).body.value).toMatchObject({ level: 'low', score: 0 });

    const alerts = compliance.hits('/compliance/alerts');
    expect(alerts.map((a) => a.json.transactionId)).toEqual(['tx-9', 'tx-11']);
    expect(alerts[0]!.json).toEqual({
      type: 'fraud.high_risk',
      transactionId: 'tx-9',
      accountId: 'acc-1',
      amount: 25_000,
      score: 105,
      reasons: ['new_device'],
      review: {
        url: expect.stringMatching(/^http:\/\/localhost:\d+\/signals\/[\w-]+\.[\w-]+$/),
        expiresAt: expect.any(String),
        approve: { approved: true },
        reject: { approved: false },
      },
    });
    await verifySignature(agentId, alerts[0]!);
    // Each link was taken once, by the desk, and says so when used again.
    expect(reviewAnswers.get('tx-9')).toEqual({ status: 202, body: { deliveryId: high.id, signal: 'review', status: 'resumed' } });
    expect(reviewAnswers.get('tx-11')).toMatchObject({ status: 202, body: { deliveryId: rejected.id } });
    const again = await fetch(alerts[0]!.json.review.url.replace(/^http:\/\/localhost:\d+/, stack.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"approved":false}',
    });
    expect(again.status).toBe(409);
    expect((await api.get(`/agents/${agentId}/records/accounts/acc-1`)).body.value.status).toBe('frozen');
  });

  it('ticket-status: updates the conversation context and notifies the user', async () => {
    const { agentId, send } = await hook('ticket-status');
    await run(send, { ticketId: 'T-1', userId: 'user-5', status: 'in_progress' });
    const done = await run(send, { ticketId: 'T-1', userId: 'user-5', status: 'resolved', comment: 'We replaced the router.' });
    expect(done.result).toEqual({ ticketId: 'T-1', message: 'Your ticket T-1 is now resolved. We replaced the router.', ticketUpdates: 2 });
    const messages = sink.hits('/notify/users/user-5/messages');
    expect(messages.map((m) => m.json.text)).toEqual([
      'Your ticket T-1 is now in progress.',
      'Your ticket T-1 is now resolved. We replaced the router.',
    ]);
    await verifySignature(agentId, messages[1]!);
    expect((await api.get(`/agents/${agentId}/records/conversations/user-5`)).body.value).toEqual({
      lastTicketId: 'T-1',
      lastStatus: 'resolved',
      lastComment: 'We replaced the router.',
      ticketUpdates: 2,
    });
  });

  it('payment-update: validates at the ingress (422 with paths), fails bad amounts with their code, credits once', async () => {
    const { agentId, send } = await hook('payment-update');
    const invalid = await send({ paymentId: 'p-x', accountId: 'acc-9', amount: 12.5 });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ status: 422, code: 'payload_invalid' });
    expect(invalid.body.errors.map((e: any) => e.path).sort()).toEqual(['amount', 'status']);
    const negative = await run(send, { paymentId: 'p-0', accountId: 'acc-9', amount: -5, status: 'processed' });
    expect(negative).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'payment_invalid' } });
    const paid = await run(send, { paymentId: 'p-1', accountId: 'acc-9', amount: 1999, currency: 'EUR', status: 'processed' });
    expect(paid).toMatchObject({ status: 'succeeded', result: { paymentId: 'p-1', credited: true, balance: 1999 } });
    // The workflow's own retry policy reached the job, since the webhook does not override it.
    const job = await redis.hget(`{${prefix}}:default:${paid.id}`, 'opts');
    expect(JSON.parse(job!)).toMatchObject({ attempts: 10, backoff: { type: 'exponential', delay: 500 } });
    const receipt = sink.hits('/notify/accounts/acc-9/payments');
    expect(receipt.map((r) => r.json)).toEqual([{ type: 'payment.credited', paymentId: 'p-1', amount: 1999, balance: 1999 }]);
    expect((await api.get(`/agents/${agentId}/records/balances/acc-9`)).body.value).toEqual({
      currency: 'EUR',
      lastPaymentId: 'p-1',
      balance: 1999,
      payments: 1,
    });
  });
});

describe('/api/v1/workflows and records', () => {
  const definition = {
    description: 'Doubles a number',
    input: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
    steps: [{ id: 'double', type: 'transform', expression: 'payload.n * 2' }],
  };

  it('lists the built-in echo and the five definitions loaded from workflows/', async () => {
    const list = await api.get('/workflows');
    const byName = Object.fromEntries(list.body.items.map((w: any) => [w.name, w]));
    expect(byName.echo).toMatchObject({ source: 'builtin', version: 1 });
    for (const name of ['document-summary', 'crm-sync', 'fraud-alert', 'ticket-status', 'payment-update']) {
      expect(byName[name]).toMatchObject({ source: 'definition', version: 1 });
    }
  });

  it('PUT creates (201), then versions (200); GET shows the definition; runs use the current version', async () => {
    const created = await api.call('PUT', '/workflows/doubler', definition);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'doubler', source: 'definition', version: 1 });
    const updated = await api.call('PUT', '/workflows/doubler', {
      ...definition,
      steps: [{ id: 'triple', type: 'transform', expression: 'payload.n * 3' }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    const fetched = await api.get('/workflows/doubler');
    expect(fetched.body).toMatchObject({ name: 'doubler', version: 2, definition: { steps: [{ id: 'triple' }] } });
    const { send } = await hook('doubler');
    expect((await run(send, { n: 7 })).result).toBe(21);
  });

  it('rejects invalid definitions with 400 invalid_request and precise paths', async () => {
    const bad = await api.call('PUT', '/workflows/broken', {
      steps: [
        { id: 'a', type: 'teleport' },
        { id: 'b', type: 'transform', expression: 'payload.(' },
        { id: 'c', type: 'http', url: 'http://x/{{ payload.id ]] }}', method: 'FETCH' },
        { id: 'b', type: 'fail', code: 'Bad Code', message: 'x' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
    const paths = bad.body.errors.map((e: any) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['steps.0.type', 'steps.1.expression', 'steps.2.url', 'steps.2.method', 'steps.3.code']));
    const badSchema = await api.call('PUT', '/workflows/broken', { ...definition, input: { type: 'nonsense' } });
    expect(badSchema.status).toBe(400);
    expect(badSchema.body.errors).toEqual([{ path: 'input', message: expect.stringContaining('JSON Schema') }]);
    expect((await api.call('PUT', '/workflows/other-name', { ...definition, name: 'not-the-path' })).body.errors[0].path).toBe('name');
    expect((await api.get('/workflows/broken')).status).toBe(404);
  });

  it('DELETE answers 409 workflow_in_use while bound, 204 when free, then 404', async () => {
    await api.call('PUT', '/workflows/short-lived', definition);
    const { webhookId } = await hook('short-lived');
    expect((await api.delete('/workflows/short-lived')).body.code).toBe('workflow_in_use');
    expect((await api.delete(`/webhooks/${webhookId}`)).status).toBe(204);
    expect((await api.delete('/workflows/short-lived')).status).toBe(204);
    expect((await api.get('/workflows/short-lived')).status).toBe(404);
    expect((await api.delete('/workflows/echo')).status).toBe(400);
  });

  it('records: 404 for an unknown record or agent, pages through a collection in key order', async () => {
    const { agentId, send } = await hook('payment-update');
    for (const id of ['b', 'a', 'c']) await run(send, { paymentId: `pp-${id}`, accountId: 'acc-pages', amount: 1, status: 'processed' });
    const first = await api.get(`/agents/${agentId}/records/payments?limit=2`);
    expect(first.body.items.map((r: any) => r.key)).toEqual(['pp-a', 'pp-b']);
    const second = await api.get(`/agents/${agentId}/records/payments?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [{ key: 'pp-c' }], nextCursor: null });
    expect((await api.get(`/agents/${agentId}/records/payments/nope`)).status).toBe(404);
    expect((await api.get('/agents/agt_nobody/records/payments')).body.code).toBe('agent_not_found');
  });
});
