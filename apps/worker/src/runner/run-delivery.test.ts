import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import {
  createKeys,
  createLogger,
  deliveryJob,
  DeliverySignals,
  DeliveryStore,
  QueueSet,
  SignalTokens,
  wakeJob,
  RecordStore,
  WebhookStore,
  WorkflowCatalog,
  workflowDefinitionSchema,
  type Delivery,
  type WorkflowDefinitionInput,
} from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { llmStubHandler, sendJson, startStub, type HttpStub } from '../../../../test/support/http-stub.js';
import { builtinImplementations } from '../../../../test/support/thread-workflows.js';
import { createDeliveryProcessor } from './run-delivery.js';
import { ActiveRuns } from './active-runs.js';
import { createRunPool, type RunExecutor } from './run-pool.js';
import { OutboundSecrets } from '../steps/outbound-secrets.js';

const prefix = testPrefix('engine-runner');
const keys = createKeys(prefix);
const redis = testRedis();
const workerRedis = testRedis();
const subscriber = testRedis();
const activeRuns = new ActiveRuns();
const maxStalls = 2;
const queueName = 'runner';
const deliveries = new DeliveryStore(redis, keys);
const records = new RecordStore(redis, keys);
const catalog = new WorkflowCatalog(redis, keys, { cacheMs: 0 });
const queue = new Queue(queueName, { connection: redis, prefix: keys.bullPrefix });
const queues = new QueueSet(redis, keys);
const signals = new DeliverySignals(redis, keys);
const signalTokens = new SignalTokens(Buffer.alloc(32, 9).toString('base64'));
const publicUrl = 'https://hooks.example.test';
const agentId = 'agt_runner';
let worker: Worker;
let runs: RunExecutor;
let service: HttpStub;
let llm: HttpStub;
/** Small caps, so the tests of them move little data. */
const maxResponseBytes = 64 * 1024;
const maxStepOutputBytes = 16 * 1024;
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
    if (path.startsWith('/huge')) {
      // Far more than the cap, written as fast as the reader takes it; counts what left before the reader hung up.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      let sent = 0;
      res.on('close', () => counters.set(`${path}:sent`, sent));
      const pump = () => {
        while (sent < 256 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (path.startsWith('/wide')) return sendJson(res, 200, { text: 'y'.repeat(maxStepOutputBytes * 2) });
    if (path.startsWith('/hang')) {
      raw.socket.on('close', () => bump(`${path}:closed`));
      return; // never answers
    }
    if (path.startsWith('/held')) {
      // Answers when the test opens it (or never).
      raw.socket.on('close', () => bump(`${path}:closed`));
      const current = gate;
      if (current) {
        current.arrived();
        await current.release;
        if (!res.writableEnded && !raw.socket.destroyed) sendJson(res, 200, { released: true });
      }
      return;
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
  llm = await startStub(
    llmStubHandler((request) =>
      request.response_format ? JSON.stringify({ category: 'invoice' }) : `summary of: ${request.messages.at(-1).content}`,
    ),
  );
  const log = createLogger({ name: 'runner-test', level: 'silent' });
  // The real run pool: the threads load the TypeScript sources with tsx, and the test's built-ins from thread-workflows.ts.
  // The stubs are internal services, so they are allowed by name and port; nothing else on loopback is.
  runs = createRunPool({
    settings: {
      vars: { SERVICE_URL: service.url, GREETING: 'hello' },
      llm: { baseUrl: `${llm.url}/v1`, apiKey: 'sk-test-key', model: 'stub-model-1', timeoutMs: 5_000 },
      egress: { allow: [new URL(service.url).host, new URL(llm.url).host], maxResponseBytes },
      logLevel: 'silent',
    },
    threads: 8,
    memoryMb: 128,
    log,
    workflowsModule: new URL('../../../../test/support/thread-workflows.ts', import.meta.url),
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
      maxStepOutputBytes,
      builtins: builtinImplementations,
      runs,
      // A run's budget includes its thread's start, and here every thread compiles the TypeScript sources first
      // (a shipped worker loads a bundle): generous, so a loaded machine cannot fail runs that no test wants to time out.
      defaultTimeoutMs: 60_000,
      log,
      now: () => new Date(),
      maxStalls,
      activeRuns,
      signalLinks: { tokens: signalTokens, publicUrl },
    }),
    { connection: workerRedis, prefix: keys.bullPrefix, concurrency: 8 },
  );
  worker.on('error', () => {});
  await activeRuns.listen(subscriber, keys, log);
});

afterAll(async () => {
  await worker?.close(true);
  await runs?.close();
  await queue.close();
  await queues.close();
  await Promise.all([service?.close(), llm?.close()]);
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  workerRedis.disconnect();
  subscriber.disconnect();
});

async function define(definition: WorkflowDefinitionInput): Promise<void> {
  await catalog.put(workflowDefinitionSchema.parse(definition));
}

async function start(workflow: string, payload: unknown, jobOptions: JobsOptions = { attempts: 1 }): Promise<string> {
  const delivery = newDelivery({
    webhookId: 'wh_runner',
    agentId,
    workflow,
    receivedAt: new Date().toISOString(),
    headers: { 'x-source': 'test' },
    payloadJson: JSON.stringify(payload),
    queue: queueName,
  });
  await deliveries.create(delivery);
  await queue.add('run-delivery', { deliveryId: delivery.id }, { jobId: delivery.id, ...jobOptions });
  return delivery.id;
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
    await define({
      name: 'step-retry',
      steps: [
        {
          id: 'flaky',
          type: 'http',
          url: `{{ env.SERVICE_URL }}/flaky-once/${tag}`,
          retry: { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
        },
      ],
    });
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
        {
          id: 'tooBig',
          type: 'fail',
          when: 'payload.amount > 100',
          code: 'amount_too_large',
          message: 'amount {{ payload.amount }} is over 100',
        },
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
    expect(calls[0]!.json).toMatchObject({
      model: 'stub-model-1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Summarise:\nInvoice 7 from ACME, due Friday.' },
      ],
    });
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
        {
          id: 'credit',
          type: 'store',
          collection: 'balances',
          key: '{{ payload.account }}',
          increment: { balance: '{{ payload.amount }}' },
          set: { owner: '{{ env.GREETING }}' },
        },
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
    await define({
      name: 'add',
      steps: [{ id: 'add', type: 'store', collection: 'balances', key: account, increment: { balance: '{{ payload.amount }}', count: 1 } }],
    });
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

  it('fails a step whose URL reads an unset env variable with a message naming HOOKFLOW_VAR_<NAME>', async () => {
    await define({ name: 'unset-env-http', steps: [{ id: 'doc', type: 'http', url: '{{ env.DOCS_URL }}/documents/{{ payload.id }}' }] });
    const http = await waitFor(await start('unset-env-http', { id: 'doc-1' }, fast));
    expect(http).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'invalid_url', message: 'not an absolute URL: /documents/doc-1 (HOOKFLOW_VAR_DOCS_URL is not set on the worker)' },
    });
    await define({
      name: 'unset-env-notify',
      steps: [{ id: 'tell', type: 'notify', url: '{{ env.NOTIFY_URL }}/users/1', payload: { a: 1 } }],
    });
    const notify = await waitFor(await start('unset-env-notify', {}, fast));
    expect(notify).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_url', message: expect.stringContaining('HOOKFLOW_VAR_NOTIFY_URL is not set') },
    });
  });

  it('exposes only the allowed env, and headers and delivery fields, to expressions', async () => {
    await define({
      name: 'scope',
      steps: [
        {
          id: 'show',
          type: 'transform',
          expression:
            "{ 'env': env, 'source': headers.`x-source`, 'agent': delivery.agentId, 'greeting': env.GREETING & ' ' & payload.name }",
        },
      ],
    });
    const delivery = await waitFor(await start('scope', { name: 'Ada' }));
    expect(delivery.result).toEqual({
      env: { SERVICE_URL: service.url, GREETING: 'hello' },
      source: 'test',
      agent: agentId,
      greeting: 'hello Ada',
    });
  });

  it('refuses an http step to an address outside the egress policy once, without retries', async () => {
    await define({ name: 'internal', steps: [{ id: 'peek', type: 'http', url: '{{ payload.url }}' }] });
    for (const url of ['http://127.0.0.1:9/metrics', 'http://[::1]:9/', 'http://localhost:9/']) {
      const delivery = await waitFor(await start('internal', { url }, fast));
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'egress_denied' } });
      expect(delivery.error!.message).toMatch(/^egress denied: (127\.0\.0\.1|\[::1\]|localhost):9 /);
      expect(step(delivery, 'peek')).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'egress_denied' } });
    }
  });

  it('stops reading a response at the cap and fails response_too_large, closing the connection', async () => {
    const tag = tagId();
    await define({ name: 'huge', steps: [{ id: 'get', type: 'http', url: `{{ env.SERVICE_URL }}/huge/${tag}` }] });
    const delivery = await waitFor(await start('huge', {}, fast));
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'response_too_large', message: expect.stringContaining(`more than ${maxResponseBytes} bytes`) },
    });
    // The sender was cut off long before its 256 MB: only the cap and what the socket buffers held left it.
    await expect.poll(() => counters.get(`/huge/${tag}:sent`)).toBeGreaterThan(0);
    expect(counters.get(`/huge/${tag}:sent`)!).toBeLessThan(64 * 1024 * 1024);
  });

  it('fails output_too_large when a step output or the run result is over the cap, and stores none of it', async () => {
    const tag = tagId();
    await define({ name: 'wide', steps: [{ id: 'get', type: 'http', url: `{{ env.SERVICE_URL }}/wide/${tag}` }] });
    const wide = await waitFor(await start('wide', {}, fast));
    expect(wide).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'output_too_large', message: expect.stringContaining('step get') },
    });
    expect(step(wide, 'get')).toMatchObject({ status: 'failed', error: { code: 'output_too_large' } });
    expect(step(wide, 'get')!.output).toBeUndefined();

    await define({
      name: 'wide-result',
      steps: [{ id: 'part', type: 'transform', expression: `$pad('', ${Math.floor(maxStepOutputBytes * 0.6)}, 'z')` }],
      output: 'steps.part.output & steps.part.output',
    });
    const result = await waitFor(await start('wide-result', {}, fast));
    expect(result).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'output_too_large', message: expect.stringContaining('run result') },
      result: null,
    });
    expect(step(result, 'part')).toMatchObject({ status: 'succeeded' });

    // A store step's checkpoint is its record: an oversized one is refused before the write, so neither is stored.
    const key = `wide-${tag}`;
    await define({
      name: 'wide-store',
      steps: [{ id: 'keep', type: 'store', collection: 'wide', key, set: { text: '{{ payload.text }}' } }],
    });
    const stored = await waitFor(await start('wide-store', { text: 'w'.repeat(maxStepOutputBytes) }, fast));
    expect(stored).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'output_too_large', message: expect.stringContaining('step keep') },
    });
    expect(await records.get(agentId, 'wide', key)).toBeNull();
  });

  describe('cancel', () => {
    /** Starts a delivery whose first step the stub holds until the test releases it (then a step that counts runs). */
    async function startHeldThenCount(name: string, first: string) {
      const tag = tagId();
      await define({
        name,
        steps: [
          { id: first, type: 'http', url: `{{ env.SERVICE_URL }}/held/${tag}` },
          { id: 'later', type: 'http', url: `{{ env.SERVICE_URL }}/count/${tag}` },
        ],
      });
      const held = holdNext();
      const id = await start(name, {}, fast);
      await held.arrival;
      return { tag, id, held };
    }

    function holdNext(): { arrival: Promise<void>; release: () => void } {
      let arrived!: () => void;
      let release!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      gate = { arrived, release: new Promise<void>((resolve) => (release = resolve)) };
      return { arrival, release };
    }

    it('a cancel notice stops a running delivery at once: its step is abandoned and later steps never run', async () => {
      const { tag, id, held } = await startHeldThenCount('cancel-running', 'slow');
      expect(await deliveries.cancel(id, new Date())).toMatchObject({ cancelled: true, previous: 'running' });
      // The run's http request was dropped (its connection closed) without the stub ever answering.
      await expect.poll(() => counters.get(`/held/${tag}:closed`), { timeout: 10_000 }).toBe(1);
      await expect.poll(async () => (await queue.getJobState(id)) === 'completed', { timeout: 10_000 }).toBe(true);
      held.release();
      gate = null;
      const delivery = (await deliveries.get(id))!;
      expect(delivery).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String), attempts: 1 });
      expect(step(delivery, 'slow')).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
      expect(step(delivery, 'later')).toBeUndefined();
      expect(service.hits(`/count/${tag}`)).toHaveLength(0);
    });

    it('without the notice, the next step refuses to start on a cancelled delivery', async () => {
      const { tag, id, held } = await startHeldThenCount('cancel-at-checkpoint', 'first');
      // What the cancel script writes, without its notice (as if this worker's subscription were down).
      await redis.hset(keys.delivery(id), { status: 'cancelled', cancelledAt: new Date().toISOString() });
      held.release();
      gate = null;
      await expect.poll(async () => (await queue.getJobState(id)) === 'completed', { timeout: 10_000 }).toBe(true);
      const delivery = (await deliveries.get(id))!;
      expect(delivery.status).toBe('cancelled');
      expect(step(delivery, 'later')).toBeUndefined();
      expect(service.hits(`/count/${tag}`)).toHaveLength(0);
    });

    it('a job that still arrives for a cancelled delivery is dropped before anything runs', async () => {
      const tag = tagId();
      await define({ name: 'cancel-queued', steps: [{ id: 'only', type: 'http', url: `{{ env.SERVICE_URL }}/count/${tag}` }] });
      const id = await start('cancel-queued', {}, { attempts: 1, delay: 300 });
      expect(await deliveries.cancel(id, new Date())).toMatchObject({ cancelled: true, previous: 'queued' });
      await expect.poll(async () => (await queue.getJobState(id)) === 'completed', { timeout: 10_000 }).toBe(true);
      expect(await deliveries.get(id)).toMatchObject({ status: 'cancelled', attempts: 0, startedAt: null, steps: [] });
      expect(service.hits(`/count/${tag}`)).toHaveLength(0);
    });
  });

  describe('wait steps', () => {
    /** What the ingress does with a signal: take it, then promote the parked job when the delivery was waiting. */
    async function signal(id: string, name: string, body: unknown) {
      const receipt = await signals.receive(id, name, JSON.stringify(body), new Date());
      if (receipt.outcome === 'resumed' && receipt.wake)
        await wakeJob(redis, deliveryJob(queues.get(receipt.queue), id)).catch(() => undefined);
      return receipt;
    }

    it('a delivery waits without a worker, and its signal resumes it after the last checkpoint, with the body as the step output', async () => {
      const tag = tagId();
      await define({
        name: 'wait-resume',
        steps: [
          { id: 'before', type: 'http', url: `{{ env.SERVICE_URL }}/count/${tag}` },
          { id: 'link', type: 'transform', expression: 'signals.approval' },
          { id: 'review', type: 'wait', signal: 'approval', timeoutMs: 600_000 },
          { id: 'after', type: 'transform', expression: "steps.review.output.approved ? 'frozen' : 'cleared'" },
        ],
      });
      const id = await start('wait-resume', {}, fast);
      const waiting = await waitFor(id, ['waiting']);
      expect(waiting.waitingFor).toEqual({ stepId: 'review', signal: 'approval', expiresAt: expect.any(String) });
      expect(step(waiting, 'review')).toMatchObject({ type: 'wait', status: 'running' });
      await expect.poll(() => queue.getJobState(id)).toBe('delayed');

      // The link the step rendered: this delivery, this signal, expiring when the wait does.
      const link = step(waiting, 'link')!.output as { url: string; expiresAt: string };
      expect(link.expiresAt).toBe(waiting.waitingFor!.expiresAt);
      expect(link.url.startsWith(`${publicUrl}/signals/`)).toBe(true);
      expect(signalTokens.verify(link.url.slice(`${publicUrl}/signals/`.length), new Date())).toEqual({
        ok: true,
        deliveryId: id,
        signal: 'approval',
        expiresAt: new Date(link.expiresAt),
      });

      expect(await signal(id, 'approval', { approved: true })).toMatchObject({ outcome: 'resumed', wake: true });
      const done = await waitFor(id);
      expect(done).toMatchObject({ status: 'succeeded', result: 'frozen', waitingFor: null, error: null });
      expect(step(done, 'review')).toMatchObject({ status: 'succeeded', output: { approved: true } });
      // Resumed after the last checkpoint: the first step ran once.
      expect(counters.get(`/count/${tag}`)).toBe(1);
    });

    it('at the deadline a wait fails with wait_timeout (not retried), or with onTimeout continue goes on with null', async () => {
      await define({ name: 'wait-fail', steps: [{ id: 'review', type: 'wait', signal: 'approval', timeoutMs: 300 }] });
      const failed = await waitFor(await start('wait-fail', {}, fast));
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'wait_timeout' } });
      expect(step(failed, 'review')).toMatchObject({ status: 'failed', error: { code: 'wait_timeout' } });

      await define({
        name: 'wait-continue',
        steps: [
          { id: 'review', type: 'wait', signal: 'approval', timeoutMs: 300, onTimeout: 'continue' },
          { id: 'after', type: 'transform', expression: "steps.review.output = null ? 'no answer' : 'answered'" },
        ],
      });
      const continued = await waitFor(await start('wait-continue', {}, fast));
      expect(continued).toMatchObject({ status: 'succeeded', result: 'no answer' });
      expect(step(continued, 'review')).toMatchObject({ status: 'succeeded', output: null });
    });

    it('a signal that comes before the run reaches its wait step finishes the step at once', async () => {
      const tag = tagId();
      await define({
        name: 'wait-early',
        steps: [
          { id: 'link', type: 'transform', expression: 'signals.approval.url' },
          { id: 'slow', type: 'http', url: `{{ env.SERVICE_URL }}/held/${tag}` },
          { id: 'review', type: 'wait', signal: 'approval', timeoutMs: 600_000 },
        ],
      });
      let arrived!: () => void;
      let release!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      gate = { arrived, release: new Promise<void>((resolve) => (release = resolve)) };
      const id = await start('wait-early', {}, fast);
      await arrival;
      expect(await signal(id, 'approval', { approved: false })).toMatchObject({ outcome: 'resumed', wake: false });
      release();
      const done = await waitFor(id);
      gate = null;
      expect(done).toMatchObject({ status: 'succeeded', result: { approved: false } });
      expect(await signal(id, 'approval', { approved: true })).toEqual({ outcome: 'already_received' });
    });

    it('TypeScript workflows wait with ctx.wait and get their link from ctx.signalLink', async () => {
      const tag = tagId();
      const id = await start('ts-wait', { tag }, fast);
      const waiting = await waitFor(id, ['waiting']);
      expect(waiting.waitingFor).toMatchObject({ stepId: 'go', signal: 'go' });
      await signal(id, 'go', ['ok']);
      const done = await waitFor(id);
      expect(done).toMatchObject({
        status: 'succeeded',
        result: {
          answer: ['ok'],
          link: { url: expect.stringMatching(/^https:\/\/hooks\.example\.test\/signals\//), expiresAt: waiting.waitingFor!.expiresAt },
        },
      });
      expect(counters.get(`/count/${tag}-announce`)).toBe(1);
    });

    it('a cancelled waiting delivery never runs again, and its signal is refused', async () => {
      const tag = tagId();
      await define({
        name: 'wait-cancel',
        steps: [
          { id: 'review', type: 'wait', signal: 'approval', timeoutMs: 600_000 },
          { id: 'after', type: 'http', url: `{{ env.SERVICE_URL }}/count/${tag}` },
        ],
      });
      const id = await start('wait-cancel', {}, fast);
      await waitFor(id, ['waiting']);
      await expect.poll(() => queue.getJobState(id)).toBe('delayed');
      expect(await deliveries.cancel(id, new Date())).toMatchObject({ cancelled: true, previous: 'waiting' });
      expect(await signal(id, 'approval', {})).toEqual({ outcome: 'not_found' });
      // Even a promoted job (the ingress removes it; here it is woken) only finds the delivery cancelled.
      await wakeJob(redis, deliveryJob(queues.get(queueName), id));
      await expect.poll(() => queue.getJobState(id), { timeout: 10_000 }).toBe('completed');
      expect(await deliveries.get(id)).toMatchObject({ status: 'cancelled', waitingFor: null });
      expect(service.hits(`/count/${tag}`)).toHaveLength(0);
    });
  });

  it(`fails a delivery whose job stalled ${maxStalls} times with worker_crashed, without running it again`, async () => {
    const tag = tagId();
    await define({ name: 'poison', steps: [{ id: 'only', type: 'http', url: `{{ env.SERVICE_URL }}/count/${tag}` }] });
    const id = await start('poison', {}, { ...fast, delay: 300 });
    // What BullMQ's stall check leaves on a job whose workers died holding it twice.
    await redis.hset(`${keys.bullPrefix}:${queueName}:${id}`, 'stc', String(maxStalls));
    const delivery = await waitFor(id);
    expect(delivery).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' }, startedAt: null, steps: [] });
    expect(service.hits(`/count/${tag}`)).toHaveLength(0);
    await expect.poll(async () => (await queue.getJobState(id)) === 'failed', { timeout: 10_000 }).toBe(true);
  });
});
