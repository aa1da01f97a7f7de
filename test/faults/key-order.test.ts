import { afterAll, beforeAll, expect, it } from 'vitest';
import { everyEventOnce, startFaultHarness, type FaultHarness } from '../support/fault-harness.js';
import { keyedOrderScenario } from '../support/scenario.js';

const kills = 4;
let h: FaultHarness;

beforeAll(async () => {
  // As in worker-sigkill: the kills, not a poison delivery, are under test, so quarantine never ends one here.
  h = await startFaultHarness({ name: 'key-order', scenario: keyedOrderScenario, env: { HOOKFLOW_MAX_STALLS: String(kills + 1) } });
  // A second worker, so a key's deliveries are spread over processes and a dying one holds slots others wait on.
  await h.startWorker();
});

afterAll(async () => {
  await h?.teardown();
});

it('limit-1 keys: every delivery completes once and each key runs one at a time in arrival order while workers are SIGKILLed', async () => {
  const sender = h.sender({ paceMs: 100 });
  const sending = sender.run(Number.POSITIVE_INFINITY, 4);

  // The second worker keeps running beside each victim, parked behind the slots the victim held.
  const killsInHand = await h.killWorkersInTurn(kills);
  sender.finish();
  await sending;
  expect(sender.rejected).toEqual([]);

  await h.waitUntilSettled(sender);
  const stalled = await h.stalledRecoveries();
  // Order per key is checked with the effects (keyedOrderScenario.verifyEffects): a violation is an effect error.
  const accounting = await h.account(sender, { kills, 'kills-with-jobs-in-hand': killsInHand, stalled, keys: 8 });
  expect(accounting).toMatchObject(everyEventOnce(sender));
});
