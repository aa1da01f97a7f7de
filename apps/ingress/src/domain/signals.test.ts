import { afterAll, describe, expect, it } from 'vitest';
import { newId, stepField } from '@hookflow/shared';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { refusalOf, testIngressDomain } from '../../../../test/support/ingress-domain.js';
import type { SignalResult } from './signals.js';

const ctx = testIngressDomain('domain-signals');
const { signals } = ctx.domain;
const { deliveries } = ctx.services;
const { signals: signalState, tokens } = ctx.services.signals;

afterAll(() => ctx.close());

/** A delivery whose run reached wait step `review` for signal `approval` and was marked waiting, as a worker does. */
async function waitingDelivery(): Promise<{ id: string; token: string }> {
  const delivery = newDelivery({ receivedAt: new Date().toISOString() });
  await deliveries.create(delivery);
  await deliveries.start(delivery.id, 1, new Date(), 'lock-1');
  const { expiresAt } = (await signalState.deadline(delivery.id, 'approval', 60_000, new Date()))!;
  await ctx.redis.hset(
    ctx.services.keys.delivery(delivery.id),
    stepField('review'),
    JSON.stringify({ id: 'review', type: 'wait', status: 'running', attempts: 1, startedAt: new Date().toISOString(), finishedAt: null }),
  );
  const waitingFor = { stepId: 'review', signal: 'approval', expiresAt: expiresAt.toISOString() };
  expect(await signalState.markWaiting(delivery.id, waitingFor, new Date(), 'lock-1')).toBe('waiting');
  return { id: delivery.id, token: tokens.make({ deliveryId: delivery.id, signal: 'approval', expiresAt }) };
}

/** A POST to a signal link with `body` as its bytes, as the route hands it over. */
function post(token: string, body: string, contentType = 'application/json'): Promise<SignalResult> {
  return signals.withToken({
    token,
    headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) },
    readBody: async () => ({ ok: true, body: Buffer.from(body) }),
  });
}

const codeOf = (result: SignalResult) => (result.outcome === 'rejected' ? result.problem.code : result.outcome);

describe('SignalService', () => {
  it('takes a link once: the body becomes the wait step’s output and the delivery is queued again', async () => {
    const { id, token } = await waitingDelivery();
    expect(await post(token, '{"approved":true}')).toEqual({
      outcome: 'resumed',
      resumed: { deliveryId: id, signal: 'approval', status: 'resumed' },
    });
    const delivery = await deliveries.get(id);
    expect(delivery).toMatchObject({ status: 'queued', waitingFor: null });
    expect(delivery?.steps.find((step) => step.id === 'review')).toMatchObject({ status: 'succeeded', output: { approved: true } });
    expect(codeOf(await post(token, '{"approved":false}'))).toBe('signal_already_received');
  });

  it('refuses a tampered token before reading the body, and a bad body without taking the signal', async () => {
    const { id, token } = await waitingDelivery();
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(codeOf(await post(tampered, '{}'))).toBe('signal_token_invalid');
    expect(codeOf(await post(token, '{"approved":'))).toBe('invalid_json');
    expect(codeOf(await post(token, '{}', 'text/plain'))).toBe('unsupported_media_type');
    expect(codeOf(await post(token, `${'['.repeat(100)}${']'.repeat(100)}`))).toBe('payload_too_deep');
    expect((await deliveries.get(id))?.status).toBe('waiting');
  });

  it('an admin signal to a delivery not waiting for it, or under a name no wait can have, is 404 signal_not_found', async () => {
    const { id } = await waitingDelivery();
    expect(await refusalOf(signals.asAdmin(id, 'other', { approved: true }))).toMatchObject({ code: 'signal_not_found', status: 404 });
    expect(await refusalOf(signals.asAdmin(id, 'not a name', null))).toMatchObject({ code: 'signal_not_found', status: 404 });
    expect(await refusalOf(signals.asAdmin(newId('dlv'), 'approval', null))).toMatchObject({ code: 'signal_not_found' });
    expect(await signals.asAdmin(id, 'approval', null)).toEqual({ deliveryId: id, signal: 'approval', status: 'resumed' });
  });
});
