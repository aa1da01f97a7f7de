import type { DeliveryStatus } from '@hookflow/protocol';

export { deliveryStatuses, type DeliveryStatus } from '@hookflow/protocol';

export interface DeliveryError {
  code: string;
  message: string;
}

/** What a `waiting` delivery waits for (API.md §5.5): the `wait` step, its signal and when the wait times out. */
export interface WaitingFor {
  stepId: string;
  signal: string;
  expiresAt: string;
}

export interface StepRecord {
  id: string;
  type: string;
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  output?: unknown;
  error?: DeliveryError;
}

/** A delivery as API.md shows it. */
export interface Delivery {
  id: string;
  webhookId: string;
  agentId: string;
  workflow: string;
  status: DeliveryStatus;
  receivedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  dedupeKey: string | null;
  headers: Record<string, string>;
  payload: unknown;
  result: unknown;
  error: DeliveryError | null;
  steps: StepRecord[];
  replayOf: string | null;
  /** When an admin cancelled it; null otherwise. */
  cancelledAt: string | null;
  /** The value of the concurrency key this delivery was counted under (API.md §5.4); null without one. */
  concurrencyKey: string | null;
  /** The value of its debounce key; null without one. */
  debounceKey: string | null;
  /** The later delivery of the same debounce key that replaced it (status `superseded`). */
  supersededBy: string | null;
  /** While it is parked behind its concurrency key: the delivery holding the slot it waits for. */
  waitingBehind: string | null;
  /** While it is `waiting` at a `wait` step: which step, for which signal, until when. */
  waitingFor: WaitingFor | null;
  /**
   * Present only when part of the stored record cannot be shown (nested too deep to serialise, or not JSON): those
   * fields are shown empty (null, `{}`, a step without output) and this says which.
   */
  presentationError?: DeliveryError;
}

/**
 * What the ingress stores when it accepts a request. `payloadJson` is the authenticated text: the body as received, or
 * its canonical form when only that matched the signature (`uptiq`).
 */
export interface NewDelivery {
  id: string;
  webhookId: string;
  agentId: string;
  workflow: string;
  status: 'queued' | 'held';
  receivedAt: string;
  dedupeKey: string | null;
  headers: Record<string, string>;
  payloadJson: string;
  replayOf: string | null;
  queue: string;
  /** Its place under a concurrency key (see key-slots.ts), when its workflow declares one and the key is not null. */
  concurrency?: { key: string; line: string; limit: number };
  /** Its debounce key, when declared and not null. */
  debounce?: { key: string; state: string; periodMs: number; maxWaitMs?: number };
}
