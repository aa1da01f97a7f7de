import type { Delivery, WebhookKeyMeta, WebhookRecord } from '@hookflow/shared/api-types';

/** The admin API's shapes (API.md): the contract's own types where the server has them, the rest here. */
export type {
  Agent,
  Delivery,
  DeliveryError,
  DeliveryStatus,
  FieldError,
  StepRecord as Step,
  WebhookStatus,
  WorkflowSummary,
} from '@hookflow/shared/api-types';

/** While a delivery is paused at a `wait` step (API.md §5.5): the step, the signal it waits for, and until when. */
export type WaitingFor = NonNullable<Delivery['waitingFor']>;

/** `POST /deliveries/{id}/signals/{name}`: the wait took the signal and the run goes on. */
export interface SignalAnswer {
  deliveryId: string;
  signal: string;
  status: 'resumed';
}

export interface List<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /console/session` and sign-in: whether this browser holds a session, and its CSRF token. */
export interface Session {
  signedIn: boolean;
  role?: 'admin' | 'readonly';
  csrfToken?: string;
  expiresAt?: string;
}

/** A webhook as the API presents it: the stored record plus its endpoint and key metadata. */
export interface Webhook extends WebhookRecord {
  endpoint: string;
  keys: WebhookKeyMeta[];
}

export interface QueueInfo {
  name: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; paused: number };
  workers: number;
  /** Set while the queue is paused (an optional extension of API.md). */
  isPaused?: boolean;
}

/** `POST /webhooks/{id}/test-event`: the payload sent, and what the endpoint answered. */
export interface TestEventAnswer {
  payload: unknown;
  response: { status: number; body: unknown };
}

/** `GET /webhooks/{id}/test-event`: what a test event without a payload sends, and where it comes from. */
export interface TestEventPreview {
  payload: unknown;
  source: 'examples' | 'sample';
}

/** `GET /agents/{id}/outbound-secret`: what receivers of the agent's notify calls verify with. */
export interface OutboundSecret {
  secret: string;
  scheme: 'standard-webhooks';
  previousExpiresAt: string | null;
}

/** Delivery statuses and signature schemes of API.md (the server says which schemes it supports, 400 otherwise). */
export { deliveryStatuses, schemeNames as schemes } from '@hookflow/protocol';

/** Statuses from which an admin may cancel a delivery (API.md §5.2); `waiting` is paused at a wait step. */
export const cancellableStatuses: ReadonlySet<string> = new Set(['held', 'queued', 'retrying', 'waiting', 'running']);
