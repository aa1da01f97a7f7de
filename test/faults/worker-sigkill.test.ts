import { afterAll, beforeAll, expect, it } from 'vitest';
import { everyEventOnce, startFaultHarness, type FaultHarness } from '../support/fault-harness.js';
import { echoScenario } from '../support/scenario.js';

// Swap in a scenario with `store` steps (balances) here once such a workflow exists; nothing else changes.
const scenario = echoScenario;
const kills = 5;
let h: FaultHarness;

beforeAll(async () => {
  // Each kill strands the jobs in hand, and the next worker takes the stranded ones first (they go back to the head of
  // the queue), so one job can be abandoned by every kill of this series. Dying workers are the fault under test here,
  // not a poison delivery: the limit is set above what the series can reach, so quarantine never ends one of them.
  h = await startFaultHarness({ name: 'worker-sigkill', scenario, env: { HOOKFLOW_MAX_STALLS: String(kills + 1) } });
});

afterAll(async () => {
  await h?.teardown();
});

it('every delivery completes, once, while workers are SIGKILLed again and again under load', async () => {
  // Steady load (~20 events/s) for the whole series of kills.
  const sender = h.sender({ paceMs: 250 });
  const sending = sender.run(Number.POSITIVE_INFINITY, 5);

  // One worker at a time: a kill strands the jobs in hand and nobody else finishes them.
  const killsInHand = await h.killWorkersInTurn(kills);
  sender.finish();
  await sending;
  expect(sender.rejected).toEqual([]);
  expect(sender.accepted.size).toBe(sender.started);

  await h.waitUntilSettled(sender);
  const stalled = await h.stalledRecoveries();
  const accounting = await h.account(sender, { kills, 'kills-with-jobs-in-hand': killsInHand, stalled });

  // The kills did strand jobs (otherwise this test would prove nothing), and every one was recovered.
  expect(stalled).toBeGreaterThan(0);
  expect(accounting).toMatchObject(everyEventOnce(sender));
});
