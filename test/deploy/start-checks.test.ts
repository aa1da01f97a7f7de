import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@hookflow/shared';
import { freePort } from '../support/processes.js';
import { loadStartConfig, settleStartConfig } from '../../scripts/start-checks.js';

// What npm start checks before its build. Secrets are given, as withLocalSecrets would fill them in.
const secrets = { HOOKFLOW_ADMIN_TOKEN: 'a'.repeat(32), HOOKFLOW_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };

async function listen(port = 0): Promise<Server | null> {
  const server = createServer();
  server.listen(port);
  return Promise.race([once(server, 'listening').then(() => server), once(server, 'error').then(() => null)]);
}

describe('loadStartConfig', () => {
  it('reports the problems of the ingress and the worker together, a shared variable once', () => {
    let err: unknown;
    try {
      loadStartConfig({ ...secrets, PORT: 'abc', WORKER_CONCURRENCY: '0', REDIS_URL: 'http://x' });
    } catch (caught) {
      err = caught;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'PORT: must be a port number (0-65535) (got "abc")',
      'REDIS_URL: must be a redis:// or rediss:// URL (got "http://x")',
      'WORKER_CONCURRENCY: must be at least 1 (got "0")',
    ]);
  });
});

describe('settleStartConfig', () => {
  let held: Server;
  let heldPort: number;
  let defaultWorkerPort: Server | null;

  beforeAll(async () => {
    held = (await listen())!;
    heldPort = (held.address() as AddressInfo).port;
    // 9464, the worker's default; if another process holds it already, it is just as taken.
    defaultWorkerPort = await listen(9464);
  });
  afterAll(() => {
    held.close();
    defaultWorkerPort?.close();
  });

  it('refuses a PORT that is in use, naming it', async () => {
    await expect(settleStartConfig({ ...secrets, PORT: String(heldPort) })).rejects.toThrow(
      `invalid configuration: PORT: ${heldPort} is in use`,
    );
  });

  it('refuses a WORKER_PORT that was set and is in use', async () => {
    const env = { ...secrets, PORT: String(await freePort()), WORKER_PORT: String(heldPort) };
    await expect(settleStartConfig(env)).rejects.toThrow(
      `invalid configuration: WORKER_PORT: ${heldPort} is in use; set WORKER_PORT to a free port, or leave it unset to take a free one`,
    );
  });

  it('takes a free worker port when WORKER_PORT is unset and 9464 is in use, and hands it to the children', async () => {
    const env: NodeJS.ProcessEnv = { ...secrets, PORT: String(await freePort()) };
    const settled = await settleStartConfig(env);
    expect(settled.workerPortMoved).toBe(true);
    expect(settled.worker.port).not.toBe(9464);
    expect(env.WORKER_PORT).toBe(String(settled.worker.port));
    const probe = await listen(settled.worker.port);
    expect(probe).not.toBeNull(); // free, for the worker to take
    probe?.close();
  });

  it('turns PORT=0 and WORKER_PORT=0 into free ports it can print, and the public URL follows', async () => {
    const env: NodeJS.ProcessEnv = { ...secrets, PORT: '0', WORKER_PORT: '0' };
    const settled = await settleStartConfig(env);
    expect(settled.ingress.port).toBeGreaterThan(0);
    expect(settled.worker.port).toBeGreaterThan(0);
    expect(settled.worker.port).not.toBe(settled.ingress.port);
    expect(settled.ingress.publicUrl).toBe(`http://localhost:${settled.ingress.port}`);
    expect(settled.workerPortMoved).toBe(false);
  });
});
