import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { startStack, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { sendJson, startStub, type HttpStub } from '../support/http-stub.js';

/**
 * The egress policy and the response cap, attacked through the real ingress and worker: a sender-controlled URL in
 * an `http` step (`url: "{{ payload.url }}"`), a `notify` step and the `llm` provider must not reach the machine's
 * own services in any spelling, through a redirect or through DNS; an allowed upstream still works; a response far
 * over the cap is cut off without the worker's memory following it; and another webhook's deliveries keep flowing.
 */
const prefix = testPrefix('egress');
const redis = testRedis();
const hugeBytes = 1024 * 1024 * 1024;
let stack: Stack;
let api: AdminClient;
let upstream: HttpStub;
/** What the huge response's sender managed to write before the worker hung up. */
let hugeSent: number | null = null;

type Hook = { send: (payload: unknown) => Promise<{ status: number; body: any }> };
const hooks: Record<'fetch' | 'notify' | 'llm' | 'echo', Hook> = {} as never;

beforeAll(async () => {
  upstream = await startStub((req, res) => {
    if (req.path === '/ok') return sendJson(res, 200, { from: 'upstream' });
    if (req.path.startsWith('/redirect?to='))
      return void res.writeHead(302, { location: decodeURIComponent(req.path.slice('/redirect?to='.length)) }).end();
    if (req.path === '/huge') {
      // A gigabyte, written only as fast as the reader takes it: a reader that stops early stops the writing.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      res.on('close', () => (hugeSent = sent));
      const pump = () => {
        while (sent < hugeBytes && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    sendJson(res, 202, { accepted: true });
  });
  stack = await startStack({
    prefix,
    worker: true,
    env: {
      // Only the upstream is allowed; the ingress and the worker's own ports on loopback are not.
      HOOKFLOW_EGRESS_ALLOW: new URL(upstream.url).host,
      // An LLM API on loopback that is not allowed: the provider goes through the same policy.
      LLM_BASE_URL: 'http://localhost:9/v1',
      LOG_LEVEL: 'warn',
    },
  });
  api = adminClient(stack.baseUrl, stack.adminToken);
  const retry = { attempts: 3, backoff: { type: 'fixed', delayMs: 100 } };
  const definitions = {
    fetch: { name: 'egress-fetch', retry, steps: [{ id: 'fetch', type: 'http', url: '{{ payload.url }}' }] },
    notify: {
      name: 'egress-notify',
      retry,
      steps: [{ id: 'tell', type: 'notify', url: '{{ payload.url }}', payload: { event: 'hello' } }],
    },
    llm: { name: 'egress-llm', retry, steps: [{ id: 'ask', type: 'llm', prompt: 'Summarise: {{ payload.text }}' }] },
  };
  for (const [kind, definition] of Object.entries(definitions)) {
    const put = await api.call('PUT', `/workflows/${definition.name}`, definition);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    hooks[kind as keyof typeof definitions] = await hook(definition.name);
  }
  hooks.echo = await hook('echo');
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function hook(workflow: string): Promise<Hook> {
  const setup = await api.setupWebhook(workflow);
  const endpoint = `${stack.baseUrl}/hooks/${setup.webhookId}`;
  return { send: (payload) => sendSigned(endpoint, payload, setup.keyFile.privateKey) };
}

async function run(kind: keyof typeof hooks, payload: unknown): Promise<any> {
  const accepted = await hooks[kind].send(payload);
  expect(accepted.status).toBe(202);
  return waitForDelivery(api, accepted.body.deliveryId, ['succeeded', 'failed'], 60_000);
}

/** Echo deliveries sent one after another until `during` settles: the other webhook's traffic during an attack. */
async function whileOthersFlow<T>(during: Promise<T>): Promise<{ result: T; others: any[] }> {
  let done = false;
  const others: Promise<any>[] = [];
  const sender = (async () => {
    for (let i = 0; !done || others.length < 3; i++) {
      others.push(run('echo', { n: i }));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await during.finally(() => (done = true));
  await sender;
  return { result, others: await Promise.all(others) };
}

function expectDenied(delivery: any, host: string): void {
  expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'egress_denied' } });
  expect(delivery.error.message).toContain(host);
  expect(delivery.steps[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'egress_denied' } });
  expect(delivery.steps[0].output).toBeUndefined();
}

describe('egress policy', () => {
  it('refuses every spelling of the machine’s own services, a redirect to them and a name resolving to them', async () => {
    const ingressPort = new URL(stack.baseUrl).port;
    const attacks: [url: string, named: string][] = [
      [`http://[::1]:${ingressPort}/metrics`, `[::1]:${ingressPort}`],
      [`http://127.0.0.1:${stack.workerPort}/metrics`, `127.0.0.1:${stack.workerPort}`],
      [`http://2130706433:${ingressPort}/`, `127.0.0.1:${ingressPort}`],
      [`http://127.1:${ingressPort}/`, `127.0.0.1:${ingressPort}`],
      [`http://0x7f.0.0.1:${ingressPort}/`, `127.0.0.1:${ingressPort}`],
      [`http://[::ffff:127.0.0.1]:${ingressPort}/`, `:${ingressPort}`],
      [`http://[::127.0.0.1]:${ingressPort}/`, `:${ingressPort}`],
      [`${upstream.url}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${ingressPort}/metrics`)}`, `127.0.0.1:${ingressPort}`],
      [`http://localhost:${ingressPort}/`, `localhost:${ingressPort}`],
      [`file:///etc/passwd`, 'file:'],
      [`gopher://127.0.0.1:${ingressPort}/`, 'gopher:'],
    ];
    const { result, others } = await whileOthersFlow(Promise.all(attacks.map(([url]) => run('fetch', { url }))));
    result.forEach((delivery, i) => expectDenied(delivery, attacks[i]![1]));
    // The redirect's first hop, to the allowed upstream, was made; the second was not.
    expect(upstream.hits('/redirect')).toHaveLength(1);
    expect(others.length).toBeGreaterThanOrEqual(3);
    for (const other of others) expect(other).toMatchObject({ status: 'succeeded' });
  });

  it('lets an allowed upstream through', async () => {
    const delivery = await run('fetch', { url: `${upstream.url}/ok` });
    expect(delivery).toMatchObject({
      status: 'succeeded',
      steps: [{ id: 'fetch', status: 'succeeded', output: { status: 200, body: { from: 'upstream' } } }],
    });
  });

  it('refuses a notify step to an internal URL, and sends one to an allowed receiver', async () => {
    const ingressPort = new URL(stack.baseUrl).port;
    expectDenied(await run('notify', { url: `http://127.0.0.1:${ingressPort}/hooks/wh_internal` }), `127.0.0.1:${ingressPort}`);
    const sent = await run('notify', { url: `${upstream.url}/receiver` });
    expect(sent).toMatchObject({ status: 'succeeded' });
    expect(upstream.hits('/receiver')[0]?.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('holds the llm provider to the same policy', async () => {
    expectDenied(await run('llm', { text: 'anything' }), 'localhost:9');
  });
});

describe('bounded responses', () => {
  it('stops reading a gigabyte response at HOOKFLOW_MAX_RESPONSE_BYTES while the worker stays small and others keep flowing', async () => {
    const pid = stack.worker!.child.pid!;
    // Run threads already started by the tests above are part of the worker's RSS: what counts is the growth.
    const baselineRss = rssBytes(pid);
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(pid))), 50);
    try {
      const { result, others } = await whileOthersFlow(run('fetch', { url: `${upstream.url}/huge` }));
      expect(result).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { code: 'response_too_large', message: expect.stringContaining('5242880 bytes') },
      });
      expect(result.steps[0].output).toBeUndefined();
      for (const other of others) expect(other).toMatchObject({ status: 'succeeded' });
    } finally {
      clearInterval(sampler);
    }
    // The sender was cut off near the cap (plus what socket buffers hold), far short of its gigabyte.
    await expect.poll(() => hugeSent, { timeout: 30_000 }).not.toBeNull();
    expect(hugeSent!).toBeLessThan(64 * 1024 * 1024);
    // Reading the whole body would have grown the worker by a gigabyte.
    expect(peakRss).toBeGreaterThan(0);
    expect(peakRss - baselineRss).toBeLessThan(256 * 1024 * 1024);
    expect(stack.worker!.child.exitCode).toBeNull();
  });
});

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}
