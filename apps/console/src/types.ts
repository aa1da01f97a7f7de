/** The admin API's shapes (API.md), as far as the console uses them. */

export interface List<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Session {
  signedIn: boolean;
  role?: 'admin' | 'readonly';
  csrfToken?: string;
  expiresAt?: string;
}

export interface Agent {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface WorkflowSummary {
  name: string;
  description: string;
  source: 'builtin' | 'definition';
  version: number;
}

export type WebhookStatus = 'enabled' | 'disabled' | 'paused';

export interface WebhookKey {
  id: string;
  primary: boolean;
  createdAt: string;
  expiresAt: string | null;
}

export interface Webhook {
  id: string;
  agentId: string;
  name: string;
  workflow: string;
  scheme: string;
  status: WebhookStatus;
  endpoint: string;
  keys: WebhookKey[];
  createdAt: string;
}

export type DeliveryStatus = 'held' | 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';

export interface DeliveryError {
  code: string;
  message: string;
}

export interface Step {
  id: string;
  type: string;
  status: string;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  output?: unknown;
  error?: DeliveryError;
}

export interface Delivery {
  id: string;
  webhookId: string;
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
  steps: Step[];
  replayOf: string | null;
}

export interface QueueInfo {
  name: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; paused: number };
  workers: number;
}

export interface TestEventAnswer {
  payload: unknown;
  response: { status: number; body: unknown };
}

/** Signature schemes of API.md; the server says which of them it supports (400 otherwise). */
export const schemes = ['uptiq', 'standard-webhooks', 'github', 'stripe', 'slack', 'shopify'] as const;

export const deliveryStatuses: DeliveryStatus[] = ['held', 'queued', 'running', 'retrying', 'succeeded', 'failed'];
