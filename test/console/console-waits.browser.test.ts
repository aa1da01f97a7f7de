import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sendSigned, waitForDelivery } from '../support/client.js';
import { repoRoot } from '../support/processes.js';
import { useStack } from '../support/use-stack.js';
import { ensureConsoleBuilt, launchChromium } from './console-browser.js';

/**
 * Human in the loop in a real browser: deliveries paused at a `wait` step are listed under the Waiting filter with their
 * signal and deadline; the detail of one names what it waits for and until when, and its Approve button resumes it to
 * `succeeded`. A stale form gets the API's refusal in words, and the read-only session sees the wait without the form.
 */
const waitMs = 30_000;
const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
const shots = join(repoRoot, 'test-results/console-waits');
beforeAll(() => ensureConsoleBuilt());
const ctx = useStack('console-waits', { env: { HOOKFLOW_READONLY_TOKEN: readonlyToken } });
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const serverErrors: string[] = [];
const signalPosts: string[] = [];
let shotNumber = 0;

const workflow = {
  name: 'approve-document',
  description: 'Waits for a person to approve the document, then records the answer',
  steps: [
    { id: 'approve', type: 'wait', signal: 'approval', timeoutMs: 3_600_000 },
    { id: 'record', type: 'transform', expression: "{ 'documentId': payload.documentId, 'approved': steps.approve.output.approved }" },
  ],
  output: 'steps.record.output',
};

let agentId: string;
let endpoint: string;
let privateKey: string;
/** Signalled through the API before the browser looks: no longer waiting, so the Waiting filter leaves it out. */
let doneId: string;
/** Approved in the browser. */
let approvedId: string;
/** Signalled through the API while the browser's form still shows: the form's answer is refused. */
let staleId: string;

async function shot(name: string): Promise<void> {
  shotNumber += 1;
  await page.screenshot({ path: join(shots, `${String(shotNumber).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Sends a document event and returns its delivery once it is paused at the wait step. */
async function waitingDelivery(documentId: string): Promise<string> {
  const sent = await sendSigned(endpoint, { documentId }, privateKey);
  expect(sent.status).toBe(202);
  const delivery = await waitForDelivery(ctx.api, sent.body.deliveryId, ['waiting']);
  expect(delivery.waitingFor).toEqual({ stepId: 'approve', signal: 'approval', expiresAt: expect.any(String) });
  return delivery.id as string;
}

/** How the page writes a time: the browser's own locale, as the console formats it. */
async function localTime(iso: string): Promise<string> {
  return page.evaluate<string, string>((value) => new Date(value).toLocaleString(), iso);
}

async function signIn(viewer: Page, token: string): Promise<void> {
  await viewer.goto(`${ctx.stack.baseUrl}/console/`);
  await viewer.getByLabel('Admin token').fill(token);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
  await viewer.goto(`${ctx.stack.baseUrl}/console/agents/${agentId}/triggers`);
  await viewer.getByRole('heading', { name: /^Deliveries of/ }).waitFor();
}

/**
 * Stops the page's polling (the console skips its ticks while the tab is hidden) so what it shows stays as it was, as
 * in a tab left open while someone else answered; `false` lets it poll again.
 */
async function freezePolling(frozen: boolean): Promise<void> {
  // Evaluated as text in the page, which has the DOM this file's types lack.
  await page.evaluate(
    frozen
      ? "Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })"
      : 'delete document.visibilityState',
  );
}

beforeAll(async () => {
  const put = await ctx.api.call('PUT', `/workflows/${workflow.name}`, workflow);
  expect(put.status, JSON.stringify(put.body)).toBe(201);
  const setup = await ctx.api.setupWebhook(workflow.name);
  agentId = setup.agentId;
  endpoint = setup.keyFile.endpoint;
  privateKey = setup.keyFile.privateKey;

  doneId = await waitingDelivery('doc-done');
  expect((await ctx.api.post(`/deliveries/${doneId}/signals/approval`, { approved: true })).status).toBe(202);
  expect(await waitForDelivery(ctx.api, doneId)).toMatchObject({ status: 'succeeded', waitingFor: null });
  approvedId = await waitingDelivery('doc-approve');
  staleId = await waitingDelivery('doc-stale');

  browser = await launchChromium(shots);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(waitMs);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // 4xx answers are logged by Chromium as "Failed to load resource"; the refused signal below makes one on purpose.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text());
  });
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().includes('/signals/')) signalPosts.push(request.url());
  });
  page.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  await signIn(page, ctx.stack.adminToken);
});

afterAll(async () => {
  await browser?.close();
});

describe('web console: deliveries waiting for a signal', () => {
  it('lists the waiting deliveries under the Waiting filter, each with its signal and deadline', async () => {
    const rows = page.locator('tr[data-delivery-id]');
    await page.locator(`tr[data-delivery-id="${doneId}"]`).getByText('succeeded', { exact: true }).waitFor();
    expect(await rows.count()).toBe(3);

    await page.getByLabel('Status').selectOption('waiting');
    // The list loads afresh for the filter: wait for its rows, then see that they are all there is.
    for (const id of [approvedId, staleId]) await page.locator(`tr[data-delivery-id="${id}"]`).waitFor();
    const listed = await Promise.all((await rows.all()).map((row) => row.getAttribute('data-delivery-id')));
    expect(listed.sort()).toEqual([approvedId, staleId].sort());
    for (const id of [approvedId, staleId]) {
      const { expiresAt } = (await ctx.api.get(`/deliveries/${id}`)).body.waitingFor as { expiresAt: string };
      const status = page.locator(`tr[data-delivery-id="${id}"] td[data-label="Status"]`);
      expect((await status.textContent())?.replace(/\s+/g, ' ').trim()).toBe(`waiting for approval until ${await localTime(expiresAt)}`);
    }
    await shot('waiting-filter');
  });

  it('shows what a waiting delivery waits for and until when; invalid JSON is not sent; Approve resumes it to succeeded', async () => {
    await page.getByRole('button', { name: `Open delivery ${approvedId}` }).click();
    const detail = page.getByRole('region', { name: `Delivery ${approvedId}` });
    const wait = detail.getByRole('region', { name: 'Waiting for a signal' });
    await wait.waitFor();
    const { expiresAt } = (await ctx.api.get(`/deliveries/${approvedId}`)).body.waitingFor as { expiresAt: string };
    expect(await wait.locator('dt').allTextContents()).toEqual(['Step', 'Signal', 'Until']);
    expect(await wait.locator('dd').nth(0).textContent()).toBe('approve');
    expect(await wait.locator('dd').nth(1).textContent()).toBe('approval');
    // The workflow waits an hour: the time left reads in minutes and seconds (or "1 h 0 min" at the very start).
    const until = (await wait.locator('dd').nth(2).textContent()) ?? '';
    expect(until.startsWith(`${await localTime(expiresAt)} (`)).toBe(true);
    expect(until.slice((await localTime(expiresAt)).length)).toMatch(/^ \((\d{1,2} min \d{1,2} s|1 h 0 min) left\)$/);

    const form = wait.getByRole('form', { name: 'Send signal approval' });
    const body = form.getByLabel('Signal body (JSON)');
    await body.fill('{"approved": ');
    await form.getByRole('alert').filter({ hasText: 'Not valid JSON' }).waitFor();
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('button', { name: 'Send signal' }).isDisabled()).toBe(true);
    await body.press('Enter');
    await shot('waiting-detail-invalid-json');
    expect(signalPosts).toEqual([]);

    await form.getByRole('button', { name: 'Approve {"approved":true}' }).click();
    await detail
      .getByRole('status')
      .filter({ hasText: `Signal “approval” sent: delivery ${approvedId} resumed.` })
      .waitFor();
    expect(signalPosts).toHaveLength(1);
    // The detail refreshes by itself: the run went on past the wait and finished.
    await detail.locator('.facts .badge').getByText('succeeded', { exact: true }).waitFor();
    await wait.waitFor({ state: 'detached' });
    expect((await ctx.api.get(`/deliveries/${approvedId}`)).body).toMatchObject({
      status: 'succeeded',
      waitingFor: null,
      result: { documentId: 'doc-approve', approved: true },
      steps: [
        { id: 'approve', type: 'wait', status: 'succeeded', output: { approved: true } },
        { id: 'record', status: 'succeeded' },
      ],
    });
    await page.locator(`tr[data-delivery-id="${approvedId}"]`).waitFor({ state: 'detached' });
    await shot('approved');
  });

  it('says in words that a form left open is refused once the signal was sent elsewhere, and keeps the first answer', async () => {
    await page.getByRole('button', { name: `Open delivery ${staleId}` }).click();
    const detail = page.getByRole('region', { name: `Delivery ${staleId}` });
    const form = detail.getByRole('form', { name: 'Send signal approval' });
    await form.waitFor();

    await freezePolling(true);
    try {
      expect((await ctx.api.post(`/deliveries/${staleId}/signals/approval`, { approved: false, by: 'another admin' })).status).toBe(202);
      await form.getByRole('button', { name: 'Reject {"approved":false}' }).click();
      const refusal = detail.getByRole('alert').filter({ hasText: 'Signal not sent' });
      await refusal.waitFor();
      expect(await refusal.textContent()).toBe('Signal not sent: “approval” was already received, so the delivery has already resumed.');
      await shot('refused');
    } finally {
      await freezePolling(false);
    }
    await form.waitFor({ state: 'detached' });
    // The refusal stays on screen after the detail refreshed.
    await detail.getByRole('alert').filter({ hasText: 'Signal not sent' }).waitFor();
    expect(await waitForDelivery(ctx.api, staleId)).toMatchObject({
      status: 'succeeded',
      result: { documentId: 'doc-stale', approved: false },
    });
  });

  it('fits a 390×844 phone screen with a waiting delivery open', async () => {
    const phoneId = await waitingDelivery('doc-phone');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByRole('button', { name: `Open delivery ${phoneId}` }).click();
      await page
        .getByRole('region', { name: `Delivery ${phoneId}` })
        .getByRole('form', { name: 'Send signal approval' })
        .waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await shot('waiting-detail-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('signed in with the read-only token, shows the wait and no form to answer it', async () => {
    const viewerId = await waitingDelivery('doc-viewer');
    const readonlyContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const viewer = await readonlyContext.newPage();
      viewer.setDefaultTimeout(waitMs);
      await signIn(viewer, readonlyToken);
      await viewer.getByLabel('Status').selectOption('waiting');
      await viewer.getByRole('button', { name: `Open delivery ${viewerId}` }).click();
      const wait = viewer.getByRole('region', { name: `Delivery ${viewerId}` }).getByRole('region', { name: 'Waiting for a signal' });
      await wait.getByText('Sending the signal needs the admin token.').waitFor();
      expect(await wait.locator('dd').nth(1).textContent()).toBe('approval');
      expect(await wait.getByRole('form').count()).toBe(0);
      expect(await wait.getByRole('button').count()).toBe(0);
    } finally {
      await readonlyContext.close();
    }
    // What the console leaves out, the API refuses too.
    const refused = await fetch(`${ctx.stack.baseUrl}/api/v1/deliveries/${viewerId}/signals/approval`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readonlyToken}`, 'content-type': 'application/json' },
      body: '{"approved":true}',
    });
    expect(refused.status).toBe(403);
    expect((await ctx.api.get(`/deliveries/${viewerId}`)).body.status).toBe('waiting');
  });

  it('raised no uncaught errors, logged no console errors and met no server error', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(serverErrors).toEqual([]);
  });
});
