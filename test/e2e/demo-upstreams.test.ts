import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, waitForDelivery, type AdminClient } from '../support/client.js';
import { repoRoot, spawnEntry, startStack, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';

/**
 * What a new user does: `npm run demo:upstreams`, Hookflow started with the variables it printed, and each of the
 * five example workflows of workflows/*.json run through the console's "Send test event" (the test-event endpoint
 * with no payload: the workflow's own example).
 */
const prefix = testPrefix('demo-upstreams');
const redis = testRedis();
const home = mkdtempSync(join(tmpdir(), 'hookflow-demo-'));
let upstreams: RunningProcess;
let stack: Stack;
let api: AdminClient;
let printed: Record<string, string>;

/** Waits until the script has printed its start instructions (the command line ending in `npm start`). */
async function instructions(proc: RunningProcess): Promise<string> {
  const deadline = Date.now() + 90_000;
  while (!/ npm start$/m.test(proc.output())) {
    if (proc.child.exitCode !== null) throw new Error(`demo:upstreams exited:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`demo:upstreams printed no instructions:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return proc.output();
}

beforeAll(async () => {
  upstreams = spawnEntry('scripts/demo-upstreams.ts', { DEMO_UPSTREAMS_PORT: '0', HOOKFLOW_HOME: home });
  const output = await instructions(upstreams);
  printed = Object.fromEntries([...output.matchAll(/^ {2}(HOOKFLOW_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  stack = await startStack({ prefix, env: { ...printed, LOG_LEVEL: 'warn' } });
  api = adminClient(stack.baseUrl, stack.adminToken);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await upstreams?.stop();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

/**
 * What a compliance officer does with the fraud alert: the stand-ins print its review link; the officer approves it
 * (here with the POST the page's Approve button makes). The link names this stack on localhost; the test reaches 127.0.0.1.
 */
async function approveReview(deliveryId: string): Promise<void> {
  await waitForDelivery(api, deliveryId, ['waiting', 'failed'], 60_000);
  const deadline = Date.now() + 30_000;
  let link: string | undefined;
  while (!(link = /^review link for transaction txn-77310 \(valid until [^)]+\): (\S+)$/m.exec(upstreams.output())?.[1])) {
    if (Date.now() > deadline) throw new Error(`demo:upstreams printed no review link:\n${upstreams.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(upstreams.output()).toContain(`curl -X POST -H 'content-type: application/json' -d '{"approved":true}' ${link}`);
  const res = await fetch(link.replace(/^http:\/\/localhost:\d+/, stack.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"approved":true}',
  });
  expect(res.status).toBe(202);
}

describe('npm run demo:upstreams', () => {
  it('prints every variable the example workflows read, the egress allowance, and writes them to demo.env', () => {
    expect(Object.keys(printed).sort()).toEqual([
      'HOOKFLOW_EGRESS_ALLOW',
      'HOOKFLOW_VAR_COMPLIANCE_URL',
      'HOOKFLOW_VAR_CRM_URL',
      'HOOKFLOW_VAR_DOCS_URL',
      'HOOKFLOW_VAR_NOTIFY_URL',
    ]);
    const workflowsText = ['crm-sync', 'document-summary', 'fraud-alert', 'payment-update', 'ticket-status']
      .map((name) => readFileSync(join(repoRoot, 'workflows', `${name}.json`), 'utf8'))
      .join('\n');
    const used = new Set([...workflowsText.matchAll(/\benv\.([A-Z_]+)/g)].map((m) => `HOOKFLOW_VAR_${m[1]}`));
    for (const name of used) expect(printed[name], name).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const port = new URL(printed.HOOKFLOW_VAR_DOCS_URL!).port;
    expect(printed.HOOKFLOW_EGRESS_ALLOW).toBe(`127.0.0.1:${port}`);
    const envFile = readFileSync(join(home, 'demo.env'), 'utf8');
    for (const [name, value] of Object.entries(printed)) expect(envFile).toContain(`${name}=${value}\n`);
  });

  it('makes all five example workflows succeed from a test event with their own example (the fraud alert once its review link is approved)', async () => {
    const results: Record<string, any> = {};
    for (const workflow of ['crm-sync', 'document-summary', 'fraud-alert', 'payment-update', 'ticket-status']) {
      const { webhookId } = await api.setupWebhook(workflow);
      const sent = await api.post(`/webhooks/${webhookId}/test-event`);
      expect(sent.body.response?.status, `${workflow}: ${JSON.stringify(sent.body)}`).toBe(202);
      const deliveryId = sent.body.response.body.deliveryId;
      if (workflow === 'fraud-alert') await approveReview(deliveryId);
      const delivery = await waitForDelivery(api, deliveryId, ['succeeded', 'failed'], 60_000);
      expect(delivery.status, `${workflow}: ${JSON.stringify(delivery.error)}`).toBe('succeeded');
      results[workflow] = delivery.result;
    }
    expect(results['document-summary']).toMatchObject({ documentId: 'doc-1042', category: 'invoice' });
    expect(results['crm-sync']).toMatchObject({ clientId: 'cli-4821', syncCount: 1 });
    expect(results['fraud-alert']).toMatchObject({ transactionId: 'txn-77310', level: 'high', notified: true, account: 'frozen' });
    expect(results['payment-update']).toMatchObject({ paymentId: 'pay-3301', credited: true, balance: 4999 });
    expect(results['ticket-status']).toMatchObject({
      ticketId: 'tkt-5512',
      message: 'Your ticket tkt-5512 is now resolved. The duplicate charge was refunded to your card.',
    });
    // The notify steps reached the stand-ins (which log what they receive).
    for (const path of ['/compliance/alerts', '/notify/accounts/acc-2209/payments', '/notify/users/usr-118/messages']) {
      expect(upstreams.output()).toContain(`notify received: POST ${path}`);
    }
  });
});
