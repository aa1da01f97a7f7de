import { randomUUID } from 'node:crypto';
import { getScheme, ProblemError, type KeyStore, type WebhookStore, type WorkflowCatalog } from '@hookflow/shared';
import { testEventPayload, type TestEventPayload } from './test-event-payload.js';

/** How long the loopback request may take; ingest answers in milliseconds, so this only bounds a stuck store. */
const loopbackTimeoutMs = 10_000;

/** A test event as sent: the payload, and what the webhook's endpoint answered (a refusal included). */
export interface TestEventSent {
  payload: unknown;
  response: { status: number; body: unknown };
}

export interface TestEventServiceDeps {
  webhooks: WebhookStore;
  keyStore: KeyStore;
  catalog: WorkflowCatalog;
  now: () => Date;
}

/**
 * Test events (the console's "Send test event"): the given payload, else the workflow's first example, else a sample
 * fitting its input schema, signed with the webhook's primary key exactly as a sender would and POSTed to the webhook's
 * own endpoint on this process, so the event takes the real path (verification, input check, queue, worker).
 */
export class TestEventService {
  constructor(private readonly deps: TestEventServiceDeps) {}

  /** The payload a test event without one would send, so an editor can start from it. */
  async preview(webhookId: string): Promise<TestEventPayload> {
    const webhook = await this.deps.webhooks.get(webhookId);
    return testEventPayload(this.deps.catalog, webhook.workflow);
  }

  /** Signs and sends the event to `/hooks/<id>` on `port` of this host (one the ingress listens on). */
  async send(webhookId: string, given: { payload?: unknown }, port: number | undefined): Promise<TestEventSent> {
    const webhook = await this.deps.webhooks.get(webhookId);
    const key = await this.deps.keyStore.primary(webhook.id);
    if (!key) throw new ProblemError('key_not_found', 'generate a private key before sending a test event');
    const payload = given.payload !== undefined ? given.payload : (await testEventPayload(this.deps.catalog, webhook.workflow)).payload;
    const raw = JSON.stringify(payload);
    const signature = getScheme(webhook.scheme).sign(raw, key.secret, this.deps.now().getTime(), `msg_${randomUUID()}`);
    const response = await fetch(`http://127.0.0.1:${port}/hooks/${webhook.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signature },
      body: raw,
      signal: AbortSignal.timeout(loopbackTimeoutMs),
    }).catch(() => {
      throw new ProblemError('unavailable', 'the test event could not reach the webhook endpoint');
    });
    return { payload, response: { status: response.status, body: parseIfJson(await response.text()) } };
  }
}

/** What the endpoint answered: its JSON, or its text as is when it is not JSON. */
function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
