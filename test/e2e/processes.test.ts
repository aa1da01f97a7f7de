import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, waitForDelivery } from '../support/client.js';
import { freePort, repoRoot, spawnEntry, startStack, waitForHttp } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';

const redis = testRedis();
const prefixes: string[] = [];
const prefixFor = (name: string) => {
  const prefix = testPrefix(name);
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  for (const prefix of prefixes) await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('start-up with bad configuration', () => {
  it.each([
    ['apps/ingress/src/main.ts', { PORT: 'eighty', REDIS_URL: 'http://wrong' }, ['PORT', 'REDIS_URL']],
    ['apps/ingress/src/main.ts', { NODE_ENV: 'production', HOOKFLOW_ADMIN_TOKEN: '', HOOKFLOW_MASTER_KEY: '' }, ['HOOKFLOW_ADMIN_TOKEN', 'HOOKFLOW_MASTER_KEY']],
    ['apps/worker/src/main.ts', { WORKER_CONCURRENCY: '-3' }, ['WORKER_CONCURRENCY']],
  ])('%s exits 1 with a readable message naming the variable', async (entry, env, names) => {
    const proc = spawnEntry(entry, { HOOKFLOW_HOME: mkdtempSync(join(tmpdir(), 'hookflow-cfg-')), ...env });
    expect(await proc.exited).toBe(1);
    const output = proc.output();
    for (const name of names) expect(output).toContain(name);
    expect(output).toContain('invalid configuration');
    expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
  });
});

describe('SIGTERM', () => {
  it('the ingress finishes in-flight requests, refuses new connections, and exits 0; the worker exits 0', async () => {
    const stack = await startStack({ prefix: prefixFor('sigterm') });
    const api = adminClient(stack.baseUrl, stack.adminToken);
    const setup = await api.setupWebhook('echo');
    const endpoint = `${stack.baseUrl}/hooks/${setup.webhookId}`;
    const { signUptiq } = await import('../support/client.js');
    // A request whose body is still arriving when SIGTERM lands must still be answered.
    const body = JSON.stringify({ slow: true });
    let push!: (chunk: string) => void;
    let end!: () => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk));
        end = () => controller.close();
      },
    });
    const inFlight = fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signUptiq(body, setup.keyFile.privateKey) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    push(body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 300));
    stack.ingress.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    push(body.slice(5));
    end();
    const res = await inFlight;
    expect(res.status).toBe(202);
    const { deliveryId } = (await res.json()) as { deliveryId: string };
    expect(await stack.ingress.exited).toBe(0);
    await expect(fetch(`${stack.baseUrl}/healthz`)).rejects.toThrow();

    // The worker still runs what was accepted, then drains on SIGTERM.
    const worker = stack.worker!;
    const { DeliveryStore, createKeys } = await import('@hookflow/shared');
    const store = new DeliveryStore(redis, createKeys(stack.prefix));
    const deadline = Date.now() + 20_000;
    while ((await store.get(deliveryId))?.status !== 'succeeded' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await store.get(deliveryId))?.status).toBe('succeeded');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  });
});

describe('npm start', () => {
  it('exits 1 with a one-line reason when REDIS_URL points at nothing', async () => {
    const port = await freePort();
    const child = spawn('npm', ['start', '--silent'], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}`, HOOKFLOW_HOME: mkdtempSync(join(tmpdir(), 'hookflow-start-')), PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain(`nothing answers at REDIS_URL=redis://127.0.0.1:${port}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('starts everything, creates the demo webhook, and the printed command sends a signed event that succeeds', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hookflow-start-'));
    const port = await freePort();
    const prefix = prefixFor('npmstart');
    const child = spawn('npm', ['start', '--silent'], {
      cwd: repoRoot,
      env: { ...process.env, HOOKFLOW_HOME: home, PORT: String(port), WORKER_PORT: String(await freePort()), HOOKFLOW_REDIS_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 40_000);
      const deadline = Date.now() + 30_000;
      while (!stdout.includes('Stop with Ctrl+C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(stdout).toContain('Hookflow is running.');
      const command = /Send it a signed event \(copy and paste\):\n\n([\s\S]+?)\n\n/.exec(stdout)?.[1];
      expect(command).toBeDefined();
      const { stdout: answer } = await promisify(execFile)('bash', ['-c', command!], { cwd: repoRoot });
      const accepted = JSON.parse(answer) as { deliveryId: string; status: string };
      expect(accepted.status).toBe('queued');
      const token = readFileSync(join(home, 'admin-token'), 'utf8').trim();
      const delivery = await waitForDelivery(adminClient(`http://127.0.0.1:${port}`, token), accepted.deliveryId);
      expect(delivery).toMatchObject({ status: 'succeeded', workflow: 'echo', result: { documentId: 'doc-1', status: 'extracted' } });
      const keyFile = JSON.parse(readFileSync(join(home, `${delivery.webhookId}.private-key.json`), 'utf8'));
      expect(stdout).not.toContain(keyFile.privateKey);
      expect(stdout).not.toContain(token);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });
});
