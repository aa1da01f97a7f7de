import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { DeliveryStore } from '../deliveries/delivery-store.js';
import { newId } from '../ids.js';
import type { WorkflowDefinition } from './definition-schema.js';
import { keptWorkflowVersions, WorkflowDefinitionStore } from './definition-store.js';

const prefix = testPrefix('definition-store');
const keys = createKeys(prefix);
const redis = testRedis();
const store = new WorkflowDefinitionStore(redis, keys);
const deliveries = new DeliveryStore(redis, keys);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

const definition = (name: string, n: number) =>
  ({
    name,
    description: `version ${n}`,
    steps: [{ id: 'out', type: 'transform', expression: String(n) }],
  }) as unknown as WorkflowDefinition;

async function storedVersions(name: string): Promise<number[]> {
  return (await redis.hkeys(keys.workflowVersions(name))).map(Number).sort((a, b) => a - b);
}

async function deliveryOf(workflow: string): Promise<string> {
  const id = newId('dlv');
  await deliveries.create({
    id,
    webhookId: newId('wh'),
    agentId: newId('agt'),
    workflow,
    status: 'queued',
    receivedAt: new Date().toISOString(),
    dedupeKey: null,
    headers: {},
    payloadJson: '{}',
    replayOf: null,
    queue: 'default',
  });
  return id;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('WorkflowDefinitionStore version pruning (real Redis)', () => {
  it('keeps the newest versions and any version an unfinished delivery is pinned to, until it finishes', async () => {
    const name = 'pruned';
    const pinned = await deliveryOf(name);
    const total = keptWorkflowVersions + 5;
    for (let n = 1; n <= total; n++) {
      await store.put(definition(name, n));
      if (n === 2) await deliveries.pinWorkflow(pinned, { version: 2, job: 'job-1:1' });
    }
    expect(await storedVersions(name)).toEqual([2, ...range(total - keptWorkflowVersions + 1, total)]);
    expect((await store.get(name, 2))?.definition.description).toBe('version 2');

    await deliveries.markFailed(pinned, { code: 'x', message: 'x' }, new Date());
    await store.put(definition(name, total + 1));
    expect(await storedVersions(name)).toEqual(range(total + 2 - keptWorkflowVersions, total + 1));
  });

  it('moves a delivery pinned again (a new job) to its new version, and an unchanged put prunes nothing', async () => {
    const name = 'repinned';
    const delivery = await deliveryOf(name);
    await store.put(definition(name, 1));
    await deliveries.pinWorkflow(delivery, { version: 1, job: 'a:1' });
    await store.put(definition(name, 2));
    await deliveries.pinWorkflow(delivery, { version: 2, job: 'b:2' });
    for (let n = 3; n <= keptWorkflowVersions + 3; n++) await store.put(definition(name, n));
    expect(await storedVersions(name)).toEqual([2, ...range(4, keptWorkflowVersions + 3)]);
    expect((await store.put(definition(name, keptWorkflowVersions + 3), { onlyIfChanged: true })).changed).toBe(false);
  });
});
