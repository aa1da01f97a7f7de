import type { AdminClient } from './client.js';

export interface StoredDelivery {
  id: string;
  status: string;
  payload: Record<string, unknown>;
  result: unknown;
  receivedAt: string;
  startedAt: string;
  finishedAt: string;
  concurrencyKey: string | null;
}

/**
 * What the fault tests send and how they check effects. The tests are written against this, so moving them from
 * the built-in `echo` to a JSON workflow with `store` steps (e.g. `payment-update` with balances) means adding a
 * scenario here — a workflow to install, a payload with an amount, and a check that balances are exact — and
 * passing it instead of `echoScenario`.
 */
export interface Scenario {
  /** The workflow the test webhook binds. */
  workflow: string;
  /** Installs what the workflow needs through the admin API (e.g. `PUT /workflows/payment-update`). */
  setup?: (api: AdminClient) => Promise<void>;
  /** The payload of event `n`; it must carry `eventId`. */
  payload: (eventId: string, n: number) => Record<string, unknown>;
  /**
   * Checks the effects once every accepted event has run; returns one message per mismatch (none when exact).
   * `succeeded` holds every succeeded delivery, `acceptedEvents` the ids of the events the senders got a 2xx for.
   */
  verifyEffects: (ctx: { api: AdminClient; succeeded: StoredDelivery[]; acceptedEvents: Set<string> }) => Promise<string[]>;
}

/** The built-in `echo` workflow: its result is its payload, so an effect is exact when result equals payload. */
export const echoScenario: Scenario = {
  workflow: 'echo',
  payload: (eventId, n) => ({ eventId, n, note: `event ${n}` }),
  verifyEffects: async ({ succeeded }) =>
    succeeded
      .filter((d) => JSON.stringify(d.result) !== JSON.stringify(d.payload))
      .map((d) => `delivery ${d.id}: result ${JSON.stringify(d.result)} is not its payload`),
};

/**
 * A JSON workflow with a concurrency key of limit 1 over eight keys: besides the echo check, each key's deliveries
 * must have run one at a time (no two runs of a key overlap, from first start to finish) in the order they arrived.
 */
export const keyedOrderScenario: Scenario = {
  workflow: 'keyed-order',
  setup: async (api) => {
    const put = await api.call('PUT', '/workflows/keyed-order', {
      name: 'keyed-order',
      concurrency: { key: 'payload.key', limit: 1 },
      steps: [{ id: 'echo', type: 'transform', expression: 'payload' }],
    });
    if (put.status !== 201) throw new Error(`PUT /workflows/keyed-order: ${put.status} ${JSON.stringify(put.body)}`);
  },
  payload: (eventId, n) => ({ eventId, n, key: `k${((n % 8) + 8) % 8}` }),
  verifyEffects: async ({ api, succeeded }) => {
    const problems = await echoScenario.verifyEffects({ api, succeeded, acceptedEvents: new Set() });
    const byKey = new Map<string, StoredDelivery[]>();
    for (const d of succeeded) {
      if (d.concurrencyKey === null) problems.push(`delivery ${d.id} has no concurrency key`);
      else byKey.set(d.concurrencyKey, [...(byKey.get(d.concurrencyKey) ?? []), d]);
    }
    for (const [key, runs] of byKey) {
      runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      for (let i = 1; i < runs.length; i++) {
        const [before, after] = [runs[i - 1]!, runs[i]!];
        if (after.startedAt < before.finishedAt)
          problems.push(`key ${key}: ${after.id} started at ${after.startedAt}, before ${before.id} finished at ${before.finishedAt}`);
        if (after.receivedAt < before.receivedAt)
          problems.push(`key ${key}: ${after.id} (received ${after.receivedAt}) ran after ${before.id} (received ${before.receivedAt})`);
      }
    }
    return problems;
  },
};
