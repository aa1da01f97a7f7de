import { describe, expect, it } from 'vitest';
import {
  createKeys,
  FlowKeys,
  getScheme,
  newId,
  webhookDefaults,
  type EnqueueRequest,
  type FlowControl,
  type WebhookOptions,
  type WebhookRecord,
  type WebhookSecret,
} from '@hookflow/shared';
import { ingest, type BodyRead, type IngestDeps, type IngestRequest, type IngestResult } from './ingest.js';
import type { CachedWebhook } from './webhook-cache.js';
import type { DedupeOutcome } from './deduper.js';

// ingest() on in-memory stand-ins of its collaborators and a clock the test moves: every decision it makes, and what
// it stores when it accepts.

const start = Date.parse('2030-01-01T00:00:00.000Z');
const uptiq = getScheme('uptiq');
const standardWebhooks = getScheme('standard-webhooks');

class MemoryWebhooks {
  readonly #entries = new Map<string, CachedWebhook>();
  failing = false;

  add(
    overrides: Partial<WebhookRecord> = {},
    secrets: Partial<WebhookSecret>[] = [{}],
  ): { webhook: WebhookRecord; secrets: WebhookSecret[] } {
    const webhook: WebhookRecord = {
      id: newId('wh'),
      agentId: newId('agt'),
      name: 'orders',
      workflow: 'echo',
      scheme: 'uptiq',
      status: 'enabled',
      options: {},
      createdAt: new Date(start).toISOString(),
      ...overrides,
    };
    const scheme = getScheme(webhook.scheme);
    const keys = secrets.map((key, i) => ({
      id: newId('key'),
      secret: scheme.generateSecret(),
      primary: i === 0,
      createdAt: webhook.createdAt,
      expiresAt: null,
      ...key,
    }));
    this.#entries.set(webhook.id, { webhook, secrets: keys });
    return { webhook, secrets: keys };
  }

  async get(webhookId: string): Promise<CachedWebhook | null> {
    if (this.failing) throw new Error('Redis is down');
    return this.#entries.get(webhookId) ?? null;
  }
}

class MemoryEnqueuer {
  readonly stored: EnqueueRequest[] = [];
  failure: Error | undefined;

  async enqueue(request: EnqueueRequest): Promise<void> {
    if (this.failure) throw this.failure;
    this.stored.push(request);
  }
}

/** Once per (webhook, key): later calls name the first delivery, as long as its store succeeded. */
class MemoryDeduper {
  readonly #first = new Map<string, string>();
  readonly windows: number[] = [];

  async once(
    webhookId: string,
    dedupeKey: string,
    deliveryId: string,
    windowSeconds: number,
    store: () => Promise<void>,
  ): Promise<DedupeOutcome> {
    this.windows.push(windowSeconds);
    const slot = `${webhookId}\n${dedupeKey}`;
    const first = this.#first.get(slot);
    if (first) return { stored: false, duplicateOf: first };
    await store();
    this.#first.set(slot, deliveryId);
    return { stored: true };
  }
}

function setup(extra: Partial<IngestDeps> = {}) {
  const clock = { ms: start };
  const webhooks = new MemoryWebhooks();
  const enqueuer = new MemoryEnqueuer();
  const storeFailures: unknown[] = [];
  const deps: IngestDeps = {
    cache: webhooks,
    enqueuer,
    now: () => new Date(clock.ms),
    onStoreFailure: (err) => storeFailures.push(err),
    ...extra,
  };
  return { clock, webhooks, enqueuer, storeFailures, deps };
}

interface Sent {
  result: IngestResult;
  /** How many times ingest() asked for the body. */
  reads: number;
}

async function send(
  deps: IngestDeps,
  webhookId: string,
  body: string,
  headers: Record<string, string> = {},
  read?: (limit: number) => BodyRead,
): Promise<Sent> {
  let reads = 0;
  const request: IngestRequest = {
    webhookId,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    readBody: async (limit) => {
      reads++;
      return read ? read(limit) : { ok: true, body: Buffer.from(body, 'utf8') };
    },
  };
  const result = await ingest(deps, request);
  return { result, reads };
}

/** Sends `body` signed the `uptiq` way with `secret`. */
function sendUptiq(deps: IngestDeps, webhookId: string, body: string, secret: string, headers: Record<string, string> = {}) {
  return send(deps, webhookId, body, { ...uptiq.sign(body, secret, 0), ...headers });
}

function rejected(result: IngestResult) {
  if (result.outcome !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
  return result;
}

function accepted(result: IngestResult) {
  if (result.outcome !== 'accepted') throw new Error(`expected an acceptance, got ${JSON.stringify(result)}`);
  return result;
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('ingest: accepting', () => {
  it('stores an authentic request once, as received, and answers with the stored delivery id', async () => {
    const { deps, webhooks, enqueuer, clock } = setup();
    const { webhook, secrets } = webhooks.add();
    clock.ms = start + 12_345;
    const body = '{"order":42,"note":"café"}';
    const { result } = await sendUptiq(deps, webhook.id, body, secrets[0]!.secret, {
      'user-agent': 'shop/1.0',
      authorization: 'Bearer abc',
      connection: 'keep-alive',
    });

    const { deliveryId, status } = accepted(result);
    expect(status).toBe('queued');
    expect(enqueuer.stored).toHaveLength(1);
    const { delivery, jobOptions } = enqueuer.stored[0]!;
    expect(delivery).toEqual({
      id: deliveryId,
      webhookId: webhook.id,
      agentId: webhook.agentId,
      workflow: webhook.workflow,
      status: 'queued',
      receivedAt: new Date(start + 12_345).toISOString(),
      dedupeKey: null,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'shop/1.0' },
      payloadJson: body,
      replayOf: null,
      queue: webhookDefaults.queue,
    });
    expect(jobOptions).toEqual({
      attempts: webhookDefaults.attempts,
      backoff: { type: webhookDefaults.backoff.type, delay: webhookDefaults.backoff.delayMs },
    });
  });

  it('holds the deliveries of a paused webhook instead of queueing them', async () => {
    const { deps, webhooks, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add({ status: 'paused' });
    const { result } = await sendUptiq(deps, webhook.id, '{"n":1}', secrets[0]!.secret);
    expect(accepted(result).status).toBe('held');
    expect(enqueuer.stored[0]!.delivery.status).toBe('held');
  });

  it("puts the delivery on the webhook's queue, with the webhook's retries over the workflow's over the defaults", async () => {
    const workflowRetry = { attempts: 7, backoff: { type: 'fixed' as const, delayMs: 250 } };
    const { deps, webhooks, enqueuer } = setup({ workflowRetry: async () => workflowRetry });
    const own = webhooks.add({ options: { queue: 'bulk', attempts: 2, backoff: { type: 'exponential', delayMs: 10 } } });
    const inherited = webhooks.add();
    await sendUptiq(deps, own.webhook.id, '{}', own.secrets[0]!.secret);
    await sendUptiq(deps, inherited.webhook.id, '{}', inherited.secrets[0]!.secret);
    expect(enqueuer.stored.map((s) => [s.delivery.queue, s.jobOptions])).toEqual([
      ['bulk', { attempts: 2, backoff: { type: 'exponential', delay: 10 } }],
      [webhookDefaults.queue, { attempts: 7, backoff: { type: 'fixed', delay: 250 } }],
    ]);
  });

  it('answers 503 unavailable (never accepted) when the store fails, and reports the failure', async () => {
    const { deps, webhooks, enqueuer, storeFailures } = setup();
    const { webhook, secrets } = webhooks.add();
    enqueuer.failure = new Error('MULTI refused');
    const { result } = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret);
    expect(rejected(result)).toMatchObject({ problem: { status: 503, code: 'unavailable' }, retryAfterSeconds: 5 });
    expect(storeFailures).toEqual([enqueuer.failure]);
  });
});

describe('ingest: which webhook', () => {
  it('answers 404 webhook_not_found for an unknown id without reading the body', async () => {
    const { deps, enqueuer } = setup();
    const { result, reads } = await send(deps, newId('wh'), '{}');
    expect(rejected(result).problem).toMatchObject({ status: 404, code: 'webhook_not_found' });
    expect(reads).toBe(0);
    expect(enqueuer.stored).toEqual([]);
  });

  it('answers 403 webhook_disabled for a disabled webhook, even correctly signed, without reading the body', async () => {
    const { deps, webhooks, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add({ status: 'disabled' });
    const { result, reads } = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret);
    expect(rejected(result).problem).toMatchObject({ status: 403, code: 'webhook_disabled' });
    expect(reads).toBe(0);
    expect(enqueuer.stored).toEqual([]);
  });

  it('answers 503 unavailable when the webhook cannot be looked up', async () => {
    const { deps, webhooks, storeFailures } = setup();
    const { webhook } = webhooks.add();
    webhooks.failing = true;
    const { result } = await send(deps, webhook.id, '{}');
    expect(rejected(result)).toMatchObject({ problem: { status: 503, code: 'unavailable' }, retryAfterSeconds: 5 });
    expect(storeFailures).toHaveLength(1);
  });
});

describe('ingest: the body', () => {
  it("answers 413 from a Content-Length over the webhook's limit, before reading anything", async () => {
    const { deps, webhooks } = setup();
    const { webhook } = webhooks.add({ options: { maxBodyBytes: 10 } });
    const { result, reads } = await send(deps, webhook.id, '{"much":"longer than ten"}');
    expect(rejected(result).problem).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(reads).toBe(0);
  });

  it("reads at most the webhook's limit, answers 413 past it, and nothing to a client that went away", async () => {
    const { deps, webhooks } = setup();
    const { webhook } = webhooks.add({ options: { maxBodyBytes: 64 } });
    const limits: number[] = [];
    const tooLarge = await send(
      deps,
      webhook.id,
      '{}',
      { 'content-length': '' },
      (limit) => (limits.push(limit), { ok: false, reason: 'too_large' }),
    );
    expect(rejected(tooLarge.result).problem).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(limits).toEqual([64]);
    const aborted = await send(deps, webhook.id, '{}', {}, () => ({ ok: false, reason: 'aborted' }));
    expect(aborted.result).toEqual({ outcome: 'aborted' });
  });

  it('answers 415 for a media type other than JSON or a charset other than UTF-8', async () => {
    const { deps, webhooks } = setup();
    const { webhook, secrets } = webhooks.add();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      const { result, reads } = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret, { 'content-type': contentType });
      expect(rejected(result).problem).toMatchObject({ status: 415, code: 'unsupported_media_type' });
      expect(reads).toBe(0);
    }
    const { result } = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret, { 'content-type': 'application/json; charset=UTF-8' });
    expect(result.outcome).toBe('accepted');
  });

  it('answers 400 invalid_json for an authentic body that is not JSON', async () => {
    const { deps, webhooks, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add();
    const { result } = await sendUptiq(deps, webhook.id, '{"n":', secrets[0]!.secret);
    expect(rejected(result).problem).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(enqueuer.stored).toEqual([]);
  });

  it("answers 400 payload_too_deep past the webhook's maxDepth, only once the request is authentic", async () => {
    const { deps, webhooks, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add({ options: { maxDepth: 5 } });
    const deep = await sendUptiq(deps, webhook.id, nested(6), secrets[0]!.secret);
    expect(rejected(deep.result).problem).toMatchObject({ status: 400, code: 'payload_too_deep' });
    const forged = await sendUptiq(deps, webhook.id, nested(6), uptiq.generateSecret());
    expect(rejected(forged.result).problem.code).toBe('signature_invalid');
    const atLimit = await sendUptiq(deps, webhook.id, nested(5), secrets[0]!.secret);
    expect(atLimit.result.outcome).toBe('accepted');
    expect(enqueuer.stored.map((s) => s.delivery.payloadJson)).toEqual([nested(5)]);
  });
});

describe('ingest: the signature', () => {
  it('answers 401 signature_missing or signature_invalid, and the answer never holds the secret', async () => {
    const { deps, webhooks, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add();
    const missing = await send(deps, webhook.id, '{}');
    expect(rejected(missing.result).problem).toMatchObject({ status: 401, code: 'signature_missing' });
    const wrong = await sendUptiq(deps, webhook.id, '{}', uptiq.generateSecret());
    expect(rejected(wrong.result).problem).toMatchObject({ status: 401, code: 'signature_invalid' });
    const otherBody = await send(deps, webhook.id, '{"n":2}', uptiq.sign('{"n":1}', secrets[0]!.secret, 0));
    expect(rejected(otherBody.result).problem.code).toBe('signature_invalid');
    for (const { result } of [missing, wrong, otherBody]) expect(JSON.stringify(result)).not.toContain(secrets[0]!.secret);
    expect(enqueuer.stored).toEqual([]);
  });

  it("accepts a rotated-out key until its grace ends on the ingress's clock, then refuses it", async () => {
    const { deps, webhooks, clock } = setup();
    const expiresAt = new Date(start + 60_000).toISOString();
    const { webhook, secrets } = webhooks.add({}, [{}, { primary: false, expiresAt }]);
    const [current, previous] = secrets;
    expect((await sendUptiq(deps, webhook.id, '{}', previous!.secret)).result.outcome).toBe('accepted');
    clock.ms = start + 60_000;
    expect(rejected((await sendUptiq(deps, webhook.id, '{}', previous!.secret)).result).problem.code).toBe('signature_invalid');
    expect((await sendUptiq(deps, webhook.id, '{}', current!.secret)).result.outcome).toBe('accepted');
  });

  it('refuses a webhook without any key', async () => {
    const { deps, webhooks } = setup();
    const { webhook } = webhooks.add({}, []);
    expect(rejected((await sendUptiq(deps, webhook.id, '{}', uptiq.generateSecret())).result).problem.code).toBe('signature_invalid');
  });

  it('answers 401 timestamp_invalid for a signed timestamp outside the replay window of the ingress clock', async () => {
    const { deps, webhooks, clock, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add({ scheme: 'standard-webhooks' });
    const secret = secrets[0]!.secret;
    const signedAt = (ms: number) => standardWebhooks.sign('{}', secret, ms);
    clock.ms = start + 3_600_000;
    const fresh = await send(deps, webhook.id, '{}', signedAt(clock.ms - 290_000));
    expect(fresh.result.outcome).toBe('accepted');
    for (const offset of [-310_000, 310_000]) {
      const { result } = await send(deps, webhook.id, '{}', signedAt(clock.ms + offset));
      expect(rejected(result).problem).toMatchObject({ status: 401, code: 'timestamp_invalid' });
    }
    // The same signed request replayed later, once the clock has moved past the window.
    const headers = signedAt(clock.ms);
    clock.ms += 310_000;
    expect(rejected((await send(deps, webhook.id, '{}', headers)).result).problem.code).toBe('timestamp_invalid');
    expect(enqueuer.stored).toHaveLength(1);
  });

  it('accepts a body signed in its canonical form but sent with other whitespace, and stores the signed text', async () => {
    const { deps, webhooks, enqueuer } = setup();
    const { webhook, secrets } = webhooks.add();
    const payload = { order: 42, items: [1, 2] };
    const sent = JSON.stringify(payload, null, 2);
    const { result } = await send(deps, webhook.id, sent, uptiq.sign(JSON.stringify(payload), secrets[0]!.secret, 0));
    expect(result.outcome).toBe('accepted');
    expect(enqueuer.stored[0]!.delivery.payloadJson).toBe(JSON.stringify(payload));
  });

  it('checks bodies over canonicalMaxBytes on their raw bytes only', async () => {
    const { deps, webhooks } = setup({ canonicalMaxBytes: 16 });
    const { webhook, secrets } = webhooks.add();
    const payload = { order: 42, items: [1, 2, 3, 4] };
    const sent = JSON.stringify(payload, null, 2);
    const { result } = await send(deps, webhook.id, sent, uptiq.sign(JSON.stringify(payload), secrets[0]!.secret, 0));
    expect(rejected(result).problem.code).toBe('signature_invalid');
    expect((await sendUptiq(deps, webhook.id, sent, secrets[0]!.secret)).result.outcome).toBe('accepted');
  });
});

describe('ingest: after authentication', () => {
  it("answers 422 payload_invalid with the fields when the payload does not fit the workflow's input", async () => {
    const errors = [{ path: '/order', message: 'must be a number' }];
    const checked: [string, unknown][] = [];
    const { deps, webhooks, enqueuer } = setup({ validateInput: async (workflow, payload) => (checked.push([workflow, payload]), errors) });
    const { webhook, secrets } = webhooks.add({ workflow: 'orders' });
    const { result } = await sendUptiq(deps, webhook.id, '{"order":"x"}', secrets[0]!.secret);
    expect(rejected(result).problem).toMatchObject({ status: 422, code: 'payload_invalid', errors });
    expect(checked).toEqual([['orders', { order: 'x' }]]);
    expect(enqueuer.stored).toEqual([]);
  });

  it('answers 429 rate_limited with Retry-After, and only authentic requests count against the limit', async () => {
    const counted: string[] = [];
    let allowed = 2;
    const { deps, webhooks, enqueuer } = setup({
      rateLimit: async (webhook) => {
        counted.push(webhook.id);
        return allowed-- > 0 ? { ok: true } : { ok: false, retryAfterSeconds: 7 };
      },
    });
    const { webhook, secrets } = webhooks.add();
    await sendUptiq(deps, webhook.id, '{}', uptiq.generateSecret());
    await send(deps, webhook.id, '{}');
    expect(counted).toEqual([]);
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret)).result);
    expect(outcomes.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'rejected']);
    expect(rejected(outcomes[2]!)).toMatchObject({ problem: { status: 429, code: 'rate_limited' }, retryAfterSeconds: 7 });
    expect(counted).toEqual([webhook.id, webhook.id, webhook.id]);
    expect(enqueuer.stored).toHaveLength(2);
  });

  it("answers 503 unavailable while the webhook's queue backlog is full, and stores nothing", async () => {
    const asked: string[] = [];
    const full = new Set(['bulk']);
    const { deps, webhooks, enqueuer } = setup({
      backlog: { isFull: (queue) => (asked.push(queue), full.has(queue)), retryAfterSeconds: 11 },
    });
    const bulk = webhooks.add({ options: { queue: 'bulk' } });
    const other = webhooks.add();
    const { result } = await sendUptiq(deps, bulk.webhook.id, '{}', bulk.secrets[0]!.secret);
    expect(rejected(result)).toMatchObject({ problem: { status: 503, code: 'unavailable' }, retryAfterSeconds: 11 });
    expect((await sendUptiq(deps, other.webhook.id, '{}', other.secrets[0]!.secret)).result.outcome).toBe('accepted');
    expect(asked).toEqual(['bulk', webhookDefaults.queue]);
    expect(enqueuer.stored.map((s) => s.delivery.webhookId)).toEqual([other.webhook.id]);
  });

  it('answers 503 unavailable when a lookup of the bound workflow fails', async () => {
    const failure = new Error('catalog unreachable');
    const { deps, webhooks, enqueuer, storeFailures } = setup({
      workflowRetry: async () => {
        throw failure;
      },
    });
    const { webhook, secrets } = webhooks.add();
    const { result } = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret);
    expect(rejected(result).problem.code).toBe('unavailable');
    expect(storeFailures).toEqual([failure]);
    expect(enqueuer.stored).toEqual([]);
  });
});

describe('ingest: dedupe', () => {
  it('stores one delivery per idempotency-key and answers the repeats with its id', async () => {
    const dedupe = new MemoryDeduper();
    const { deps, webhooks, enqueuer } = setup({ dedupe });
    const { webhook, secrets } = webhooks.add();
    const first = await sendUptiq(deps, webhook.id, '{"n":1}', secrets[0]!.secret, { 'idempotency-key': 'evt-1' });
    const again = await sendUptiq(deps, webhook.id, '{"n":1}', secrets[0]!.secret, { 'idempotency-key': 'evt-1' });
    const other = await sendUptiq(deps, webhook.id, '{"n":2}', secrets[0]!.secret, { 'idempotency-key': 'evt-2' });
    const firstId = accepted(first.result).deliveryId;
    expect(again.result).toEqual({ outcome: 'duplicate', deliveryId: firstId });
    expect(other.result.outcome).toBe('accepted');
    expect(enqueuer.stored.map((s) => [s.delivery.dedupeKey, s.delivery.payloadJson])).toEqual([
      ['evt-1', '{"n":1}'],
      ['evt-2', '{"n":2}'],
    ]);
    expect(dedupe.windows).toEqual([
      webhookDefaults.dedupeWindowSeconds,
      webhookDefaults.dedupeWindowSeconds,
      webhookDefaults.dedupeWindowSeconds,
    ]);
  });

  it("keys on the webhook's dedupe header with its window, or on the scheme's delivery id", async () => {
    const dedupe = new MemoryDeduper();
    const { deps, webhooks, enqueuer } = setup({ dedupe });
    const byHeader = webhooks.add({ options: { dedupe: { header: 'X-Event-Id', windowSeconds: 600 } } });
    await sendUptiq(deps, byHeader.webhook.id, '{}', byHeader.secrets[0]!.secret, { 'x-event-id': ' e-9 ' });
    const repeat = await sendUptiq(deps, byHeader.webhook.id, '{}', byHeader.secrets[0]!.secret, { 'x-event-id': 'e-9' });
    expect(repeat.result.outcome).toBe('duplicate');

    const byScheme = webhooks.add({ scheme: 'standard-webhooks' });
    const signed = standardWebhooks.sign('{}', byScheme.secrets[0]!.secret, start, 'msg_7');
    await send(deps, byScheme.webhook.id, '{}', signed);
    expect((await send(deps, byScheme.webhook.id, '{}', signed)).result.outcome).toBe('duplicate');

    expect(enqueuer.stored.map((s) => s.delivery.dedupeKey)).toEqual(['e-9', 'msg_7']);
    expect(dedupe.windows).toEqual([600, 600, webhookDefaults.dedupeWindowSeconds, webhookDefaults.dedupeWindowSeconds]);
  });

  it('does not deduplicate a request without a dedupe key', async () => {
    const dedupe = new MemoryDeduper();
    const { deps, webhooks, enqueuer } = setup({ dedupe });
    const { webhook, secrets } = webhooks.add();
    await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret);
    await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret);
    expect(enqueuer.stored).toHaveLength(2);
    expect(dedupe.windows).toEqual([]);
  });

  it('answers 503 when the first store of a key fails, and a retry of it is then stored', async () => {
    const dedupe = new MemoryDeduper();
    const { deps, webhooks, enqueuer } = setup({ dedupe });
    const { webhook, secrets } = webhooks.add();
    enqueuer.failure = new Error('MULTI refused');
    const failed = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret, { 'idempotency-key': 'evt-1' });
    expect(rejected(failed.result).problem.code).toBe('unavailable');
    enqueuer.failure = undefined;
    const retried = await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret, { 'idempotency-key': 'evt-1' });
    expect(accepted(retried.result).deliveryId).toBe(enqueuer.stored[0]!.delivery.id);
  });
});

describe('ingest: flow control', () => {
  const flowKeys = new FlowKeys(createKeys('ingest-test'));

  it("stores a delivery's concurrency key and debounces its job by the period", async () => {
    const { deps, webhooks, enqueuer } = setup({ flowKeys });
    const options: WebhookOptions = {
      concurrency: { key: 'payload.clientId', limit: 2 },
      debounce: { key: 'payload.clientId', periodMs: 5_000 },
    };
    const { webhook, secrets } = webhooks.add({ options });
    await sendUptiq(deps, webhook.id, '{"clientId":"c-1"}', secrets[0]!.secret);
    const { delivery, jobOptions } = enqueuer.stored[0]!;
    expect(delivery.concurrency).toMatchObject({ key: 'c-1', limit: 2 });
    expect(delivery.debounce).toMatchObject({ key: 'c-1', periodMs: 5_000 });
    expect(jobOptions.delay).toBe(5_000);
  });

  it("applies the workflow's flow control where the webhook sets none, the webhook's over it", async () => {
    const workflowFlow: FlowControl = { concurrency: { key: 'payload.account', limit: 1 } };
    const { deps, webhooks, enqueuer } = setup({ flowKeys, workflowFlow: async () => workflowFlow });
    const inherits = webhooks.add();
    const overrides = webhooks.add({ options: { concurrency: { key: 'payload.region', limit: 3 } } });
    const body = '{"account":"a-1","region":"eu"}';
    await sendUptiq(deps, inherits.webhook.id, body, inherits.secrets[0]!.secret);
    await sendUptiq(deps, overrides.webhook.id, body, overrides.secrets[0]!.secret);
    expect(enqueuer.stored.map((s) => s.delivery.concurrency && [s.delivery.concurrency.key, s.delivery.concurrency.limit])).toEqual([
      ['a-1', 1],
      ['eu', 3],
    ]);
    expect(enqueuer.stored.map((s) => s.jobOptions.delay)).toEqual([undefined, undefined]);
  });

  it('stores no key when it evaluates to nothing, and answers 422 when its expression fails on the payload', async () => {
    const { deps, webhooks, enqueuer } = setup({ flowKeys });
    const { webhook, secrets } = webhooks.add({ options: { concurrency: { key: 'payload.n + 1', limit: 1 } } });
    await sendUptiq(deps, webhook.id, '{}', secrets[0]!.secret);
    expect(enqueuer.stored[0]!.delivery.concurrency).toBeUndefined();
    const { result } = await sendUptiq(deps, webhook.id, '{"n":"text"}', secrets[0]!.secret);
    expect(rejected(result).problem).toMatchObject({ status: 422, code: 'payload_invalid' });
    expect(enqueuer.stored).toHaveLength(1);
  });
});
