/**
 * `npm start`: everything on one machine. Checks the configuration and ports, builds, finds (or starts) Redis, runs
 * the ingress and a worker as child processes, creates a demo webhook on first start and prints where everything is.
 * SIGINT/SIGTERM stop whatever runs: the build, or the children (they drain) and then the private Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { localHome, safeRedisUrl, withLocalSecrets } from '@hookflow/shared';
import { exitIfConfigError } from '@hookflow/shared/process';
import { redisAnswers, redisServerOnPath, startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.js';
import { ensureDemoWebhook, sampleCommand } from './demo-webhook.js';
import { settleStartConfig } from './start-checks.js';
import { applyDemoDefaults } from './demo-env.js';

const root = resolve(import.meta.dirname, '..');
const say = (line = '') => process.stdout.write(`${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`hookflow: ${message}\n`);
  process.exit(1);
};

const env = withLocalSecrets({ ...process.env });
const home = localHome(env);
// The example workflows call the demo upstreams unless their variables are set: `npm run demo:upstreams` may come later.
const demoUpstreams = applyDemoDefaults(env, home);
// Before the build: a bad variable is reported in a second, not after a rebuild.
const {
  ingress: config,
  worker: workerConfig,
  workerPortMoved,
} = await settleStartConfig(env).catch((err: unknown) => {
  exitIfConfigError('start', err);
  throw err;
});

const privateRedis = !(await redisAnswers(config.redisUrl));
if (privateRedis) {
  if (process.env.REDIS_URL)
    fail(`nothing answers at REDIS_URL=${safeRedisUrl(config.redisUrl)}. Start that Redis, or unset REDIS_URL to use a private one.`);
  if (!redisServerOnPath()) {
    fail(
      'no Redis answers at redis://127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run npm start again,\n' +
        '  or run everything in containers: docker compose up',
    );
  }
}

interface Child {
  name: string;
  process: ChildProcess;
  /** The build runs in a process group of its own (npm, sh, tsc, vite…), stopped as a whole. */
  group: boolean;
}
const children: Child[] = [];
let embedded: Promise<EmbeddedRedis> | null = null;
let stopping = false;
const localUrl = `http://127.0.0.1:${config.port}`;
const urlFile = join(home, 'url');

async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map(stop));
  await embedded?.then(
    (redis) => redis.stop(),
    () => {},
  );
  forgetUrl();
  process.exit(exitCode);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function stop({ process: child, group }: Child): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    if (group) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // the group is already gone
      }
    } else child.kill('SIGTERM');
  });
}

/** While stopping, the start-up sequence goes no further: shutdown() ends the process. */
const unlessStopping = async () => {
  if (stopping) await new Promise(() => {});
};

/** `npm run build` with the npm that runs `npm start` (npm_execpath), else the one on PATH. */
async function build(): Promise<void> {
  const npm = process.env.npm_execpath;
  const [command, args] = npm && /\.[cm]?js$/.test(npm) ? [process.execPath, [npm, 'run', 'build']] : ['npm', ['run', 'build']];
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  children.push({ name: 'build', process: child, group: true });
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  await unlessStopping();
  if (code !== 0) fail('the build failed (see above)');
}

/** Runs an app's bundle, as `npm run start:<name>` does. */
function run(name: 'ingress' | 'worker'): void {
  const child = spawn(process.execPath, [join(root, 'scripts', 'run-app.mjs'), name], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`hookflow: the ${name} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping everything\n`);
      void shutdown(1);
    }
  });
  children.push({ name, process: child, group: false });
}

async function waitForHealth(name: string, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    await unlessStopping();
    if (Date.now() > deadline) {
      process.stderr.write(`hookflow: the ${name} did not answer at ${url} within 30 s\n`);
      await shutdown(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The CLI reads this file when HOOKFLOW_URL is not set, so it talks to this instance whatever its port. */
function rememberUrl(): void {
  writeFileSync(urlFile, `${localUrl}\n`);
}

/** Removes the URL file unless a later start (another instance with the same home) has replaced it. */
function forgetUrl(): void {
  try {
    if (readFileSync(urlFile, 'utf8').trim() === localUrl) rmSync(urlFile);
  } catch {
    // not written yet
  }
}

/** A path as short as it can be shown: relative to the working directory when it lies under it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

await build();

if (privateRedis) {
  embedded = startEmbeddedRedis(join(home, 'redis'));
  const redis = await embedded.catch((err: Error) => fail(`could not start a private Redis: ${err.message}`));
  await unlessStopping();
  env.REDIS_URL = redis.url;
  say(`Started a private Redis at ${redis.url} (data in ${join(home, 'redis')}, AOF on)`);
}

run('ingress');
run('worker');
const workerUrl = `http://127.0.0.1:${workerConfig.port}`;
await waitForHealth('ingress', `${localUrl}/healthz`);
await waitForHealth('worker', `${workerUrl}/healthz`);
rememberUrl();

const tokenFile = shown(join(home, 'admin-token'));
// The CLI looks for ./.hookflow unless HOOKFLOW_HOME says otherwise.
const cli = resolve('.hookflow') === home ? 'npx hookflow' : `HOOKFLOW_HOME=${shown(home)} npx hookflow`;
say();
say('Hookflow is running.');
say(`  Console:        ${config.publicUrl}/console/   (sign in with the admin token)`);
say(`  Admin token:    cat ${tokenFile}`);
say(`  Ingress:        ${config.publicUrl}   (health: /healthz, API: /api/v1)`);
say(`  Worker health:  ${workerUrl}/healthz   (metrics: /metrics${workerPortMoved ? '; port 9464 was in use' : ''})`);
say(`  CLI:            ${cli} agents list   (it finds this instance in ${shown(urlFile)})`);
if (demoUpstreams) say(`  Examples:       the example workflows call ${demoUpstreams}: start it with npm run demo:upstreams`);
try {
  const demo = await ensureDemoWebhook(localUrl, config.adminToken, home);
  await unlessStopping();
  const endpoint = `${config.publicUrl}/hooks/${demo.webhookId}`;
  say(`  Demo webhook:   ${endpoint}   (workflow: echo)`);
  say(`  Its key file:   ${shown(demo.keyFile)}`);
  say();
  say('Send it a signed event (copy and paste):');
  say();
  say(sampleCommand(endpoint, demo.keyFile));
  say();
  say(
    `Then look at the delivery: curl -s -H "Authorization: Bearer $(cat ${tokenFile})" ${config.publicUrl}/api/v1/deliveries/<deliveryId>`,
  );
} catch (err) {
  process.stderr.write(`hookflow: could not create the demo webhook: ${(err as Error).message}\n`);
}
say('Stop with Ctrl+C.');
say();
