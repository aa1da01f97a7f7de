/**
 * `npm start`: everything on one machine. Fills in local secrets, finds (or starts) Redis, runs the ingress and a
 * worker as child processes, creates a demo webhook on first start and prints how to call it. SIGINT/SIGTERM stop
 * the children (they drain), then the private Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { localHome, safeRedisUrl, withLocalSecrets } from '@hookflow/shared';
import { loadConfig } from '../apps/ingress/src/config.js';
import { exitOnConfigError } from '@hookflow/shared/process';
import { redisAnswers, redisServerOnPath, startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.js';
import { ensureDemoWebhook, sampleCommand } from './demo-webhook.js';

const root = resolve(import.meta.dirname, '..');
const say = (line = '') => process.stdout.write(`${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`hookflow: ${message}\n`);
  process.exit(1);
};

const env = withLocalSecrets({ ...process.env });
const home = localHome(env);
const config = exitOnConfigError('start', () => loadConfig(env));

let embedded: EmbeddedRedis | null = null;
if (!(await redisAnswers(config.redisUrl))) {
  if (process.env.REDIS_URL) fail(`nothing answers at REDIS_URL=${safeRedisUrl(config.redisUrl)}. Start that Redis, or unset REDIS_URL to use a private one.`);
  if (!redisServerOnPath()) {
    fail(
      'no Redis answers at redis://127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run npm start again,\n' +
        '  or run everything in containers: docker compose up',
    );
  }
  embedded = await startEmbeddedRedis(join(home, 'redis')).catch((err: Error) => fail(`could not start a private Redis: ${err.message}`));
  env.REDIS_URL = embedded!.url;
  say(`Started a private Redis at ${embedded!.url} (data in ${join(home, 'redis')}, AOF on)`);
}

const children: ChildProcess[] = [];
let stopping = false;

/** Runs an app's bundle (`npm start` built it first), as `npm run start:<name>` does. */
function run(name: 'ingress' | 'worker'): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'scripts', 'run-app.mjs'), name], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`hookflow: the ${name} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping everything\n`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    ),
  );
  await embedded?.stop();
  process.exit(exitCode);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

run('ingress');
run('worker');

const localUrl = `http://127.0.0.1:${config.port}`;
const deadline = Date.now() + 30_000;
while (!(await fetch(`${localUrl}/healthz`).then((r) => r.ok, () => false))) {
  if (stopping) await new Promise(() => {});
  if (Date.now() > deadline) {
    process.stderr.write(`hookflow: the ingress did not answer on port ${config.port} within 30 s\n`);
    await shutdown(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

try {
  const demo = await ensureDemoWebhook(localUrl, config.adminToken, home);
  const endpoint = `${config.publicUrl}/hooks/${demo.webhookId}`;
  say();
  say('Hookflow is running.');
  say(`  Ingress:        ${config.publicUrl}   (health: /healthz, API: /api/v1)`);
  say(`  Admin token:    in ${join(home, 'admin-token')}`);
  say(`  Demo webhook:   ${endpoint}   (workflow: echo)`);
  say(`  Its key file:   ${demo.keyFile}`);
  say();
  say('Send it a signed event (copy and paste):');
  say();
  say(sampleCommand(endpoint, demo.keyFile));
  say();
  say(`Then look at the delivery: curl -s -H "Authorization: Bearer $(cat ${join(home, 'admin-token')})" ${config.publicUrl}/api/v1/deliveries/<deliveryId>`);
  say('Stop with Ctrl+C.');
  say();
} catch (err) {
  process.stderr.write(`hookflow: could not create the demo webhook: ${(err as Error).message}\n`);
}
