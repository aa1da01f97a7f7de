import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKeys, DeliveryStore, getScheme } from '@hookflow/shared';
import { sendSigned, waitForDelivery } from '../support/client.js';
import { freePort } from '../support/processes.js';
import { useStack } from '../support/use-stack.js';
import { runCli, type CliRun } from './run-cli.js';

const readonlyToken = 'cli-test-readonly-token';
const ctx = useStack('cli', { env: { HOOKFLOW_READONLY_TOKEN: readonlyToken } });
const { prefix, redis } = ctx;
const work = mkdtempSync(join(tmpdir(), 'hookflow-cli-test-'));
/** An empty HOOKFLOW_HOME, so the admin-token fallback never finds a token the test did not put there. */
const emptyHome = mkdtempSync(join(tmpdir(), 'hookflow-cli-home-'));
let env: Record<string, string>;

const hookflow = (args: string[], extraEnv: Record<string, string> = {}, options: { cwd?: string; input?: string } = {}) =>
  runCli(args, { ...env, ...extraEnv }, { cwd: work, ...options });

/** Runs with `--json` and expects success. */
async function json<T = any>(args: string[], extraEnv: Record<string, string> = {}): Promise<T> {
  const run = await hookflow(['--json', ...args], extraEnv);
  expect(run.stderr, `hookflow ${args.join(' ')}`).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A failure as the brief wants it: exit code ≠ 0, exactly one line on stderr, no stack trace, nothing on stdout. */
function expectOneLineError(run: CliRun, pattern: RegExp): void {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

beforeAll(async () => {
  env = { HOOKFLOW_URL: ctx.stack.baseUrl, HOOKFLOW_ADMIN_TOKEN: ctx.stack.adminToken, HOOKFLOW_HOME: emptyHome };
});

describe('hookflow agents', () => {
  it('creates, lists and shows agents as tables and as JSON', async () => {
    const agent = await json(['agents', 'create', 'Invoice agent', '--description', 'reads invoices']);
    expect(agent).toMatchObject({ id: expect.stringMatching(/^agt_/), name: 'Invoice agent', description: 'reads invoices' });
    expect((await ctx.api.get(`/agents/${agent.id}`)).status).toBe(200);

    const list = await hookflow(['agents', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+DESCRIPTION\s+CREATED/);
    expect(list.stdout).toMatch(new RegExp(`${agent.id}\\s+Invoice agent\\s+reads invoices`));
    expect((await json(['agents', 'list'])).items.map((a: { id: string }) => a.id)).toContain(agent.id);

    const show = await hookflow(['agents', 'show', agent.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^id\\s+${agent.id}$`, 'm'));
    expect(show.stdout).toMatch(/^name\s+Invoice agent$/m);
  });
});

describe('hookflow agents outbound-secret', () => {
  it('shows the secret the API gives, rotates it (with --grace) and refuses --grace without --rotate', async () => {
    const agent = await json(['agents', 'create', 'Notifier']);
    const shown = await json(['agents', 'outbound-secret', agent.id]);
    expect(shown).toEqual((await ctx.api.get(`/agents/${agent.id}/outbound-secret`)).body);
    expect(shown).toMatchObject({ secret: expect.stringMatching(/^whsec_/), scheme: 'standard-webhooks', previousExpiresAt: null });

    const table = await hookflow(['agents', 'outbound-secret', agent.id]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^secret\\s+${shown.secret.replace(/[+/]/g, '\\$&')}$`, 'm'));

    const rotated = await json(['agents', 'outbound-secret', agent.id, '--rotate', '--grace', '120']);
    expect(rotated.secret).not.toBe(shown.secret);
    expect(Date.parse(rotated.previousExpiresAt)).toBeGreaterThan(Date.now() + 60_000);
    const immediate = await json(['agents', 'outbound-secret', agent.id, '--rotate', '--grace', '0']);
    expect(immediate.previousExpiresAt).toBeNull();
    expect((await json(['agents', 'outbound-secret', agent.id])).secret).toBe(immediate.secret);

    expectOneLineError(await hookflow(['agents', 'outbound-secret', agent.id, '--grace', '5']), /--grace only applies with --rotate/);
    expectOneLineError(await hookflow(['agents', 'outbound-secret', agent.id, '--rotate', '--grace', 'soon']), /grace/);
    expectOneLineError(await hookflow(['agents', 'outbound-secret', 'agt_00000000000000000000000000']), /agent_not_found|does not exist/);
  });
});

describe('hookflow webhooks and keys', () => {
  it('creates a webhook, lists and shows it, and pauses, resumes and disables it', async () => {
    const agent = await json(['agents', 'create', 'Webhook owner']);
    const webhook = await json(['webhooks', 'create', '--agent', agent.id, '--workflow', 'echo', '--scheme', 'uptiq', '--name', 'docs']);
    expect(webhook).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      agentId: agent.id,
      workflow: 'echo',
      scheme: 'uptiq',
      status: 'enabled',
      name: 'docs',
    });

    const list = await hookflow(['webhooks', 'list', '--agent', agent.id]);
    expect(list.stdout).toMatch(new RegExp(`${webhook.id}\\s+docs\\s+echo\\s+uptiq\\s+enabled\\s+\\S+/hooks/${webhook.id}`));
    expect((await hookflow(['webhooks', 'show', webhook.id])).stdout).toMatch(/^primary key\s+none yet/m);

    // Paged: a second webhook, one per page, the table says how to go on.
    const second = await json(['webhooks', 'create', '--agent', agent.id, '--workflow', 'echo']);
    const first = await hookflow(['webhooks', 'list', '--agent', agent.id, '--limit', '1']);
    const more = /^more: hookflow webhooks list --agent \S+ --cursor (\S+)$/m.exec(first.stdout);
    expect(more, first.stdout).not.toBeNull();
    expect(first.stdout).not.toContain(second.id);
    const next = await json(['webhooks', 'list', '--agent', agent.id, '--limit', '1', '--cursor', more![1]!]);
    expect(next).toMatchObject({ items: [{ id: second.id }], nextCursor: null });
    expectOneLineError(await hookflow(['webhooks', 'list', '--agent', agent.id, '--limit', '0']), /--limit/);

    for (const [command, status] of [
      ['pause', 'paused'],
      ['resume', 'enabled'],
      ['disable', 'disabled'],
    ] as const) {
      const run = await hookflow(['webhooks', command, webhook.id]);
      expect(run.stdout).toBe(`${webhook.id} is now ${status}\n`);
      expect((await ctx.api.get(`/webhooks/${webhook.id}`)).body.status).toBe(status);
    }
  });

  it('generates keys into a 0600 file (with a grace period for the old one) and downloads the primary key', async () => {
    const { webhookId } = await ctx.api.setupWebhook('echo');
    const first = (await ctx.api.get(`/webhooks/${webhookId}`)).body.keys[0].id as string;
    const file = join(work, 'generated.json');

    const generated = await hookflow(['keys', 'generate', webhookId, '--out', file, '--grace', '600']);
    expect(generated.code).toBe(0);
    const keyFile = JSON.parse(readFileSync(file, 'utf8'));
    expect(keyFile).toMatchObject({
      webhookId,
      keyId: expect.stringMatching(/^key_/),
      privateKey: expect.any(String),
      algorithm: 'HMAC-SHA256',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(generated.stdout).toContain(keyFile.keyId);
    expect(generated.stdout).not.toContain(keyFile.privateKey);
    const keys = (await ctx.api.get(`/webhooks/${webhookId}`)).body.keys as { id: string; primary: boolean; expiresAt: string | null }[];
    expect(keys.find((k) => k.id === keyFile.keyId)).toMatchObject({ primary: true });
    expect(keys.find((k) => k.id === first)).toMatchObject({ primary: false, expiresAt: expect.any(String) });

    const downloaded = join(work, 'downloaded.json');
    expect((await json(['keys', 'download', webhookId, '--out', downloaded])).keyId).toBe(keyFile.keyId);
    expect(JSON.parse(readFileSync(downloaded, 'utf8'))).toEqual(keyFile);
    // Without --out the key file itself is the output, for pipes.
    expect(JSON.parse((await hookflow(['keys', 'download', webhookId])).stdout)).toEqual(keyFile);
  });
});

describe('hookflow send', () => {
  let webhookId: string;
  let keyPath: string;

  beforeAll(async () => {
    ({ webhookId } = await ctx.api.setupWebhook('echo'));
    keyPath = join(work, 'send-key.json');
    expect((await hookflow(['keys', 'download', webhookId, '--out', keyPath])).code).toBe(0);
  });

  it('sends a signed event by webhook id that the workflow then runs', async () => {
    const sent = await json(['send', webhookId, '--key', keyPath, '--data', '{"documentId":"doc-1"}']);
    expect(sent).toMatchObject({
      ok: true,
      status: 202,
      deliveryId: expect.stringMatching(/^dlv_/),
      deliveryStatus: 'queued',
      attempts: 1,
    });
    expect(await waitForDelivery(ctx.api, sent.deliveryId)).toMatchObject({ status: 'succeeded', result: { documentId: 'doc-1' } });
  });

  it('sends --data @file to a full URL with the given idempotency key on every try, retrying a 503', async () => {
    // A receiver of our own, to see exactly what goes over the wire.
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        if (seen.length === 1)
          res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/problem+json' }).end('{"code":"unavailable"}');
        else res.writeHead(202, { 'content-type': 'application/json' }).end('{"deliveryId":"dlv_local","status":"queued"}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const dataFile = join(work, 'event.json');
      writeFileSync(dataFile, JSON.stringify({ documentId: 'doc-2', pages: [1, 2] }, null, 2));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/${webhookId}`;
      const sent = await json(['send', url, '--key', keyPath, '--data', `@${dataFile}`, '--idempotency-key', 'cli-test-key']);
      expect(sent).toMatchObject({ status: 202, deliveryId: 'dlv_local', attempts: 2, idempotencyKey: 'cli-test-key' });
      expect(seen.map((s) => s.headers['idempotency-key'])).toEqual(['cli-test-key', 'cli-test-key']);
      const { privateKey } = JSON.parse(readFileSync(keyPath, 'utf8'));
      for (const { headers, body } of seen) {
        expect(JSON.parse(body)).toEqual({ documentId: 'doc-2', pages: [1, 2] });
        expect(
          getScheme('uptiq').verify({
            rawBody: Buffer.from(body),
            headers,
            secrets: [privateKey],
            nowMs: Date.now(),
            parsedBody: () => JSON.parse(body),
          }),
        ).toEqual({ ok: true });
      }
    } finally {
      receiver.close();
    }

    const table = await hookflow(['send', webhookId, '--key', keyPath, '--data', '{"x":1}']);
    expect(table.stdout).toMatch(/^http status\s+202$/m);
    expect(table.stdout).toMatch(/^delivery\s+dlv_\S+$/m);
  });

  it('sends --count events and reports them', async () => {
    const summary = await json(['send', webhookId, '--key', keyPath, '--data', '{"bulk":true}', '--count', '5', '--concurrency', '2']);
    expect(summary).toMatchObject({ sent: 5, accepted: 5, duplicates: 0, failed: 0 });
    expect(new Set(summary.results.map((r: { deliveryId: string }) => r.deliveryId)).size).toBe(5);
  });
});

// These call the Deliveries and Queues endpoints of the HTTP contract (docs/api.md).
describe('hookflow deliveries and queues', () => {
  let webhookId: string;
  let deliveryId: string;

  beforeAll(async () => {
    ({ webhookId } = await ctx.api.setupWebhook('echo'));
    const keyPath = join(work, 'deliveries-key.json');
    await hookflow(['keys', 'download', webhookId, '--out', keyPath]);
    deliveryId = (await json(['send', webhookId, '--key', keyPath, '--data', '{"n":1}'])).deliveryId;
    await waitForDelivery(ctx.api, deliveryId);
  });

  it('lists (with --status) and shows deliveries', async () => {
    const page = await json(['deliveries', 'list', webhookId]);
    expect(page.items.map((d: { id: string }) => d.id)).toContain(deliveryId);
    expect(
      (await json(['deliveries', 'list', webhookId, '--status', 'succeeded', '--limit', '10'])).items.every(
        (d: { status: string }) => d.status === 'succeeded',
      ),
    ).toBe(true);
    expect((await json(['deliveries', 'list', webhookId, '--status', 'failed'])).items.map((d: { id: string }) => d.id)).not.toContain(
      deliveryId,
    );

    const table = await hookflow(['deliveries', 'list', webhookId]);
    expect(table.stdout).toMatch(new RegExp(`${deliveryId}\\s+succeeded\\s+echo\\s+1`));
    const show = await hookflow(['deliveries', 'show', deliveryId]);
    expect(show.stdout).toMatch(/^status\s+succeeded$/m);
    expect(show.stdout).toMatch(/^payload\s+\{"n":1\}$/m);
    expect((await json(['deliveries', 'show', deliveryId])).result).toEqual({ n: 1 });
  });

  it('replays a delivery', async () => {
    const replay = await json(['deliveries', 'replay', deliveryId]);
    expect(replay).toMatchObject({ deliveryId: expect.stringMatching(/^dlv_/), replayOf: deliveryId });
    expect(replay.deliveryId).not.toBe(deliveryId);
    expect(await waitForDelivery(ctx.api, replay.deliveryId)).toMatchObject({
      status: 'succeeded',
      replayOf: deliveryId,
      result: { n: 1 },
    });
  });

  it('retries the failed deliveries of a webhook', async () => {
    // echo never fails, so mark the delivery failed the way the worker records a final failure.
    await new DeliveryStore(redis, createKeys(prefix)).markFailed(
      deliveryId,
      { code: 'test_failure', message: 'forced by the CLI test' },
      new Date(),
    );
    const failed = await json(['deliveries', 'list', webhookId, '--status', 'failed']);
    expect(failed.items.map((d: { id: string }) => d.id)).toEqual([deliveryId]);
    const retried = await hookflow(['deliveries', 'retry-failed', webhookId]);
    expect(retried).toMatchObject({ code: 0, stdout: `retried 1 failed delivery of ${webhookId}\n` });
    await waitForDelivery(ctx.api, deliveryId);

    // --wait follows the retried deliveries to their end.
    await new DeliveryStore(redis, createKeys(prefix)).markFailed(
      deliveryId,
      { code: 'test_failure', message: 'forced again' },
      new Date(),
    );
    expect(await json(['deliveries', 'retry-failed', webhookId, '--wait', '--wait-timeout', '120'])).toEqual({
      retried: 1,
      succeeded: 1,
      failed: 0,
      unfinished: 0,
    });
    expect((await ctx.api.get(`/deliveries/${deliveryId}`)).body.status).toBe('succeeded');
  });

  it('cancels a held delivery, and says on one line why one that ended cannot be', async () => {
    const paused = await ctx.api.setupWebhook('echo');
    await ctx.api.patch(`/webhooks/${paused.webhookId}`, { status: 'paused' });
    const keyPath = join(work, 'cancel-key.json');
    await hookflow(['keys', 'download', paused.webhookId, '--out', keyPath]);
    const held = (await json(['send', paused.webhookId, '--key', keyPath, '--data', '{"n":2}'])).deliveryId;
    expect((await ctx.api.get(`/deliveries/${held}`)).body.status).toBe('held');

    const run = await hookflow(['deliveries', 'cancel', held]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^cancelled ${held} at \\d{4}-\\d{2}-\\d{2}T`));
    expect((await ctx.api.get(`/deliveries/${held}`)).body).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    expect((await json(['deliveries', 'list', paused.webhookId, '--status', 'cancelled'])).items.map((d: { id: string }) => d.id)).toEqual([
      held,
    ]);
    expect((await hookflow(['deliveries', 'show', held])).stdout).toMatch(/^status\s+cancelled$/m);

    expectOneLineError(await hookflow(['deliveries', 'cancel', held]), /^error: .*\[delivery_finished\]$/);
    expectOneLineError(await hookflow(['deliveries', 'cancel', deliveryId]), /^error: .*\[delivery_finished\]$/);
    expectOneLineError(await hookflow(['deliveries', 'cancel', 'dlv_doesnotexist']), /^error: .*\[delivery_not_found\]$/);
  });

  it('shows the queues', async () => {
    const queues = await json(['queues']);
    expect(queues.items).toContainEqual(
      expect.objectContaining({ name: 'default', counts: expect.objectContaining({ waiting: expect.any(Number) }) }),
    );
    const table = await hookflow(['queues']);
    expect(table.stdout).toMatch(/^QUEUE\s+WAITING\s+ACTIVE\s+DELAYED\s+COMPLETED\s+FAILED\s+PAUSED\s+WORKERS$/m);
    expect(table.stdout).toMatch(/^default\s+\d+/m);
  });
});

describe('hookflow deliveries signal', () => {
  let endpoint: string;
  let privateKey: string;
  let webhookId: string;

  /** Sends a document event to the approval workflow and returns its delivery once it is paused at the wait step. */
  async function waiting(documentId: string): Promise<string> {
    const sent = await sendSigned(endpoint, { documentId }, privateKey);
    expect(sent.status).toBe(202);
    return (await waitForDelivery(ctx.api, sent.body.deliveryId, ['waiting'])).id;
  }

  beforeAll(async () => {
    const workflow = {
      name: 'cli-approval',
      steps: [
        { id: 'approve', type: 'wait', signal: 'approval', timeoutMs: 3_600_000 },
        { id: 'record', type: 'transform', expression: "{ 'documentId': payload.documentId, 'approved': steps.approve.output.approved }" },
      ],
      output: 'steps.record.output',
    };
    const put = await ctx.api.call('PUT', `/workflows/${workflow.name}`, workflow);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const setup = await ctx.api.setupWebhook(workflow.name);
    ({ webhookId } = setup);
    ({ endpoint, privateKey } = setup.keyFile);
  });

  it('lists and shows a waiting delivery, and resumes it with --data; a second signal is refused on one line', async () => {
    const id = await waiting('doc-cli-1');
    expect((await json(['deliveries', 'list', webhookId, '--status', 'waiting'])).items.map((d: { id: string }) => d.id)).toEqual([id]);
    const { expiresAt } = (await ctx.api.get(`/deliveries/${id}`)).body.waitingFor as { expiresAt: string };
    const show = await hookflow(['deliveries', 'show', id]);
    expect(show.stdout).toMatch(/^status\s+waiting$/m);
    expect(show.stdout).toMatch(
      new RegExp(`^waiting for\\s+signal approval \\(step approve\\) until ${expiresAt.replace(/\./g, '\\.')}$`, 'm'),
    );

    const run = await hookflow(['deliveries', 'signal', id, 'approval', '--data', '{"approved": true}']);
    expect(run).toEqual({ code: 0, stdout: `resumed ${id} with signal approval\n`, stderr: '' });
    expect(await waitForDelivery(ctx.api, id)).toMatchObject({
      status: 'succeeded',
      waitingFor: null,
      result: { documentId: 'doc-cli-1', approved: true },
    });
    expect((await hookflow(['deliveries', 'show', id])).stdout).toMatch(/^waiting for\s+-$/m);
    expectOneLineError(
      await hookflow(['deliveries', 'signal', id, 'approval', '--data', '{"approved": false}']),
      /^error: .*\[signal_already_received\]$/,
    );
    expect((await ctx.api.get(`/deliveries/${id}`)).body.result).toEqual({ documentId: 'doc-cli-1', approved: true });
  });

  it('reads --data from stdin (-) and from @file, and prints the answer as JSON with --json', async () => {
    const fromStdin = await waiting('doc-cli-2');
    const run = await hookflow(
      ['--json', 'deliveries', 'signal', fromStdin, 'approval', '--data', '-'],
      {},
      { input: '{ "approved": false, "note": "over budget" }\n' },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ deliveryId: fromStdin, signal: 'approval', status: 'resumed' });
    expect(await waitForDelivery(ctx.api, fromStdin)).toMatchObject({
      status: 'succeeded',
      steps: [{ id: 'approve', output: { approved: false, note: 'over budget' } }, { id: 'record' }],
    });

    const fromFile = await waiting('doc-cli-3');
    const file = join(work, 'approval.json');
    writeFileSync(file, '{"approved": true}');
    expect((await hookflow(['deliveries', 'signal', fromFile, 'approval', '--data', `@${file}`])).code).toBe(0);
    expect(await waitForDelivery(ctx.api, fromFile)).toMatchObject({
      status: 'succeeded',
      result: { documentId: 'doc-cli-3', approved: true },
    });
  });

  it('refuses bad JSON before sending, and shows the API problem for a wrong signal, an unknown delivery and the read-only token', async () => {
    const id = await waiting('doc-cli-4');
    expectOneLineError(
      await hookflow(['deliveries', 'signal', id, 'approval', '--data', '{"approved":']),
      /^error: --data is not valid JSON: /,
    );
    expectOneLineError(
      await hookflow(['deliveries', 'signal', id, 'approval', '--data', '-'], {}, { input: 'approved' }),
      /^error: --data \(stdin\) is not valid JSON: /,
    );
    expectOneLineError(
      await hookflow(['deliveries', 'signal', id, 'approval']),
      /^error: required option '-d, --data <json\|@file\|->' not specified$/,
    );
    expectOneLineError(await hookflow(['deliveries', 'signal', id, 'go-ahead', '--data', '{}']), /^error: .*\[signal_not_found\]$/);
    expectOneLineError(
      await hookflow(['deliveries', 'signal', 'dlv_doesnotexist', 'approval', '--data', '{}']),
      /^error: .*\[signal_not_found\]$/,
    );
    expectOneLineError(
      await hookflow(['deliveries', 'signal', id, 'approval', '--data', '{}'], { HOOKFLOW_ADMIN_TOKEN: readonlyToken }),
      /^error: .*\[forbidden\]$/,
    );
    expect((await ctx.api.get(`/deliveries/${id}`)).body).toMatchObject({ status: 'waiting', waitingFor: { signal: 'approval' } });
  });
});

describe('hookflow bad input', () => {
  it('without an admin token says so on one line', async () => {
    expectOneLineError(
      await hookflow(['agents', 'list'], { HOOKFLOW_ADMIN_TOKEN: '' }),
      /^error: no admin token: set HOOKFLOW_ADMIN_TOKEN/,
    );
  });

  it('falls back to the admin token that npm start writes under HOOKFLOW_HOME', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hookflow-cli-home-'));
    writeFileSync(join(home, 'admin-token'), `${ctx.stack.adminToken}\n`);
    const run = await hookflow(['--json', 'agents', 'list'], { HOOKFLOW_ADMIN_TOKEN: '', HOOKFLOW_HOME: home });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).items).toEqual(expect.any(Array));
  });

  it('a wrong admin token is the API problem on one line', async () => {
    expectOneLineError(await hookflow(['agents', 'list'], { HOOKFLOW_ADMIN_TOKEN: 'not-the-token-at-all' }), /^error: .*\[unauthorized\]$/);
  });

  it('bad JSON in --data never goes out', async () => {
    const keyPath = join(work, 'any-key.json');
    writeFileSync(keyPath, JSON.stringify({ privateKey: 'pk_whatever' }));
    expectOneLineError(await hookflow(['send', 'wh_whatever', '--key', keyPath, '--data', '{"a":']), /^error: --data is not valid JSON/);
    expectOneLineError(
      await hookflow(['send', 'wh_whatever', '--key', keyPath, '--data', `@${join(work, 'missing.json')}`]),
      /^error: cannot read data file .*missing\.json \(ENOENT\)$/,
    );
    expectOneLineError(
      await hookflow(['send', 'wh_whatever', '--key', join(work, 'no-key.json'), '--data', '{}']),
      /^error: cannot read key file .*\(ENOENT\)$/,
    );
  });

  it('an unknown webhook, agent, delivery or workflow is the API problem on one line', async () => {
    expectOneLineError(await hookflow(['webhooks', 'show', 'wh_doesnotexist']), /^error: .*\[webhook_not_found\]$/);
    expectOneLineError(await hookflow(['keys', 'download', 'wh_doesnotexist']), /\[webhook_not_found\]$/);
    expectOneLineError(await hookflow(['agents', 'show', 'agt_doesnotexist']), /\[agent_not_found\]$/);
    expectOneLineError(await hookflow(['deliveries', 'show', 'dlv_doesnotexist']), /\[delivery_not_found\]$/);
    const agent = await json(['agents', 'create', 'No such workflow']);
    expectOneLineError(
      await hookflow(['webhooks', 'create', '--agent', agent.id, '--workflow', 'no-such-workflow']),
      /\[workflow_not_found\]$/,
    );
    const keyPath = join(work, 'unknown-key.json');
    writeFileSync(keyPath, JSON.stringify({ privateKey: 'pk_whatever' }));
    expectOneLineError(await hookflow(['send', 'wh_doesnotexist', '--key', keyPath, '--data', '{}']), /^error: .*\[webhook_not_found\]$/);
  });

  it('bad arguments are refused by the parser on one line', async () => {
    expectOneLineError(
      await hookflow(['deliveries', 'list', 'wh_x', '--status', 'lost']),
      /^error: option '--status <status>' argument 'lost' is invalid/,
    );
    expectOneLineError(
      await hookflow(['keys', 'generate', 'wh_x', '--grace', '-5']),
      /^error: option '--grace <seconds>' argument '-5' is invalid/,
    );
    expectOneLineError(
      await hookflow(['webhooks', 'create', '--workflow', 'echo']),
      /^error: required option '--agent <agentId>' not specified$/,
    );
    expectOneLineError(await hookflow(['frobnicate']), /^error: unknown command 'frobnicate'/);
    const keyPath = join(work, 'parser-key.json');
    writeFileSync(keyPath, JSON.stringify({ privateKey: 'pk_whatever' }));
    expectOneLineError(
      await hookflow(['send', 'http://[bad', '--key', keyPath, '--data', '{}']),
      /^error: not a valid URL: http:\/\/\[bad$/,
    );
    expectOneLineError(
      await hookflow(['send', 'wh_x', '--key', keyPath, '--data', '{}', '--scheme', 'md5']),
      /^error: unknown signature scheme "md5"/,
    );
  });

  it('an unreachable Hookflow is named with its URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expectOneLineError(
      await hookflow(['queues'], { HOOKFLOW_URL: url }),
      new RegExp(`^error: cannot reach Hookflow at ${url} \\(ECONNREFUSED\\)$`),
    );
    const keyPath = join(work, 'any-key.json');
    expectOneLineError(
      await hookflow(['send', 'wh_x', '--key', keyPath, '--data', '{}', '--attempts', '1'], { HOOKFLOW_URL: url }),
      /^error: cannot reach Hookflow at .* \(ECONNREFUSED, 1 attempt\)$/,
    );
  });
});
