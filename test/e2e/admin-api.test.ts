import { describe, expect, it } from 'vitest';
import { adminClient } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

const ctx = useStack('admin', { worker: false, env: { HOOKFLOW_PUBLIC_URL: 'https://hooks.example.test' } });

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: 'about:blank', status, code });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
}

describe('admin API authentication', () => {
  it('401 unauthorized without a token or with a wrong one', async () => {
    expectProblem(await adminClient(ctx.stack.baseUrl, '').get('/agents'), 401, 'unauthorized');
    expectProblem(await adminClient(ctx.stack.baseUrl, 'wrong-token-wrong-token').get('/agents'), 401, 'unauthorized');
    const basic = await fetch(`${ctx.stack.baseUrl}/api/v1/agents`, { headers: { authorization: `Basic ${ctx.stack.adminToken}` } });
    expect(basic.status).toBe(401);
  });
});

describe('agents', () => {
  it('creates, gets, lists and deletes an agent', async () => {
    const created = await ctx.api.post('/agents', { name: 'Fraud monitor', description: 'Flags transactions' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^agt_[0-9a-z]{26}$/),
      name: 'Fraud monitor',
      description: 'Flags transactions',
      createdAt: expect.any(String),
    });
    expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
    expect((await ctx.api.get(`/agents/${created.body.id}`)).body).toEqual(created.body);
    const list = await ctx.api.get('/agents');
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);
    expect(list.body).toHaveProperty('nextCursor');
    expect((await ctx.api.delete(`/agents/${created.body.id}`)).status).toBe(204);
    expectProblem(await ctx.api.get(`/agents/${created.body.id}`), 404, 'agent_not_found');
  });

  it('pages with an opaque cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ctx.api.post('/agents', { name: `Pager ${i}` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await ctx.api.get(`/agents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
    expectProblem(await ctx.api.get('/agents?cursor=not-a-cursor'), 400, 'invalid_request');
    expectProblem(await ctx.api.get('/agents?limit=0'), 400, 'invalid_request');
  });

  it('400 invalid_request with errors for bad bodies', async () => {
    const empty = await ctx.api.post('/agents', {});
    expectProblem(empty, 400, 'invalid_request');
    expect(empty.body.errors).toEqual([expect.objectContaining({ path: 'name', message: expect.any(String) })]);
    const long = await ctx.api.post('/agents', { name: 'x'.repeat(101) });
    expect(long.body.errors[0].path).toBe('name');
    const unknown = await ctx.api.post('/agents', { name: 'ok', color: 'blue' });
    expectProblem(unknown, 400, 'invalid_request');
    const notJson = await ctx.api.call('POST', '/agents', undefined, { 'content-type': 'application/json' });
    expectProblem(notJson, 400, 'invalid_request');
    const broken = await fetch(`${ctx.stack.baseUrl}/api/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.stack.adminToken}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { code: string }).code).toBe('invalid_request');
  });

  it('409 agent_has_webhooks while it has any', async () => {
    const agent = await ctx.api.post('/agents', { name: 'Busy' });
    const webhook = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, { workflow: 'echo' });
    expectProblem(await ctx.api.delete(`/agents/${agent.body.id}`), 409, 'agent_has_webhooks');
    await ctx.api.delete(`/webhooks/${webhook.body.id}`);
    expect((await ctx.api.delete(`/agents/${agent.body.id}`)).status).toBe(204);
  });
});

describe('workflows', () => {
  it('lists the built-in echo', async () => {
    const res = await ctx.api.get('/workflows');
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual(
      expect.objectContaining({ name: 'echo', source: 'builtin', version: expect.any(Number), description: expect.any(String) }),
    );
  });
});

describe('webhooks and keys', () => {
  it('creates a webhook with its endpoint under the public URL, gets, lists, patches and deletes it', async () => {
    const agent = await ctx.api.post('/agents', { name: 'CRM sync' });
    const created = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, {
      workflow: 'echo',
      name: 'Client updated',
      options: { maxBodyBytes: 2048 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-z]{26}$/),
      agentId: agent.body.id,
      name: 'Client updated',
      workflow: 'echo',
      scheme: 'uptiq',
      status: 'enabled',
      endpoint: `https://hooks.example.test/hooks/${created.body.id}`,
      keys: [],
      options: { maxBodyBytes: 2048 },
      createdAt: expect.any(String),
    });
    const id = created.body.id;
    expect((await ctx.api.get(`/webhooks/${id}`)).body).toEqual(created.body);
    const list = await ctx.api.get(`/agents/${agent.body.id}/webhooks`);
    expect(list.body).toEqual({ items: [created.body], nextCursor: null });

    const patched = await ctx.api.patch(`/webhooks/${id}`, { name: 'Renamed', status: 'paused' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', status: 'paused', workflow: 'echo' });
    expectProblem(await ctx.api.patch(`/webhooks/${id}`, { status: 'sleeping' }), 400, 'invalid_request');
    expectProblem(await ctx.api.patch(`/webhooks/${id}`, { workflow: 'no-such-workflow' }), 422, 'workflow_not_found');

    expect((await ctx.api.delete(`/webhooks/${id}`)).status).toBe(204);
    expectProblem(await ctx.api.get(`/webhooks/${id}`), 404, 'webhook_not_found');
    expectProblem(await ctx.api.delete(`/webhooks/${id}`), 404, 'webhook_not_found');
  });

  it('refuses unknown agents, workflows, schemes and options', async () => {
    const agent = await ctx.api.post('/agents', { name: 'Validation' });
    expectProblem(await ctx.api.post('/agents/agt_00000000000000000000000000/webhooks', { workflow: 'echo' }), 404, 'agent_not_found');
    expectProblem(await ctx.api.post(`/agents/${agent.body.id}/webhooks`, { workflow: 'nope' }), 422, 'workflow_not_found');
    const badScheme = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, { workflow: 'echo', scheme: 'rot13' });
    expectProblem(badScheme, 400, 'invalid_request');
    expect(badScheme.body.errors[0].path).toBe('scheme');
    const badOptions = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, {
      workflow: 'echo',
      options: { maxBodyBytes: -1, unknown: 1 },
    });
    expectProblem(badOptions, 400, 'invalid_request');
    expect(badOptions.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain('options');
    expectProblem(await ctx.api.post(`/agents/${agent.body.id}/webhooks`, {}), 400, 'invalid_request');
  });

  it('generates a private key, downloads it as an attachment, and never shows the secret elsewhere', async () => {
    const agent = await ctx.api.post('/agents', { name: 'Docs' });
    const webhook = await ctx.api.post(`/agents/${agent.body.id}/webhooks`, { workflow: 'echo' });
    const id = webhook.body.id;
    expectProblem(await ctx.api.get(`/webhooks/${id}/private-key`), 404, 'key_not_found');

    const generated = await ctx.api.post(`/webhooks/${id}/keys`, {});
    expect(generated.status).toBe(201);
    expect(generated.body).toEqual({
      webhookId: id,
      keyId: expect.stringMatching(/^key_/),
      privateKey: expect.any(String),
      algorithm: 'HMAC-SHA256',
      scheme: 'uptiq',
      signatureHeader: 'x-signature',
      endpoint: `https://hooks.example.test/hooks/${id}`,
      createdAt: expect.any(String),
    });
    expect(generated.body.privateKey.length).toBeGreaterThanOrEqual(40);

    const download = await ctx.api.get(`/webhooks/${id}/private-key`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${id}.private-key.json"`);
    expect(download.body).toEqual(generated.body);

    const shown = await ctx.api.get(`/webhooks/${id}`);
    expect(shown.body.keys).toEqual([{ id: generated.body.keyId, primary: true, createdAt: generated.body.createdAt, expiresAt: null }]);
    expect(JSON.stringify(shown.body)).not.toContain(generated.body.privateKey);
    expect(JSON.stringify((await ctx.api.get(`/agents/${agent.body.id}/webhooks`)).body)).not.toContain(generated.body.privateKey);

    expectProblem(await ctx.api.post(`/webhooks/${id}/keys`, { graceSeconds: -1 }), 400, 'invalid_request');
    expectProblem(await ctx.api.post('/webhooks/wh_00000000000000000000000000/keys', {}), 404, 'webhook_not_found');
  });

  it('404 delivery_not_found for an unknown delivery, and not_found for unknown endpoints', async () => {
    expectProblem(await ctx.api.get('/deliveries/dlv_00000000000000000000000000'), 404, 'delivery_not_found');
    expectProblem(await ctx.api.get('/nothing-here'), 404, 'not_found');
  });
});
