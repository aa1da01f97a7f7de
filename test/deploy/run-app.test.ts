import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { answers, isRunning, spawnNpm, type NpmProcess } from '../support/npm-process.js';
import { freePort, repoRoot, spawnEntry, waitForHttp } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';

const run = promisify(execFile);

/** Runs scripts/run-app.mjs and returns its exit code and stderr. */
async function runApp(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [script, ...args], { timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const failure = err as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe('scripts/run-app.mjs (npm run start:ingress / start:worker)', () => {
  it('says in one line to build first when the bundle is missing, and exits 1', async () => {
    // A copy of the launcher in an empty tree: it looks for ../apps/<app>/dist/main.js next to itself.
    const tree = mkdtempSync(join(tmpdir(), 'hookflow-run-app-'));
    mkdirSync(join(tree, 'scripts'));
    copyFileSync(join(repoRoot, 'scripts', 'run-app.mjs'), join(tree, 'scripts', 'run-app.mjs'));
    const { code, stderr } = await runApp(join(tree, 'scripts', 'run-app.mjs'), ['worker']);
    expect(code).toBe(1);
    expect(stderr).toBe('hookflow: apps/worker/dist/main.js is missing; run npm run build first\n');
  });

  it('refuses an unknown app with its usage line and exit code 2', async () => {
    const { code, stderr } = await runApp(join(repoRoot, 'scripts', 'run-app.mjs'), ['nope']);
    expect(code).toBe(2);
    expect(stderr).toBe('hookflow: usage: node scripts/run-app.mjs ingress|worker\n');
  });
});

describe('npm run start:ingress / start:worker stop when only the npm process is signalled', () => {
  const redis = testRedis();
  const prefix = testPrefix('npm-signal');
  const running: NpmProcess[] = [];

  afterAll(async () => {
    for (const npm of running) npm.kill();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  it.each([
    ['ingress', 'SIGTERM'],
    ['ingress', 'SIGINT'],
    ['worker', 'SIGTERM'],
    ['worker', 'SIGINT'],
  ] as const)('npm run start:%s on %s: the app drains, exits 0, and nothing of it is left', async (app, signal) => {
    const port = await freePort();
    const env = {
      ...(app === 'ingress' ? { PORT: String(port) } : { WORKER_PORT: String(port) }),
      HOOKFLOW_REDIS_PREFIX: prefix,
      HOOKFLOW_HOME: mkdtempSync(join(tmpdir(), 'hookflow-npm-signal-')),
      LOG_LEVEL: 'info',
    };
    const npm = spawnNpm(['run', `start:${app}`], env);
    running.push(npm);
    const health = `http://127.0.0.1:${port}/healthz`;
    await waitForHttp(health, 90_000);
    const below = npm.descendants();
    expect(below.length).toBeGreaterThan(0);

    process.kill(npm.child.pid!, signal);
    expect(await npm.exited).toBe(0);
    expect(npm.output()).toContain(`"signal":"${signal}","msg":"${app} shutting down"`);
    expect(npm.output()).toContain(`"msg":"${app} stopped"`);
    expect(below.filter(isRunning)).toEqual([]);
    expect(await answers(health)).toBe(false);
  });
});

describe("the containers' command (docker-compose.yml, the image's CMD) stops on SIGTERM", () => {
  const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'));
  const redis = testRedis();
  const prefix = testPrefix('container-signal');

  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  // tini (the image's init) passes docker stop's SIGTERM to this process; here it is sent directly.
  it.each(['ingress', 'worker'] as const)("the %s service's command drains and exits 0 in production mode", async (app) => {
    const [program, entry] = compose.services[app].command as string[];
    expect(program).toBe('node');
    const port = await freePort();
    const proc = spawnEntry(entry!, {
      NODE_ENV: 'production',
      ...(app === 'ingress' ? { PORT: String(port) } : { WORKER_PORT: String(port) }),
      HOOKFLOW_REDIS_PREFIX: prefix,
      HOOKFLOW_ADMIN_TOKEN: `test-admin-${randomBytes(12).toString('hex')}`,
      HOOKFLOW_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    try {
      const health = `http://127.0.0.1:${port}/healthz`;
      await waitForHttp(health, 90_000, proc);
      expect(await proc.stop('SIGTERM')).toBe(0);
      expect(proc.output()).toContain(`"signal":"SIGTERM","msg":"${app} shutting down"`);
      expect(await answers(health)).toBe(false);
    } finally {
      await proc.stop('SIGKILL');
    }
  });
});
