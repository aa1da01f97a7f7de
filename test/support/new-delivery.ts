import { newId, type NewDelivery } from '@hookflow/shared';

/** A new queued delivery on a webhook of its own, for a test that needs a delivery record to act on. */
export function newDelivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: newId('dlv'),
    webhookId: newId('wh'),
    agentId: 'agt_x',
    workflow: 'echo',
    status: 'queued',
    receivedAt: new Date(1_000).toISOString(),
    dedupeKey: null,
    headers: {},
    payloadJson: '{}',
    replayOf: null,
    queue: 'default',
    ...overrides,
  };
}
