import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import {
  deliveryField,
  isSignalField,
  isStepField,
  signalField,
  signalFieldLua,
  stepField,
  stepFieldLua,
  stepIdOf,
} from './delivery-fields.js';
import { DeliverySignals } from './delivery-signals.js';
import { DeliveryStore } from './delivery-store.js';

const prefix = testPrefix('delivery-fields');
const redis = testRedis();
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('step fields', () => {
  it('name a step by its id, whatever characters the id holds, and tell step fields from the scalar ones', () => {
    for (const id of ['fetch', 'a:b', 'step:nested', '', 'ünï 🚀']) {
      expect(isStepField(stepField(id))).toBe(true);
      expect(stepIdOf(stepField(id))).toBe(id);
    }
    for (const field of Object.values(deliveryField)) expect(isStepField(field)).toBe(false);
  });

  it('read the same in Lua as in TypeScript', async () => {
    const ids = ['fetch', 'a:b', 'step:nested'];
    const others = [...Object.values(deliveryField), 'ste', 'Step:x'];
    const reply = (await redis.eval(
      `${stepFieldLua}
local built, flags = {}, {}
for i = 1, #ARGV do
  built[i] = stepField(ARGV[i])
  flags[i] = isStepField(ARGV[i]) and 1 or 0
end
return {built, flags}`,
      0,
      ...ids,
      ...others,
    )) as [string[], number[]];
    expect(reply[0].slice(0, ids.length)).toEqual(ids.map(stepField));
    expect(reply[1]).toEqual([...ids, ...others].map((field) => (isStepField(field) ? 1 : 0)));
  });
});

describe('signal fields', () => {
  it('name a signal part in Lua as in TypeScript, and are neither scalar nor step fields', async () => {
    const built = (await redis.eval(
      `${signalFieldLua}\nreturn {signalField(ARGV[1], 'deadline'), signalField(ARGV[1], 'body')}`,
      0,
      'review',
    )) as string[];
    expect(built).toEqual([signalField('review', 'deadline'), signalField('review', 'body')]);
    expect(isSignalField(signalField('review', 'receivedAt'))).toBe(true);
    expect(isStepField(signalField('review', 'body'))).toBe(false);
    for (const field of Object.values(deliveryField)) expect(isSignalField(field)).toBe(false);
  });
});

describe('the stored layout', () => {
  // A record as stored with the literal field names: existing data keeps reading the same whatever the code calls them.
  it('reads a record written field by field with the names stored records have', async () => {
    const id = newId('dlv');
    const step = {
      id: 'fetch',
      type: 'http',
      status: 'succeeded',
      attempts: 1,
      startedAt: '2024-01-01T00:00:02.000Z',
      finishedAt: '2024-01-01T00:00:03.000Z',
      output: { ok: true },
    };
    // Stored as text and shown as they are.
    const plain = {
      id,
      webhookId: 'wh_1',
      agentId: 'agt_1',
      workflow: 'echo',
      status: 'failed',
      receivedAt: '2024-01-01T00:00:00.000Z',
      startedAt: '2024-01-01T00:00:01.000Z',
      finishedAt: '2024-01-01T00:00:04.000Z',
      dedupeKey: 'k-1',
      replayOf: 'dlv_0',
      concurrencyKey: 'acct-1',
      debounceKey: 'd-1',
      supersededBy: 'dlv_2',
    };
    await redis.hset(keys.delivery(id), {
      ...plain,
      attempts: '2',
      queue: 'default',
      headers: '{"x-a":"1"}',
      payload: '{"n":1}',
      result: 'null',
      error: '{"code":"x","message":"y"}',
      'step:fetch': JSON.stringify(step),
    });
    expect(await store.get(id)).toEqual({
      ...plain,
      attempts: 2,
      headers: { 'x-a': '1' },
      payload: { n: 1 },
      result: null,
      error: { code: 'x', message: 'y' },
      steps: [step],
      cancelledAt: null,
      waitingBehind: null,
      waitingFor: null,
    });
  });

  it('is all a stored record holds: every field is a named scalar field or a step checkpoint', async () => {
    const d = newDelivery({ dedupeKey: 'k' });
    const id = d.id;
    await store.create({ ...d, concurrency: { key: 'acct', line: keys.keyLine(`line-${id}`), limit: 1 } });
    await store.start(id, 1, new Date(2_000), 'token-1');
    await store.pinWorkflow(id, { version: 1, job: `${id}:1` });
    await redis.hset(
      keys.delivery(id),
      stepField('fetch'),
      JSON.stringify({ id: 'fetch', type: 'http', status: 'running', attempts: 1, startedAt: null, finishedAt: null }),
    );
    // A wait: its deadline, an early signal, and the run marked waiting for another.
    const signals = new DeliverySignals(redis, keys);
    await signals.deadline(id, 'approval', 60_000, new Date(2_000));
    await signals.receive(id, 'approval', '{}', new Date(2_100));
    await signals.markWaiting(
      id,
      { stepId: 'other', signal: 'other', expiresAt: new Date(9_000).toISOString() },
      new Date(2_200),
      'token-1',
    );
    await store.cancel(id, new Date(3_000));
    const named = new Set<string>(Object.values(deliveryField));
    const fields = Object.keys(await redis.hgetall(keys.delivery(id)));
    expect(fields.filter((field) => !named.has(field) && !isStepField(field) && !isSignalField(field))).toEqual([]);
    expect(fields.filter(isSignalField).sort()).toEqual([
      signalField('approval', 'body'),
      signalField('approval', 'deadline'),
      signalField('approval', 'receivedAt'),
    ]);
    expect(fields).toEqual(
      expect.arrayContaining([
        deliveryField.runToken,
        deliveryField.cancelledAt,
        deliveryField.workflowPinHeld,
        deliveryField.concurrencyLine,
        stepField('fetch'),
      ]),
    );
  });
});
