import type { AdminClient } from '../../support/client.js';

export interface StoredDelivery {
  id: string;
  status: string;
  payload: Record<string, unknown>;
  result: unknown;
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
