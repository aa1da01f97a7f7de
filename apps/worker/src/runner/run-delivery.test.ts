import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import {
  createKeys,
  createLogger,
  DeliveryStore,
  newId,
  RecordStore,
  WebhookStore,
  WorkflowCatalog,
  workflowDefinitionSchema,
  type Delivery,
  type WorkflowDefinitionInput,
} from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { llmStubHandler, sendJson, startStub, type HttpStub } from '../../../../test/workflows/support/http-stub.js';
import { builtinImplementations } from '../../../../test/workflows/support/thread-workflows.js';
import { createDeliveryProcessor } from './run-delivery.js';
import { createRunPool, type RunExecutor } from './run-pool.js';
import { OutboundSecrets } from '../steps/outbound-secrets.js';

const prefix = testPrefix('engine-runner');
const keys = createKeys(prefix);
const redis = testRedis();
const workerRedis = testRedis();
const queueName = 'runner';
const deliveries = new DeliveryStore(redis, keys);
const records = new RecordStore(redis, keys);
const catalog = new WorkflowCatalog(redis, keys, { cacheMs: 0 });
const queue = new Queue(queueName, { connection: redis, prefix: keys.bullPrefix });
const agentId = 'agt_runner';
let worker: Worker;
let runs: RunExecutor;
let service: HttpStub;
let llm: HttpStub;
let gate: { arrived: () => void; release: Promise<void> } | null = null;
const counters = new Map<string, number>();
const bump = (name: string) => {
  const n = (counters.get(name) ?? 0) + 1;
  counters.set(name, n);
  return n;
};

beforeAll(async () => {
  service = await startStub(async (req, res, raw) => {
    const path = req.path;
    if (path.startsWith('/count')) return sendJson(res, 200, { n: bump(path) });
    if (path.startsWith('/flaky-once')) return bump(path) === 1 ? sendJson(res, 503, { error: 'busy' }) : sendJson(res, 200, { ok: true });
    if (path.startsWith('/missing')) return sendJson(res, 404, { error: 'no such thing' });
    if (path.startsWith('/hang')) {
      raw.socket.on('close', () => bump(`${path}:closed`));
      return; // never answers
    }
    if (path.startsWith('/gate')) {
      const current = gate;
      if (bump(path) === 1 && current) {
        current.arrived();
        await current.release;
        return sendJson(res, 503, { error: 'not yet' });
      }
      return sendJson(res, 200, { open: true });
    }
    sendJson(res, 404, {});
  });
  llm = await startStub(llmStubHandler((request) => (request.response_format ? JSON.stringify({ category: 'invoice' }) : `summary of: ${request.messages.at(-1).content}`)));
  const log = createLogger({ name: 'runner-test', level: 'silent' });
  // The real run pool: the threads load the TypeScript sources with tsx, and the test's built-ins from thread-workflows.ts.
  runs = createRunPool({
    settings: { vars: { SERVICE_URL: service.url, GREETING: 'hello' }, llm: { baseUrl: `${llm.url}/v1`, apiKey: 'sk-test-key', model: 'stub-model-1', timeoutMs: 5_000 }, logLevel: 'silent' },
    threads: 8,
    memoryMb: 128,
    log,
    workflowsModule: new URL('../../../../test/workflows/support/thread-workflows.ts', import.meta.url),
  });
  worker = new Worker(
    queueName,
    createDeliveryProcessor({
      redis,
      keys,
      deliveries,
      webhooks: new WebhookStore(redis, keys),
      catalog,
      records,
      outboundSecrets: new OutboundSecrets(redis, keys, Buffer.alloc(32, 7).toString('base64')),
      builtins: builtinImplementations,
      runs,
      defaultTimeoutMs: 20_000,
      log,
      now: () => new Date(),
    }),
    { connection: workerRedis, prefix: keys.bullPrefix, concurrency: 8 },
  );
  worker.on('error', () => {});
});

afterAll(async () => {
  await worker?.close(true);
  await runs?.close();
  await queue.close();
  await Promise.all([service?.close(), llm?.close()]);
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  workerRedis.disconnect();
});

async function define(definition: WorkflowDefinitionInput): Promise<void> {
  await catalog.put(workflowDefinitionSchema.parse(definition));
}

async function start(workflow: string, payload: unknown, jobOptions: JobsOptions = { attempts: 1 }): Promise<string> {
  const id = newId('dlv');
  await deliveries.create({
    id,
    webhookId: 'wh_runner',
    agentId,
    workflow,
    status: 'queued',
    receivedAt: new Date().toISOString(),
    dedupeKey: null,
    headers: { 'x-source': 'test' },
    payloadJson: JSON.stringify(payload),
    replayOf: null,
    queue: queueName,
  });
  await queue.add('run-delivery', { deliveryId: id }, { jobId: id, ...jobOptions });
  return id;
}

async function waitFor(id: string, statuses = ['succeeded', 'failed']): Promise<Delivery> {
  for (let i = 0; i < 600; i++) {
    const delivery = await deliveries.get(id);
    if (delivery && statuses.includes(delivery.status)) return delivery;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`delivery ${id} did not reach ${statuses.join('/')}: ${JSON.stringify(await deliveries.get(id))}`);
}

const tagId = () => randomBytes(4).toString('hex');
const step = (delivery: Delivery, id: string) => delivery.steps.find((s) => s.id === id);
const fast = { attempts: 3, backoff: { type: 'fixed' as const, delayMs: 10 } };

describe('runner', () => {
  it('a retried delivery resumes after the last finished step: a finished http step is not repeated', async () => {
    const tag = tagId();
    await define({
      name: 'resume',
      steps: [
        { id: 'first', type: 'http', url: `{{ env.SERVICE_URL }}/count/${tag}` },
        { id: 'second', type: 'http', url: `{{ env.SERVICE_URL }}/flaky-once/${tag}` },
      ],
      output: "{ 'first': steps.first.output.body.n, 'second': steps.second.output.body.ok }",
    });
    const delivery = await waitFor(await start('resume', {}, fast));
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, result: { first: 1, second: true }, error: null });
    expect(counters.get(`/count/${tag}`)).toBe(1);
    expect(counters.get(`/flaky-once/${tag}`)).toBe(2);
    expect(step(delivery, 'first')).toMatchObject({ status: 'succeeded', attempts: 1, output: { status: 200, body: { n: 1 } } });
    expect(step(delivery, 'second')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it("a step's own retry tries it again within one attempt of the delivery", async () => {
    const tag = tagId();
    await define({ name: 'step-retry', steps: [{ id: 'flaky', type: 'http', url: `{{ env.SERVICE_URL }}/flaky-once/${tag}`, retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } } }] });
    const delivery = await waitFor(await start('step-retry', {}));
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(step(delivery, 'flaky')).toMatchObject({ status: 'succeeded', attempts: 2, output: { body: { ok: true } } });
  });

  it('a 4xx answer fails the delivery once, without retries', async () => {
    const tag = tagId();
    await define({ name: 'not-found', steps: [{ id: 'get', type: 'http', url: `{{ env.SERVICE_URL }}/missing/${tag}` }] });
    const delivery = await waitFor(await start('not-found', {}, fast));
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'http_error' } });
    expect(service.hits(`/missing/${tag}`)).toHaveLength(1);
    expect(step(delivery, 'get')).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'http_error' } });
  });

  it('a fail rule fails the delivery at once with its code; a false `when` skips it', async () => {
    await define({
      name: 'rules',
      steps: [
        { id: 'tooBig', type: 'fail', when: 'payload.amount > 100', code: 'amount_too_large', message: 'amount {{ payload.amount }} is over 100' },
        { id: 'ok', type: 'transform', expression: 'payload.amount * 2' },
      ],
    });
    const failed = await waitFor(await start('rules', { amount: 500 }, fast));
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'amount_too_large', message: 'amount 500 is over 100' } });
    expect(step(failed, 'ok')).toBeUndefined();
    const passed = await waitFor(await start('rules', { amount: 21 }, fast));
    expect(passed).toMatchObject({ status: 'succeeded', result: 42 });
    expect(step(passed, 'tooBig')).toMatchObject({ status: 'skipped' });
  });

  it('aborts a slow http step at its timeoutMs, and a slow run at the workflow timeoutMs', async () => {
    const tag = tagId();
    await define({ name: 'slow-step', steps: [{ id: 'slow', type: 'http', url: `{{ env.SERVICE_URL }}/hang/${tag}`, timeoutMs: 300 }] });
    const delivery = await waitFor(await start('slow-step', {}));
    expect(delivery).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    expect(step(delivery, 'slow')).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    // The request was really abandoned (the connection closed), not left running in the background.
    await expect.poll(() => counters.get(`/hang/${tag}:closed`)).toBe(1);

    await define({ name: 'slow-run', timeoutMs: 300, steps: [{ id: 'slow', type: 'http', url: `{{ env.SERVICE_URL }}/hang/${tag}-run` }] });
    const run = await waitFor(await start('slow-run', {}));
    expect(run).toMatchObject({ status: 'failed', error: { code: 'timeout', message: expect.stringContaining('timeoutMs of 300') } });
  });

  it('sends the rendered prompt, the API key and the model to the OpenAI-compatible endpoint', async () => {
    await define({
      name: 'ask',
      steps: [
        { id: 'summary', type: 'llm', system: 'Be brief.', prompt: 'Summarise:\n{{ payload.text }}' },
        { id: 'kind', type: 'llm', prompt: 'Classify {{ payload.text }}', model: 'stub-model-2', responseFormat: 'json' },
      ],
      output: "{ 'summary': steps.summary.output, 'kind': steps.kind.output }",
    });
    const delivery = await waitFor(await start('ask', { text: 'Invoice 7 from ACME, due Friday.' }));
    expect(delivery.status).toBe('succeeded');
    const calls = llm.requests.filter((r) => r.json?.messages?.some((m: any) => m.content.includes('Invoice 7')));
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.headers.authorization).toBe('Bearer sk-test-key');
    expect(calls[0]!.json).toMatchObject({ model: 'stub-model-1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Summarise:\nInvoice 7 from ACME, due Friday.' }] });
    expect(calls[0]!.json.response_format).toBeUndefined();
    expect(calls[1]!.json).toMatchObject({ model: 'stub-model-2', response_format: { type: 'json_object' } });
    expect(delivery.result).toEqual({
      summary: { text: 'summary of: Summarise:\nInvoice 7 from ACME, due Friday.', provider: 'openai-compatible', model: 'stub-model-1' },
      kind: { json: { category: 'invoice' }, provider: 'openai-compatible', model: 'stub-model-2' },
    });
  });

  it('applies a store increment once although a later step makes the delivery retry', async () => {
    const tag = tagId();
    await define({
      name: 'credit',
      steps: [
        { id: 'credit', type: 'store', collection: 'balances', key: '{{ payload.account }}', increment: { balance: '{{ payload.amount }}' }, set: { owner: '{{ env.GREETING }}' } },
        { id: 'after', type: 'http', url: `{{ env.SERVICE_URL }}/flaky-once/${tag}` },
      ],
      output: 'steps.credit.output.value',
    });
    const account = `acc-${tag}`;
    const delivery = await waitFor(await start('credit', { account, amount: 250 }, fast));
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, result: { balance: 250, owner: 'hello' } });
    expect(step(delivery, 'credit')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect((await records.get(agentId, 'balances', account))?.value).toEqual({ balance: 250, owner: 'hello' });
  });

  it('keeps concurrent increments of one record exact', async () => {
    const account = `acc-${tagId()}`;
    await define({ name: 'add', steps: [{ id: 'add', type: 'store', collection: 'balances', key: account, increment: { balance: '{{ payload.amount }}', count: 1 } }] });
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => start('add', { amount: i + 1 })));
    const done = await Promise.all(ids.map((id) => waitFor(id)));
    expect(done.every((d) => d.status === 'succeeded')).toBe(true);
    expect((await records.get(agentId, 'balances', account))?.value).toEqual({ balance: (30 * 31) / 2, count: 30 });
  });

  it('automatic retries keep the version the delivery started with; a new delivery runs the current one', async () => {
    const tag = tagId();
    const steps = [{ id: 'gate', type: 'http' as const, url: `{{ env.SERVICE_URL }}/gate/${tag}` }];
    await define({ name: 'pinned', steps, output: "'v1'" });
    let arrived!: () => void;
    let release!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    gate = { arrived, release: new Promise<void>((resolve) => (release = resolve)) };
    const first = await start('pinned', {}, fast);
    await arrival;
    await define({ name: 'pinned', steps, output: "'v2'" });
    release();
    const retried = await waitFor(first);
    expect(retried).toMatchObject({ status: 'succeeded', attempts: 2, result: 'v1' });
    expect(await waitFor(await start('pinned', {}))).toMatchObject({ status: 'succeeded', result: 'v2' });
    gate = null;
  });

  it('runs TypeScript workflows with checkpointed ctx.step, and rejects payloads outside their zod input', async () => {
    const tag = tagId();
    const delivery = await waitFor(await start('ts-steps', { n: 20, tag }, fast));
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, result: { doubled: 40, plusOne: 41 } });
    expect(counters.get(`/count/${tag}-double`)).toBe(1);
    expect(counters.get(`/count/${tag}-plusOne`)).toBe(2);
    expect(step(delivery, 'plusOne')).toMatchObject({ type: 'step', status: 'succeeded', attempts: 2 });
    const bad = await waitFor(await start('ts-steps', { n: 'twenty', tag }, fast));
    expect(bad).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'payload_invalid' } });
  });

  it('exposes only the allowed env, and headers and delivery fields, to expressions', async () => {
    await define({
      name: 'scope',
      steps: [{ id: 'show', type: 'transform', expression: "{ 'env': env, 'source': headers.`x-source`, 'agent': delivery.agentId, 'greeting': env.GREETING & ' ' & payload.name }" }],
    });
    const delivery = await waitFor(await start('scope', { name: 'Ada' }));
    expect(delivery.result).toEqual({ env: { SERVICE_URL: service.url, GREETING: 'hello' }, source: 'test', agent: agentId, greeting: 'hello Ada' });
  });
});
