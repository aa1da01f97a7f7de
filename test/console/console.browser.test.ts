import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sendSigned } from '../support/client.js';
import { useStack } from '../support/use-stack.js';
import { ensureConsoleBuilt, launchChromium, screenshotDir } from './console-browser.js';

/**
 * The whole Triggers-tab flow in a real browser, as a user does it: sign in → create agent → Triggers → Create
 * Webhook → Generate Private Key → More Actions → Download Private Key → a sender signs a request with the
 * downloaded key → the delivery shows `succeeded` in the live table → open it → Replay → a new delivery appears.
 */
const waitMs = 30_000;
const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
// The console is built (if it is not yet) before the stack starts, as the first hook.
beforeAll(() => ensureConsoleBuilt());
const ctx = useStack('console-browser', { env: { HOOKFLOW_READONLY_TOKEN: readonlyToken } });
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const serverErrors: string[] = [];
let shotNumber = 0;

async function shot(name: string): Promise<void> {
  shotNumber += 1;
  await page.screenshot({ path: join(screenshotDir, `${String(shotNumber).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** The row of one delivery in the deliveries table, once it shows `status`. */
async function waitForRow(deliveryId: string, status: string): Promise<void> {
  await page.locator(`tr[data-delivery-id="${deliveryId}"]`).getByText(status, { exact: true }).waitFor({ timeout: waitMs });
}

/** Text of the focused element (evaluated in the page, which has the DOM this file's types lack). */
async function activeText(): Promise<string | null> {
  return page.evaluate<string | null>('document.activeElement ? document.activeElement.textContent : null');
}

let webhookId: string;
let endpoint: string;
let privateKey: string;
let firstDeliveryId: string;

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(waitMs);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Chromium logs every 4xx answer as "Failed to load resource"; the deliberate wrong-token sign-in makes one. Those
  // are network events, not errors of the page; a 5xx is a bug, so server errors are collected separately.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('web console: the agent Triggers tab in Chromium', () => {
  it('signs in with the admin token', async () => {
    await page.goto(`${ctx.stack.baseUrl}/console/`);
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a valid admin token' }).waitFor();
    await page.getByLabel('Admin token').fill(ctx.stack.adminToken);
    await shot('sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'hookflow_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('creates an agent and opens its Triggers tab', async () => {
    await page.getByRole('button', { name: 'Create agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create agent' });
    await dialog.getByLabel('Name').fill('Document processor');
    await dialog.getByLabel('Description').fill('Summarises documents when extraction finishes');
    await shot('create-agent');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('link', { name: 'Document processor' }).click();
    await page.getByRole('heading', { name: 'Document processor', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    expect(await page.getByRole('tab', { name: 'Triggers' }).getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toMatch(/\/console\/agents\/agt_[0-9a-z]+\/triggers$/);
    await page.getByText('No webhooks yet').waitFor();
  });

  it('creates a webhook bound to a workflow picked from /workflows', async () => {
    await page.getByRole('button', { name: 'Create Webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Webhook' });
    await dialog.getByLabel('Name').fill('Document processed');
    await dialog.getByLabel('Workflow').locator('option', { hasText: 'echo' }).waitFor({ state: 'attached' });
    await dialog.getByLabel('Workflow').selectOption('echo');
    await dialog.getByLabel('Signature scheme').selectOption('uptiq');
    await shot('create-webhook');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const card = page.getByRole('article', { name: 'Document processed' });
    await card.waitFor();
    expect(await card.getByText('echo', { exact: true }).count()).toBe(1);
    expect(await card.getByText('uptiq', { exact: true }).count()).toBe(1);
    expect(await card.getByText('enabled', { exact: true }).count()).toBe(1);
    endpoint = (await card.getByLabel('Endpoint URL', { exact: true }).textContent())!.trim();
    expect(endpoint).toMatch(/\/hooks\/wh_[0-9a-z]{26}$/);
    webhookId = endpoint.split('/').pop()!;
  });

  it('generates a private key and downloads it from More Actions', async () => {
    const card = page.getByRole('article', { name: 'Document processed' });
    await card.getByRole('button', { name: 'Generate Private Key' }).click();
    await page.getByRole('status').filter({ hasText: 'Private key generated' }).waitFor();
    await card.getByRole('button', { name: 'Generate Private Key' }).waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'More Actions' }).click();
    await shot('more-actions');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Download Private Key' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${webhookId}.private-key.json`);
    const keyFile = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Record<string, string>;
    expect(keyFile).toMatchObject({ webhookId, algorithm: 'HMAC-SHA256', scheme: 'uptiq', signatureHeader: 'x-signature', endpoint });
    expect(keyFile.privateKey).toEqual(expect.any(String));
    privateKey = keyFile.privateKey!;
    // The secret is in the downloaded file only, never on the page.
    expect(await page.content()).not.toContain(privateKey);
  });

  it('shows a request signed with the downloaded key as succeeded in the live table', async () => {
    const url = new URL(endpoint);
    const sent = await sendSigned(`${ctx.stack.baseUrl}${url.pathname}`, { documentId: 'doc-42', status: 'extracted' }, privateKey);
    expect(sent.status).toBe(202);
    firstDeliveryId = sent.body.deliveryId;
    // No reload: the table polls.
    await waitForRow(firstDeliveryId, 'succeeded');
    await page.getByRole('button', { name: 'Copy endpoint URL of Document processed' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Endpoint URL (copied|is selected)/ })
      .waitFor();
    await shot('triggers-tab');
  });

  it('opens the delivery and replays it: a new delivery appears and succeeds', async () => {
    await page.getByRole('button', { name: `Open delivery ${firstDeliveryId}` }).click();
    const detail = page.getByRole('region', { name: `Delivery ${firstDeliveryId}` });
    await detail.getByLabel('Payload').getByText('doc-42', { exact: false }).waitFor();
    expect(await detail.getByLabel('Headers').textContent()).not.toContain('x-signature');
    await shot('delivery-detail');
    await detail.getByRole('button', { name: 'Replay' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Replayed as' });
    await notice.waitFor();
    const replayId = /Replayed as (dlv_[0-9a-z]+)/.exec((await notice.textContent()) ?? '')?.[1];
    expect(replayId).toMatch(/^dlv_/);
    expect(replayId).not.toBe(firstDeliveryId);
    await waitForRow(replayId!, 'succeeded');
    expect(await page.locator('tr[data-delivery-id]').count()).toBe(2);
    await shot('replayed');
  });

  it('sends a test event from an editable payload, prefilled with the example; invalid JSON is shown and not sent', async () => {
    const testEventPosts: string[] = [];
    const onRequest = (request: { method: () => string; url: () => string }) => {
      if (request.method() === 'POST' && request.url().endsWith('/test-event')) testEventPosts.push(request.url());
    };
    page.on('request', onRequest);
    onTestFinished(() => void page.off('request', onRequest));

    const card = page.getByRole('article', { name: 'Document processed' });
    await card.getByRole('button', { name: 'Send test event' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send test event' });
    const editor = dialog.getByLabel('Payload (JSON)');
    await editor.waitFor();
    // Prefilled with what the server would send: echo's example.
    const preview = (await ctx.api.get(`/webhooks/${webhookId}/test-event`)).body;
    expect(JSON.parse(await editor.inputValue())).toEqual(preview.payload);
    await dialog.getByText("Prefilled with the workflow's first example").waitFor();
    const send = dialog.getByRole('button', { name: 'Send test event' });

    await editor.fill('{ "documentId": "doc-7", ');
    await dialog.getByRole('alert').filter({ hasText: 'Not valid JSON' }).waitFor();
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await send.isDisabled()).toBe(true);
    await editor.press('Enter');
    await shot('test-event-invalid-json');
    expect(testEventPosts).toEqual([]);

    const edited = { documentId: 'doc-7', status: 'extracted', note: 'edited in the console' };
    await editor.fill(JSON.stringify(edited, null, 2));
    await dialog.getByRole('alert').waitFor({ state: 'detached' });
    await send.click();
    const notice = page.getByRole('status').filter({ hasText: 'Test event accepted' });
    await notice.waitFor();
    await dialog.waitFor({ state: 'detached' });
    expect(testEventPosts).toHaveLength(1);
    const testId = /delivery (dlv_[0-9a-z]+)/.exec((await notice.textContent()) ?? '')?.[1];
    await waitForRow(testId!, 'succeeded');
    expect((await ctx.api.get(`/deliveries/${testId}`)).body).toMatchObject({ payload: edited, result: edited });
  });

  it("reveals and copies the agent's outbound secret on its Overview only when asked", async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    const panel = page.getByRole('region', { name: 'Outbound secret' });
    await panel.waitFor();
    const { secret } = (await ctx.api.get(`/agents/${new URL(page.url()).pathname.split('/')[3]}/outbound-secret`)).body as {
      secret: string;
    };
    expect(await page.content()).not.toContain(secret);
    await panel.getByRole('button', { name: 'Reveal outbound secret' }).click();
    expect((await panel.getByLabel('Outbound secret').textContent())?.trim()).toBe(secret);
    await panel.getByRole('button', { name: 'Copy' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: /Outbound secret copied|secret is selected/ })
      .waitFor();
    await shot('outbound-secret');
    await panel.getByRole('button', { name: 'Hide' }).click();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('tab', { name: 'Triggers' }).click();
    await page.getByRole('article', { name: 'Document processed' }).waitFor();
  });

  it('works by keyboard: the More Actions menu opens with arrows and closes with Escape', async () => {
    const card = page.getByRole('article', { name: 'Document processed' });
    const button = card.getByRole('button', { name: 'More Actions' });
    await button.focus();
    await page.keyboard.press('ArrowDown');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    expect(await activeText()).toBe('Download Private Key');
    await page.keyboard.press('ArrowDown');
    expect(await activeText()).toBe('Rotate key');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await activeText()).toContain('More Actions');
  });

  it('pauses and resumes the webhook from More Actions', async () => {
    const card = page.getByRole('article', { name: 'Document processed' });
    await card.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Pause' }).click();
    await card.getByText('paused', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Resume' }).click();
    await card.getByText('enabled', { exact: true }).waitFor();
  });

  it('cancels a held delivery from its detail, after a confirmation', async () => {
    const card = page.getByRole('article', { name: 'Document processed' });
    await card.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Pause' }).click();
    await card.getByText('paused', { exact: true }).waitFor();
    const sent = await sendSigned(
      `${ctx.stack.baseUrl}${new URL(endpoint).pathname}`,
      { documentId: 'doc-43', status: 'extracted' },
      privateKey,
    );
    expect(sent.status).toBe(202);
    const heldId = sent.body.deliveryId as string;
    await waitForRow(heldId, 'held');
    await page.getByRole('button', { name: `Open delivery ${heldId}` }).click();
    const detail = page.getByRole('region', { name: `Delivery ${heldId}` });
    const cancelButton = detail.getByRole('button', { name: 'Cancel', exact: true });

    // Asked first; "Keep it" changes nothing.
    await cancelButton.click();
    const dialog = page.getByRole('dialog', { name: 'Cancel delivery' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await ctx.api.get(`/deliveries/${heldId}`)).body.status).toBe('held');

    await cancelButton.click();
    await dialog.getByRole('button', { name: 'Cancel delivery' }).click();
    await detail.getByText('cancelled', { exact: true }).waitFor();
    await cancelButton.waitFor({ state: 'detached' });
    await waitForRow(heldId, 'cancelled');
    expect((await ctx.api.get(`/deliveries/${heldId}`)).body).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    await shot('cancelled');

    await card.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Resume' }).click();
    await card.getByText('enabled', { exact: true }).waitFor();
    // A finished delivery offers no Cancel.
    await page.getByRole('button', { name: `Open delivery ${firstDeliveryId}` }).click();
    const finished = page.getByRole('region', { name: `Delivery ${firstDeliveryId}` });
    await finished.getByText('succeeded', { exact: true }).waitFor();
    expect(await finished.getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
  });

  it('shows queue health with a link to the queue dashboard', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queues' }).click();
    await page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    await page.getByRole('rowheader', { name: 'default' }).waitFor();
    expect(await page.getByRole('link', { name: 'Open queue dashboard' }).getAttribute('href')).toBe('/admin/queues');
    await shot('queues');
  });

  it('is readable on a 390×844 phone screen: nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goBack();
    await page.getByRole('article', { name: 'Document processed' }).waitFor();
    await waitForRow(firstDeliveryId, 'succeeded');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('triggers-tab-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('writes a new workflow in the editor: its errors show inline, a valid one becomes selectable', async () => {
    await page.getByRole('button', { name: 'Create Webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Webhook' });
    onTestFinished(async () => {
      // Whatever happened, leave no modal dialog over the page for the tests after this one.
      if (await dialog.isVisible()) await page.keyboard.press('Escape');
    });
    await dialog.getByRole('button', { name: 'or create a new workflow' }).click();
    const editor = dialog.getByLabel('Workflow definition (JSON)');
    const errors = dialog.locator('#workflow-errors');

    await editor.fill('{ "name": "summarise-document", ');
    await dialog.getByRole('button', { name: 'Save workflow' }).click();
    await errors.getByText('Not valid JSON').waitFor();
    expect(await editor.getAttribute('aria-invalid')).toBe('true');

    // The server validates the definition (PUT /workflows/{name} → 400 with `errors`); each error is listed.
    const invalid = { name: 'summarise-document', steps: [{ id: 'summary', type: 'no-such-step-kind' }] };
    await editor.fill(JSON.stringify(invalid, null, 2));
    await dialog.getByRole('button', { name: 'Save workflow' }).click();
    await errors.locator('li').first().waitFor();
    await shot('workflow-editor-errors');

    const valid = {
      name: 'summarise-document',
      description: 'Keeps the document id and status of each event',
      input: { type: 'object', required: ['documentId'], properties: { documentId: { type: 'string' } } },
      steps: [{ id: 'shape', type: 'transform', expression: "{ 'documentId': payload.documentId, 'status': payload.status }" }],
      output: 'steps.shape.output',
    };
    await editor.fill(JSON.stringify(valid, null, 2));
    await dialog.getByRole('button', { name: 'Save workflow' }).click();
    await editor.waitFor({ state: 'detached' });
    await dialog.getByLabel('Workflow').locator('option[value="summarise-document"]').waitFor({ state: 'attached' });
    expect(await dialog.getByLabel('Workflow').inputValue()).toBe('summarise-document');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('signs out, and the page asks for the token again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    await page.reload();
    await page.getByLabel('Admin token').waitFor();
    expect((await context.cookies()).find((c) => c.name === 'hookflow_session')).toBeUndefined();
  });

  it('signed in with the read-only token, shows everything and offers no change', async () => {
    const readonlyContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const viewer = await readonlyContext.newPage();
      viewer.setDefaultTimeout(waitMs);
      await viewer.goto(`${ctx.stack.baseUrl}/console/`);
      await viewer.getByLabel('Admin token').fill(readonlyToken);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.getByText('Signed in with the read-only token').waitFor();
      expect(await viewer.getByRole('button', { name: 'Create agent' }).isDisabled()).toBe(true);
      await viewer.getByRole('link', { name: 'Document processor' }).click();
      const secretPanel = viewer.getByRole('region', { name: 'Outbound secret' });
      expect(await secretPanel.getByRole('button', { name: 'Reveal outbound secret' }).isDisabled()).toBe(true);
      await secretPanel.getByText('Revealing it needs the admin token.').waitFor();
      await viewer.getByRole('tab', { name: 'Triggers' }).click();
      const card = viewer.getByRole('article', { name: 'Document processed' });
      await card.waitFor();
      expect(await viewer.getByRole('button', { name: 'Create Webhook' }).isDisabled()).toBe(true);
      expect(await card.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
      await card.getByRole('button', { name: 'More Actions' }).click();
      expect(await viewer.getByRole('menuitem').allTextContents()).toEqual(['Download Private Key']);
      await viewer.locator(`tr[data-delivery-id="${firstDeliveryId}"]`).waitFor();
    } finally {
      await readonlyContext.close();
    }
  });

  it('raised no uncaught errors, logged no console errors and met no server error', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(serverErrors).toEqual([]);
  });
});
