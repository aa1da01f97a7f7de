import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@hookflow/shared';
import { heldDelivery, refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';

const ctx = testIngressDomain('domain-deliveries');
const { deliveries, webhooks } = ctx.domain;
const { enqueuer } = ctx.services;

afterAll(() => ctx.close());

async function pausedWebhook() {
  const agent = await ctx.domain.agents.create({ name: 'deliveries' });
  const webhook = await webhooks.create(agent.id, { workflow: 'echo' });
  await webhooks.update(webhook.id, { status: 'paused' });
  return webhook;
}

async function held(webhook: { id: string; agentId: string; workflow: string }) {
  const delivery = heldDelivery(webhook);
  await enqueuer.enqueue({ delivery, jobOptions: {} });
  return delivery;
}

describe('DeliveryService', () => {
  it('an unknown delivery is 404 delivery_not_found for every operation on it', async () => {
    const id = newId('dlv');
    for (const call of [deliveries.get(id), deliveries.cancel(id), deliveries.replay(id)]) {
      expect(await refusalOf(call)).toMatchObject({ code: 'delivery_not_found', status: 404 });
    }
    for (const call of [deliveries.list(newId('wh'), { limit: 10 }), deliveries.retryFailed(newId('wh'))]) {
      expect(await refusalOf(call)).toMatchObject({ code: 'webhook_not_found', status: 404 });
    }
  });

  it("lists a webhook's deliveries newest first, filtered by status", async () => {
    const webhook = await pausedWebhook();
    const [a, b, c] = [await held(webhook), await held(webhook), await held(webhook)];
    await deliveries.cancel(b.id);
    expect((await deliveries.list(webhook.id, { limit: 10 })).items.map((d) => d.id)).toEqual([c.id, b.id, a.id]);
    expect((await deliveries.list(webhook.id, { limit: 10, status: 'held' })).items.map((d) => d.id)).toEqual([c.id, a.id]);
    expect((await deliveries.list(webhook.id, { limit: 10, status: 'cancelled' })).items.map((d) => d.id)).toEqual([b.id]);
  });

  it('cancels a held delivery once; cancelling it again is 409 delivery_finished', async () => {
    const delivery = await held(await pausedWebhook());
    const cancelled = await deliveries.cancel(delivery.id);
    expect(cancelled).toMatchObject({ id: delivery.id, status: 'cancelled' });
    expect(typeof cancelled.cancelledAt).toBe('string');
    expect(await deliveries.get(delivery.id)).toEqual(cancelled);
    expect(await refusalOf(deliveries.cancel(delivery.id))).toMatchObject({ code: 'delivery_finished', status: 409 });
  });

  it('a replay is a new delivery of the stored payload, held while its webhook is paused', async () => {
    const webhook = await pausedWebhook();
    const original = await held(webhook);
    const replay = await deliveries.replay(original.id);
    expect(replay).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), replayOf: original.id, status: 'held' });
    expect(replay.deliveryId).not.toBe(original.id);
    expect(await deliveries.get(replay.deliveryId)).toMatchObject({
      status: 'held',
      replayOf: original.id,
      payload: { n: 1 },
      webhookId: webhook.id,
    });
  });

  it('retrying a webhook without failed deliveries retries none', async () => {
    const webhook = await pausedWebhook();
    await held(webhook);
    expect(await deliveries.retryFailed(webhook.id)).toEqual({ retried: 0 });
  });
});
