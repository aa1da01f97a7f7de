import type { Queue } from 'bullmq';
import { signUptiq, type AdminClient } from '../test/support/client.js';
import type { BenchConfig } from './config.js';
import { runLoad, type LoadTarget } from './load.js';
import { median, ratio, say } from './stats.js';
import { waitForDrain } from './queue-drain.js';

/** Distinct concurrency keys the keyed run spreads its deliveries over. */
export const benchKeyCount = 100;

const warmUpDeliveries = 200;

export const keysWorkflow = {
  name: 'bench-keys',
  description: 'One transform step: the same work with and without a concurrency key',
  steps: [{ id: 'echo', type: 'transform', expression: 'payload' }],
};

export interface KeysRun {
  run: 'keyed' | 'unkeyed';
  round: number;
  accepted: number;
  seconds: number;
  deliveriesPerSec: number;
  drained: boolean;
}

/** One signed body per key (the same bodies feed both runs, so only the key option differs). */
function keyBodies(privateKey: string): { body: string; headers: Record<string, string> }[] {
  return Array.from({ length: benchKeyCount }, (_, i) => {
    const body = JSON.stringify({
      event: 'client.updated',
      clientId: `cli-${i}`,
      fields: ['email', 'tier'],
      occurredAt: '2026-11-28T07:30:00.000Z',
    });
    return { body, headers: { 'content-type': 'application/json', 'x-signature': signUptiq(body, privateKey) } };
  });
}

/**
 * The cost of `concurrency: { limit: 1 }` per key: alternating rounds of `pipelineDeliveries` deliveries over HTTP
 * through two webhooks of one workflow, one whose options key it by `payload.clientId` over 100 clients and one
 * without, each timed until its last job completed. The requests name the clients in turn (100 clients sending at the
 * same rate), so each key gets the same number of deliveries and the drain is not the tail of the busiest key.
 */
export async function measureKeys(
  config: BenchConfig,
  deps: {
    api: AdminClient;
    baseUrl: string;
    queue: Queue;
    ingressPid: number | null;
    redisPid: number | null;
    secondsUntilLastCompleted: (queue: Queue, startMs: number) => Promise<number>;
  },
) {
  const put = await deps.api.call('PUT', `/workflows/${keysWorkflow.name}`, keysWorkflow);
  if (put.status !== 201 && put.status !== 200) throw new Error(`PUT /workflows/${keysWorkflow.name}: ${put.status}`);
  const hooks = {
    keyed: await deps.api.setupWebhook(keysWorkflow.name, { options: { concurrency: { key: 'payload.clientId', limit: 1 } } }),
    unkeyed: await deps.api.setupWebhook(keysWorkflow.name),
  };
  const targetOf = (name: keyof typeof hooks): LoadTarget => {
    const bodies = keyBodies(hooks[name].keyFile.privateKey);
    return { url: `${deps.baseUrl}/hooks/${hooks[name].webhookId}`, pid: deps.ingressPid, redisPid: deps.redisPid, ...bodies[0]!, bodies };
  };
  const targets = { keyed: targetOf('keyed'), unkeyed: targetOf('unkeyed') };
  // A short unmeasured run of each first: the keyed path's code and the new webhooks' caches are warm in both.
  for (const run of ['keyed', 'unkeyed'] as const) {
    await runLoad(targets[run], { connections: config.connections, amount: warmUpDeliveries });
    await waitForDrain(deps.queue, 60_000);
  }
  const rounds: KeysRun[] = [];
  say(
    `bench: keys, ${config.rounds} alternating rounds of ${config.pipelineDeliveries} deliveries: limit 1 per key over ${benchKeyCount} keys, and the same workflow without a key`,
  );
  for (let round = 1; round <= config.rounds; round++) {
    for (const run of ['keyed', 'unkeyed'] as const) {
      const startMs = Date.now();
      const { accepted } = await runLoad(targets[run], { connections: config.connections, amount: config.pipelineDeliveries });
      const drained = await waitForDrain(deps.queue, 120_000);
      const seconds = await deps.secondsUntilLastCompleted(deps.queue, startMs);
      const result: KeysRun = { run, round, accepted, seconds, deliveriesPerSec: Math.round(accepted / seconds), drained };
      rounds.push(result);
      say(`  round ${round} ${run.padEnd(8)} ${result.deliveriesPerSec} deliveries/s`);
    }
  }
  const medianOf = (run: KeysRun['run']) => Math.round(median(rounds.filter((r) => r.run === run).map((r) => r.deliveriesPerSec)));
  const keyed = medianOf('keyed');
  const unkeyed = medianOf('unkeyed');
  return {
    keys: benchKeyCount,
    limit: 1,
    deliveries: config.pipelineDeliveries,
    keyedDeliveriesPerSec: keyed,
    unkeyedDeliveriesPerSec: unkeyed,
    ratio: ratio(keyed, unkeyed),
    drained: rounds.every((r) => r.drained),
    rounds,
  };
}
