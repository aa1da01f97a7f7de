import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys, QueueSet } from '@hookflow/shared';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

/**
 * Wait steps end to end (API.md §5.5): real ingress and worker processes; a sender's signal through the signed link
 * (no admin token), an admin's through the API. The worker runs two jobs at once, so deliveries that held a worker
 * while waiting would block everything else.
 */
const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
const concurrency = 2;
const ctx = useStack('waits', {
  env: { WORKER_CONCURRENCY: String(concurrency), HOOKFLOW_READONLY_TOKEN: readonlyToken, LOG_LEVEL: 'warn' },
});
const keys = createKeys(ctx.prefix);
const queues = new QueueSet(ctx.redis, keys);
let readonly: AdminClient;
/** Ingest endpoint and key of one webhook per workflow. */
const hooks = new Map<string, { endpoint: string; privateKey: string }>();

/** A workflow that renders its signal link, waits for it, and says what came. */
const reviewWorkflow = (name: string, wait: Record<string, unknown>) => ({
  name,
  steps: [
    { id: 'link', type: 'transform', expression: 'signals.approval' },
    { id: 'review', type: 'wait', signal: 'approval', ...wait },
    { id: 'after', type: 'transform', expression: "{ 'answer': steps.review.output, 'tag': payload.tag }" },
  ],
});

beforeAll(async () => {
  readonly = adminClient(ctx.stack.baseUrl, readonlyToken);
  for (const definition of [
    reviewWorkflow('review', { timeoutMs: 600_000 }),
    reviewWorkflow('review-fails', { timeoutMs: 1_500 }),
    reviewWorkflow('review-continues', { timeoutMs: 1_500, onTimeout: 'continue' }),
    { ...reviewWorkflow('review-keyed', { timeoutMs: 600_000 }), concurrency: { key: 'payload.account', limit: 1 } },
  ]) {
    const put = await ctx.api.call('PUT', `/workflows/${definition.name}`, definition);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
  }
  for (const workflow of ['review', 'review-fails', 'review-continues', 'review-keyed', 'echo']) {
    const { webhookId, keyFile } = await ctx.api.setupWebhook(workflow);
    hooks.set(workflow, { endpoint: `${ctx.stack.baseUrl}/hooks/${webhookId}`, privateKey: keyFile.privateKey });
  }
});

afterAll(async () => {
  await queues.close();
});

async function send(workflow: string, payload: Record<string, unknown> = {}): Promise<string> {
  const hook = hooks.get(workflow)!;
  const res = await sendSigned(hook.endpoint, { tag: randomBytes(4).toString('hex'), ...payload }, hook.privateKey);
  expect(res.status).toBe(202);
  return res.body.deliveryId as string;
}

/** The delivery once it waits, and its signal link (as the link step rendered it), pointed at this stack. */
async function waiting(deliveryId: string): Promise<{ delivery: any; link: string }> {
  const delivery = await waitForDelivery(ctx.api, deliveryId, ['waiting']);
  const rendered = delivery.steps.find((s: { id: string }) => s.id === 'link').output as { url: string; expiresAt: string };
  // The worker renders links on HOOKFLOW_PUBLIC_URL, by default http://localhost:<PORT> with the ingress's port; the
  // test reaches the ingress on 127.0.0.1.
  expect(rendered.url.startsWith(`http://localhost:${new URL(ctx.stack.baseUrl).port}/signals/`)).toBe(true);
  return { delivery, link: rendered.url.replace(/^http:\/\/localhost:\d+/, ctx.stack.baseUrl) };
}

/** A POST to a signal link as a sender makes it: no admin token, a JSON body. */
async function post(link: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(link, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const jobState = (deliveryId: string) => queues.get('default').getJobState(deliveryId);

describe('wait steps and signal links', () => {
  it(`holds no worker: more deliveries wait than WORKER_CONCURRENCY (${concurrency}) while other deliveries still succeed`, async () => {
    const ids = await Promise.all(Array.from({ length: concurrency * 2 + 1 }, () => send('review')));
    const parked = await Promise.all(ids.map(waiting));
    for (const { delivery } of parked) {
      expect(delivery).toMatchObject({
        status: 'waiting',
        waitingFor: { stepId: 'review', signal: 'approval', expiresAt: expect.any(String) },
      });
      expect(delivery.steps.find((s: { id: string }) => s.id === 'review')).toMatchObject({ type: 'wait', status: 'running' });
    }
    for (const id of ids) await expect.poll(() => jobState(id)).toBe('delayed');
    // The list filter knows the status.
    const webhookId = parked[0]!.delivery.webhookId;
    const listed = await ctx.api.get(`/webhooks/${webhookId}/deliveries?status=waiting&limit=200`);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining(ids));

    const others = await Promise.all(Array.from({ length: 3 }, (_, n) => send('echo', { n })));
    for (const id of others) expect(await waitForDelivery(ctx.api, id, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded' });

    // Every waiting delivery resumes through its own link, without an admin token.
    for (const [i, { link }] of parked.entries()) {
      const res = await post(link, JSON.stringify({ approved: i % 2 === 0 }));
      expect(res).toMatchObject({ status: 202, body: { deliveryId: ids[i], signal: 'approval', status: 'resumed' } });
    }
    for (const [i, id] of ids.entries()) {
      const done = await waitForDelivery(ctx.api, id, ['succeeded', 'failed']);
      expect(done).toMatchObject({ status: 'succeeded', waitingFor: null, result: { answer: { approved: i % 2 === 0 } } });
      expect(done.steps.find((s: { id: string }) => s.id === 'review')).toMatchObject({
        status: 'succeeded',
        output: { approved: i % 2 === 0 },
      });
    }
  });

  it('takes a link once: a second POST gets 409 signal_already_received and changes nothing', async () => {
    const id = await send('review');
    const { link } = await waiting(id);
    expect((await post(link, '{"approved":true}')).status).toBe(202);
    const again = await post(link, '{"approved":false}');
    expect(again).toMatchObject({ status: 409, body: { code: 'signal_already_received', status: 409 } });
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const done = await waitForDelivery(ctx.api, id, ['succeeded', 'failed']);
    expect(done.result).toMatchObject({ answer: { approved: true } });
    expect(await post(link, '{"approved":false}')).toMatchObject({ status: 409, body: { code: 'signal_already_received' } });
  });

  it('answers 401 signal_token_invalid, the same way, for a tampered, a malformed and an expired token', async () => {
    const id = await send('review');
    const { link } = await waiting(id);
    const [base, token] = [link.slice(0, link.lastIndexOf('/') + 1), link.slice(link.lastIndexOf('/') + 1)];
    const [claims, mac] = token.split('.') as [string, string];
    const flipped = (text: string) => text.slice(0, 5) + (text[5] === 'A' ? 'B' : 'A') + text.slice(6);
    const tampered = [`${flipped(claims)}.${mac}`, `${claims}.${flipped(mac)}`, `${claims}.`, 'not-a-token', `${token}.x`];

    // An expired one: the link of a wait that already timed out.
    const expiredId = await send('review-fails');
    const { link: expired } = await waiting(expiredId);
    expect(await waitForDelivery(ctx.api, expiredId, ['failed'])).toMatchObject({ error: { code: 'wait_timeout' } });

    const answers = await Promise.all([...tampered.map((t) => post(`${base}${t}`, '{}')), post(expired, '{}')]);
    for (const answer of answers) expect(answer).toMatchObject({ status: 401, body: { code: 'signal_token_invalid', status: 401 } });
    // Nothing tells one refusal from another.
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    // A link path that cannot even be decoded is refused like any such path, and its log line leaves the token out.
    expect(await post(`${link}%`, '{}')).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    await expect.poll(() => ctx.stack.ingress.output()).toContain('/signals/<token>');
    expect(ctx.stack.ingress.output()).not.toContain(claims);
    expect((await ctx.api.get(`/deliveries/${id}`)).body.status).toBe('waiting');
    expect((await post(link, '{"approved":true}')).status).toBe(202);
  });

  it('checks a link body as a webhook body: media type, JSON, depth and size, each with its code, leaving the wait as it was', async () => {
    const id = await send('review');
    const { link } = await waiting(id);
    expect(await post(link, '{}', { 'content-type': 'text/plain' })).toMatchObject({
      status: 415,
      body: { code: 'unsupported_media_type' },
    });
    expect(await post(link, '{}', { 'content-type': 'application/json; charset=latin1' })).toMatchObject({
      status: 415,
      body: { code: 'unsupported_media_type' },
    });
    expect(await post(link, '{"approved":')).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect(await post(link, '[', { 'content-type': 'application/json' })).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect(await post(link, `${'['.repeat(65)}${']'.repeat(65)}`)).toMatchObject({ status: 400, body: { code: 'payload_too_deep' } });
    expect(await post(link, JSON.stringify({ text: 'x'.repeat(1024 * 1024) }))).toMatchObject({
      status: 413,
      body: { code: 'payload_too_large' },
    });
    expect((await fetch(link, { method: 'PUT' })).status).toBe(405);
    expect((await ctx.api.get(`/deliveries/${id}`)).body).toMatchObject({ status: 'waiting' });
    // Any JSON value is a body: here a bare string.
    expect((await post(link, '"looks fine"')).status).toBe(202);
    expect(await waitForDelivery(ctx.api, id, ['succeeded', 'failed'])).toMatchObject({
      status: 'succeeded',
      result: { answer: 'looks fine' },
    });
  });

  it('at the deadline fails with wait_timeout, or goes on with null when the step says continue', async () => {
    const failing = await send('review-fails');
    const continuing = await send('review-continues');
    const failed = await waitForDelivery(ctx.api, failing, ['succeeded', 'failed']);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'wait_timeout' }, waitingFor: null });
    expect(failed.steps.find((s: { id: string }) => s.id === 'review')).toMatchObject({
      status: 'failed',
      error: { code: 'wait_timeout' },
    });
    expect(failed.steps.find((s: { id: string }) => s.id === 'after')).toBeUndefined();
    const continued = await waitForDelivery(ctx.api, continuing, ['succeeded', 'failed']);
    expect(continued).toMatchObject({ status: 'succeeded', result: { answer: null } });
    expect(continued.steps.find((s: { id: string }) => s.id === 'review')).toMatchObject({ status: 'succeeded', output: null });
  });

  it('lets an admin signal through the API with a JSON body; the read-only token gets 403; 404 and 409 as for links', async () => {
    const id = await send('review');
    const { link } = await waiting(id);
    expect(await readonly.post(`/deliveries/${id}/signals/approval`, { approved: true })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    expect(await ctx.api.post(`/deliveries/${id}/signals/other`, { approved: true })).toMatchObject({
      status: 404,
      body: { code: 'signal_not_found' },
    });
    expect(await ctx.api.post(`/deliveries/${id}/signals/not%20a%20name`, {})).toMatchObject({
      status: 404,
      body: { code: 'signal_not_found' },
    });
    expect(await ctx.api.post(`/deliveries/dlv_doesnotexist/signals/approval`, {})).toMatchObject({
      status: 404,
      body: { code: 'signal_not_found' },
    });
    expect((await ctx.api.get(`/deliveries/${id}`)).body.status).toBe('waiting');

    const res = await ctx.api.post(`/deliveries/${id}/signals/approval`, { approved: true, by: 'admin' });
    expect(res).toMatchObject({ status: 202, body: { deliveryId: id, signal: 'approval', status: 'resumed' } });
    expect(await ctx.api.post(`/deliveries/${id}/signals/approval`, {})).toMatchObject({
      status: 409,
      body: { code: 'signal_already_received' },
    });
    expect((await post(link, '{}')).status).toBe(409);
    expect(await waitForDelivery(ctx.api, id, ['succeeded', 'failed'])).toMatchObject({
      status: 'succeeded',
      result: { answer: { approved: true, by: 'admin' } },
    });

    // No body at all is a null signal.
    const bare = await send('review');
    await waiting(bare);
    expect(await ctx.api.call('POST', `/deliveries/${bare}/signals/approval`)).toMatchObject({ status: 202, body: { deliveryId: bare } });
    expect(await waitForDelivery(ctx.api, bare, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded', result: { answer: null } });

    // A delivery that never waited on that signal.
    const echo = await send('echo');
    await waitForDelivery(ctx.api, echo, ['succeeded']);
    expect(await ctx.api.post(`/deliveries/${echo}/signals/approval`, {})).toMatchObject({
      status: 404,
      body: { code: 'signal_not_found' },
    });
  });

  it('cancels a waiting delivery: it never runs again, its job is gone, and its link answers 404', async () => {
    const id = await send('review');
    const { link } = await waiting(id);
    await expect.poll(() => jobState(id)).toBe('delayed');
    expect(await ctx.api.post(`/deliveries/${id}/cancel`)).toMatchObject({ status: 200, body: { status: 'cancelled', waitingFor: null } });
    expect(await jobState(id)).toBe('unknown');
    expect(await post(link, '{"approved":true}')).toMatchObject({ status: 404, body: { code: 'signal_not_found' } });
    const after = (await ctx.api.get(`/deliveries/${id}`)).body;
    expect(after).toMatchObject({ status: 'cancelled' });
    expect(after.steps.map((s: { id: string }) => s.id).sort()).toEqual(['link', 'review']);
  });

  it('a waiting delivery keeps its concurrency key slot, as a retrying one does; other keys go on', async () => {
    const first = await send('review-keyed', { account: 'acc-1' });
    const { link: firstLink } = await waiting(first);
    const second = await send('review-keyed', { account: 'acc-1' });
    const other = await send('review-keyed', { account: 'acc-2' });
    const { link: otherLink } = await waiting(other);
    // The second of acc-1 is parked behind the waiting first one, however long the first waits.
    await expect
      .poll(async () => (await ctx.api.get(`/deliveries/${second}`)).body)
      .toMatchObject({ status: 'queued', waitingBehind: first });
    expect((await post(otherLink, '{"approved":true}')).status).toBe(202);
    expect(await waitForDelivery(ctx.api, other, ['succeeded', 'failed'])).toMatchObject({ status: 'succeeded' });
    expect((await ctx.api.get(`/deliveries/${second}`)).body).toMatchObject({ status: 'queued', startedAt: null });

    expect((await post(firstLink, '{"approved":true}')).status).toBe(202);
    const firstDone = await waitForDelivery(ctx.api, first, ['succeeded', 'failed']);
    expect(firstDone.status).toBe('succeeded');
    // Its end freed the slot: the second runs now, and waits in turn.
    const { delivery: secondWaiting, link: secondLink } = await waiting(second);
    expect(Date.parse(secondWaiting.startedAt)).toBeGreaterThanOrEqual(Date.parse(firstDone.finishedAt));
    expect((await post(secondLink, '{"approved":false}')).status).toBe(202);
    expect(await waitForDelivery(ctx.api, second, ['succeeded', 'failed'])).toMatchObject({
      status: 'succeeded',
      result: { answer: { approved: false } },
    });
  });

  it('shows a person opening the link a strict page with Approve and Reject, and no delivery data', async () => {
    const id = await send('review', { secretNote: 'payload-data-not-for-the-page' });
    const { link, delivery } = await waiting(id);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('approval');
    expect(html).toContain(delivery.waitingFor.expiresAt);
    expect(html).toContain('"approved":true');
    expect(html).toContain('"approved":false');
    expect(html).not.toContain('payload-data-not-for-the-page');
    expect(html).not.toContain(id);
    // Every script and style on the page carries the nonce.
    for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
    // Opening the link changed nothing.
    expect((await ctx.api.get(`/deliveries/${id}`)).body.status).toBe('waiting');

    const bad = await fetch(`${link.slice(0, -3)}xyz`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('not valid');
    expect((await post(link, '{"approved":false}')).status).toBe(202);
  });
});
