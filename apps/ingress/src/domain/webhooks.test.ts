import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@hookflow/shared';
import { heldDelivery, refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';

const ctx = testIngressDomain('domain-webhooks');
const { webhooks } = ctx.domain;
const { cache, deliveries, enqueuer, queues } = ctx.services;

afterAll(() => ctx.close());

const agent = () => ctx.domain.agents.create({ name: 'shop' });

describe('WebhookService', () => {
  it('creates a webhook bound to an existing workflow, shown with its endpoint and no keys', async () => {
    const { id: agentId } = await agent();
    const created = await webhooks.create(agentId, { workflow: 'echo', name: 'orders' });
    expect(created).toMatchObject({
      agentId,
      workflow: 'echo',
      name: 'orders',
      scheme: 'uptiq',
      status: 'enabled',
      keys: [],
      endpoint: `https://hooks.example.test/hooks/${created.id}`,
    });
    expect(await webhooks.get(created.id)).toEqual(created);
  });

  it('refuses an unknown agent (404) and an unknown workflow (422), storing nothing', async () => {
    expect(await refusalOf(webhooks.create(newId('agt'), { workflow: 'echo' }))).toMatchObject({ code: 'agent_not_found', status: 404 });
    const { id: agentId } = await agent();
    expect(await refusalOf(webhooks.create(agentId, { workflow: 'no-such-workflow' }))).toMatchObject({
      code: 'workflow_not_found',
      status: 422,
    });
    expect(await webhooks.list(agentId, { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it("lists an agent's webhooks oldest first, a page at a time", async () => {
    const { id: agentId } = await agent();
    const made = [];
    for (const name of ['a', 'b', 'c']) made.push(await webhooks.create(agentId, { workflow: 'echo', name }));
    const first = await webhooks.list(agentId, { limit: 2 });
    expect(first.items.map((w) => w.name)).toEqual(['a', 'b']);
    expect(first.nextCursor).not.toBeNull();
    const second = await webhooks.list(agentId, { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [made[2]], nextCursor: null });
  });

  it("a change is seen by this process's cache at once, without waiting for the announcement", async () => {
    const { id: agentId } = await agent();
    const { id } = await webhooks.create(agentId, { workflow: 'echo' });
    expect((await cache.get(id))?.webhook.status).toBe('enabled');
    const changed = await webhooks.update(id, { status: 'disabled', name: 'renamed' });
    expect(changed).toMatchObject({ status: 'disabled', name: 'renamed' });
    expect(cache.peek(id)).toBeUndefined();
    expect((await cache.get(id))?.webhook).toMatchObject({ status: 'disabled', name: 'renamed' });
  });

  it('refuses to rebind to an unknown workflow and leaves the webhook as it was', async () => {
    const { id: agentId } = await agent();
    const { id } = await webhooks.create(agentId, { workflow: 'echo' });
    expect(await refusalOf(webhooks.update(id, { workflow: 'no-such-workflow' }))).toMatchObject({
      code: 'workflow_not_found',
      status: 422,
    });
    expect((await webhooks.get(id)).workflow).toBe('echo');
    expect(await refusalOf(webhooks.update(newId('wh'), { name: 'x' }))).toMatchObject({ code: 'webhook_not_found', status: 404 });
  });

  it('enabling a paused webhook releases its held deliveries, each with its job', async () => {
    const { id: agentId } = await agent();
    const webhook = await webhooks.create(agentId, { workflow: 'echo' });
    await webhooks.update(webhook.id, { status: 'paused' });
    const held = [heldDelivery(webhook), heldDelivery(webhook)];
    for (const delivery of held) await enqueuer.enqueue({ delivery, jobOptions: {} });
    expect((await deliveries.get(held[0]!.id))?.status).toBe('held');
    expect(await queues.get('default').getJob(held[0]!.id)).toBeUndefined();

    await webhooks.update(webhook.id, { status: 'enabled' });
    for (const { id } of held) {
      expect((await deliveries.get(id))?.status).toBe('queued');
      expect((await queues.get('default').getJob(id))?.id).toBe(id);
    }
  });

  it('a change that does not enable the webhook releases nothing', async () => {
    const { id: agentId } = await agent();
    const webhook = await webhooks.create(agentId, { workflow: 'echo' });
    // Held by a replica that had not yet heard the webhook was enabled again.
    const straggler = heldDelivery(webhook);
    await enqueuer.enqueue({ delivery: straggler, jobOptions: {} });
    await webhooks.update(webhook.id, { status: 'enabled', name: 'still enabled' });
    expect((await deliveries.get(straggler.id))?.status).toBe('held');
  });

  it('a deleted webhook is forgotten by the cache at once and then unknown', async () => {
    const { id: agentId } = await agent();
    const { id } = await webhooks.create(agentId, { workflow: 'echo' });
    expect(await cache.get(id)).not.toBeNull();
    await webhooks.delete(id);
    expect(cache.peek(id)).toBeUndefined();
    expect(await cache.get(id)).toBeNull();
    expect(await refusalOf(webhooks.get(id))).toMatchObject({ code: 'webhook_not_found', status: 404 });
    expect(await refusalOf(webhooks.delete(id))).toMatchObject({ code: 'webhook_not_found' });
  });
});
