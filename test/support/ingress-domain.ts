import { randomBytes } from 'node:crypto';
import { createLogger, ProblemError, type NewDelivery, type Problem } from '@hookflow/shared';
import { loadConfig } from '../../apps/ingress/src/config.js';
import { createServices } from '../../apps/ingress/src/services.js';
import { createDomain } from '../../apps/ingress/src/domain/index.js';
import { newDelivery } from './new-delivery.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from './redis.js';

/**
 * The ingress's services and domain on a real Redis, under a key prefix of the test file's own, wired as the
 * process wires them (`createServices`, `createDomain`). `close` deletes the prefix's keys.
 */
export function testIngressDomain(name: string) {
  const prefix = testPrefix(name);
  const redis = testRedis();
  const config = loadConfig({
    REDIS_URL: testRedisUrl,
    HOOKFLOW_REDIS_PREFIX: prefix,
    HOOKFLOW_ADMIN_TOKEN: randomBytes(16).toString('hex'),
    HOOKFLOW_MASTER_KEY: randomBytes(32).toString('base64'),
    HOOKFLOW_PUBLIC_URL: 'https://hooks.example.test',
  });
  // Real time, but never the same millisecond twice: lists ordered by time (deliveries newest first, webhooks oldest
  // first) then have one right order for things a test creates back to back.
  let last = 0;
  const now = () => new Date((last = Math.max(Date.now(), last + 1)));
  const services = createServices(config, createLogger({ name: `${name}-test`, level: 'silent' }), redis, now);
  return {
    prefix,
    redis,
    services,
    domain: createDomain(services),
    close: async () => {
      await services.queues.close();
      await cleanupPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** The problem a refused call threw (fails the test if it did not refuse, or refused with something else). */
export async function refusalOf(call: Promise<unknown>): Promise<Problem> {
  const outcome = await call.then(
    () => new Error('expected a refusal, but the call succeeded'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof ProblemError)) throw outcome;
  return outcome.problem;
}

/** A delivery record as the ingest path would store it for `webhook`, `held` unless told otherwise. */
export function heldDelivery(webhook: { id: string; agentId: string; workflow: string }, fields: Partial<NewDelivery> = {}): NewDelivery {
  return newDelivery({
    webhookId: webhook.id,
    agentId: webhook.agentId,
    workflow: webhook.workflow,
    status: 'held',
    receivedAt: new Date().toISOString(),
    payloadJson: JSON.stringify({ n: 1 }),
    ...fields,
  });
}
