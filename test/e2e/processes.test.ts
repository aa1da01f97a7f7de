import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, waitForDelivery } from '../support/client.js';
import { runCli } from '../cli/run-cli.js';
import { answers, isRunning, spawnNpm } from '../support/npm-process.js';
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
    [
      'apps/ingress/src/main.ts',
      { NODE_ENV: 'production', HOOKFLOW_ADMIN_TOKEN: '', HOOKFLOW_MASTER_KEY: '' },
      ['HOOKFLOW_ADMIN_TOKEN', 'HOOKFLOW_MASTER_KEY'],
    ],
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
  /** Runs `npm start` to its end (it is expected to refuse); its exit code and output. */
  async function refusedStart(env: NodeJS.ProcessEnv): Promise<{ code: number | string; output: string }> {
    const npm = spawnNpm(['start'], { HOOKFLOW_HOME: mkdtempSync(join(tmpdir(), 'hookflow-start-')), ...env });
    try {
      return { code: await npm.exited, output: npm.output() };
    } finally {
      npm.kill();
    }
  }

  it('exits 1 with a one-line reason when REDIS_URL points at nothing', async () => {
    const port = await freePort();
    const { code, output } = await refusedStart({ REDIS_URL: `redis://127.0.0.1:${port}`, PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain(`hookflow: nothing answers at REDIS_URL=redis://127.0.0.1:${port}`);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('checks the configuration before the build: one line naming the bad variable, exit 1', async () => {
    const { code, output } = await refusedStart({ PORT: 'abc' });
    expect(code).toBe(1);
    expect(output).toContain('hookflow start: invalid configuration: PORT: must be a port number (0-65535) (got "abc")\n');
    expect(output).not.toContain('> hookflow@0.1.0 build');
  });

  it('refuses a PORT another process listens on, naming it, before the build', async () => {
    const holder = createServer().listen(0);
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const { code, output } = await refusedStart({ PORT: String(port) });
      expect(code).toBe(1);
      expect(output).toContain(`hookflow start: invalid configuration: PORT: ${port} is in use`);
      expect(output).not.toContain('> hookflow@0.1.0 build');
    } finally {
      holder.close();
    }
  });

  it('stops during its build when npm is signalled: exit 0, no build process left', async () => {
    const npm = spawnNpm(['start'], { HOOKFLOW_HOME: mkdtempSync(join(tmpdir(), 'hookflow-start-')), PORT: String(await freePort()) });
    try {
      const deadline = Date.now() + 120_000;
      while (!npm.output().includes('> @hookflow/sdk@0.1.0 build') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const below = npm.descendants();
      expect(below.length).toBeGreaterThanOrEqual(2); // start-all and the build under it
      process.kill(npm.child.pid!, 'SIGTERM');
      expect(await npm.exited).toBe(0);
      expect(below.filter(isRunning)).toEqual([]);
    } finally {
      npm.kill();
    }
  });

  it('starts everything and prints where it is; the printed command succeeds, the CLI finds it, and SIGTERM to npm stops it all', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hookflow-start-'));
    const port = await freePort();
    const prefix = prefixFor('npmstart');
    // The worker's default health port, held here (unless someone else holds it already), so npm start must take another.
    const holder = createServer();
    const holding = await new Promise<boolean>((resolveHold) => {
      holder.once('error', () => resolveHold(false));
      holder.listen(9464, () => resolveHold(true));
    });
    const npm = spawnNpm(['start'], { HOOKFLOW_HOME: home, PORT: String(port), WORKER_PORT: '', HOOKFLOW_REDIS_PREFIX: prefix });
    try {
      const localUrl = `http://127.0.0.1:${port}`;
      await waitForHttp(`${localUrl}/healthz`, 270_000);
      const deadline = Date.now() + 60_000;
      while (!npm.output().includes('Stop with Ctrl+C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const stdout = npm.output();
      expect(stdout).toContain('Hookflow is running.');

      // The console is where it says, and the token is named by its file, never printed.
      expect(stdout).toContain(`Console:        http://localhost:${port}/console/`);
      expect((await fetch(`${localUrl}/console/`)).status).toBe(200);
      expect(stdout).toContain(`Admin token:    cat ${join(home, 'admin-token')}`);
      const token = readFileSync(join(home, 'admin-token'), 'utf8').trim();
      expect(stdout).not.toContain(token);

      // The worker's health endpoint is printed and answers, on another port when 9464 is taken.
      const workerPort = Number(/Worker health: {2}http:\/\/127\.0\.0\.1:(\d+)\/healthz/.exec(stdout)?.[1]);
      expect(await (await fetch(`http://127.0.0.1:${workerPort}/healthz`)).json()).toEqual({ status: 'ok' });
      if (holding) {
        expect(workerPort).not.toBe(9464);
        expect(stdout).toContain('port 9464 was in use');
      }

      const command = /Send it a signed event \(copy and paste\):\n\n([\s\S]+?)\n\n/.exec(stdout)?.[1];
      expect(command).toBeDefined();
      const { stdout: answer } = await promisify(execFile)('bash', ['-c', command!], { cwd: repoRoot });
      const accepted = JSON.parse(answer) as { deliveryId: string; status: string };
      expect(accepted.status).toBe('queued');
      const delivery = await waitForDelivery(adminClient(localUrl, token), accepted.deliveryId);
      expect(delivery).toMatchObject({ status: 'succeeded', workflow: 'echo', result: { documentId: 'doc-1', status: 'extracted' } });
      const keyFile = JSON.parse(readFileSync(join(home, `${delivery.webhookId}.private-key.json`), 'utf8'));
      expect(stdout).not.toContain(keyFile.privateKey);

      // The CLI needs neither HOOKFLOW_URL nor the token in its environment: npm start recorded both under its home.
      expect(readFileSync(join(home, 'url'), 'utf8')).toBe(`${localUrl}\n`);
      const listed = await runCli(['agents', 'list', '--json'], { HOOKFLOW_HOME: home });
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { items: { name: string }[] }).items.map((agent) => agent.name)).toContain('Demo agent');

      // SIGTERM to npm alone (what docker stop, systemd or a supervisor does): both apps drain and everything exits 0.
      const below = npm.descendants();
      expect(below.length).toBeGreaterThanOrEqual(3); // start-all, the ingress, the worker
      process.kill(npm.child.pid!, 'SIGTERM');
      expect(await npm.exited).toBe(0);
      for (const app of ['ingress', 'worker']) expect(npm.output()).toContain(`"msg":"${app} stopped"`);
      expect(below.filter(isRunning)).toEqual([]);
      expect(await answers(`${localUrl}/healthz`)).toBe(false);
      expect(await answers(`http://127.0.0.1:${workerPort}/healthz`)).toBe(false);
      expect(existsSync(join(home, 'url'))).toBe(false);
    } finally {
      npm.kill();
      holder.close();
    }
  }, 300_000); // npm start builds first: minutes on a loaded machine
});
