import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminClient, type AdminClient } from '../support/client.js';
import { useStack } from '../support/use-stack.js';
import { postHook, providerSigners } from './provider-signers.js';

const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
const ctx = useStack('keys-tokens', { worker: false, env: { HOOKFLOW_READONLY_TOKEN: readonlyToken } });
let reader: AdminClient;

beforeAll(async () => {
  reader = adminClient(ctx.stack.baseUrl, readonlyToken);
});

describe.each(['uptiq', 'stripe'])('key rotation (scheme %s)', (scheme) => {
  const signer = providerSigners.find((s) => s.scheme === scheme)!;

  it('keeps the old key valid during graceSeconds, shows it with expiresAt, and stops matching it at expiry', async () => {
    const setup = await ctx.api.setupWebhook('echo', { scheme });
    const url = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    const oldKey = setup.keyFile;
    const rotated = await ctx.api.post(`/webhooks/${setup.webhookId}/keys`, { graceSeconds: 2 });
    expect(rotated.status).toBe(201);
    const newKey = rotated.body;
    expect(newKey.keyId).not.toBe(oldKey.keyId);

    const shown = (await ctx.api.get(`/webhooks/${setup.webhookId}`)).body.keys;
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatchObject({ id: newKey.keyId, primary: true, expiresAt: null });
    expect(shown[1]).toMatchObject({ id: oldKey.keyId, primary: false, expiresAt: expect.any(String) });
    const expiresAt = Date.parse(shown[1].expiresAt);
    expect(expiresAt - Date.parse(newKey.createdAt)).toBe(2000);

    expect((await postHook(url, await signer.sign({ k: 'new' }, newKey.privateKey))).status).toBe(202);
    expect((await postHook(url, await signer.sign({ k: 'old-in-grace' }, oldKey.privateKey))).status).toBe(202);
    // The key file now names the new primary.
    expect((await ctx.api.get(`/webhooks/${setup.webhookId}/private-key`)).body.keyId).toBe(newKey.keyId);

    while (Date.now() <= expiresAt + 50) await new Promise((r) => setTimeout(r, 100));
    const expired = await postHook(url, await signer.sign({ k: 'old-expired' }, oldKey.privateKey));
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('signature_invalid');
    expect((await postHook(url, await signer.sign({ k: 'new-still' }, newKey.privateKey))).status).toBe(202);
    expect((await ctx.api.get(`/webhooks/${setup.webhookId}`)).body.keys.map((k: { id: string }) => k.id)).toEqual([newKey.keyId]);
  });

  it('revokes the old key at once with graceSeconds 0 (the default)', async () => {
    const setup = await ctx.api.setupWebhook('echo', { scheme });
    const url = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    const rotated = await ctx.api.post(`/webhooks/${setup.webhookId}/keys`, {});
    expect((await postHook(url, await signer.sign({ k: 'old' }, setup.keyFile.privateKey))).status).toBe(401);
    expect((await postHook(url, await signer.sign({ k: 'new' }, rotated.body.privateKey))).status).toBe(202);
    expect((await ctx.api.get(`/webhooks/${setup.webhookId}`)).body.keys).toHaveLength(1);
  });
});

describe('admin tokens', () => {
  it('the read-only token reads, and gets 403 forbidden on every write and on the private key', async () => {
    const setup = await ctx.api.setupWebhook('echo');
    expect((await reader.get('/agents')).status).toBe(200);
    expect((await reader.get(`/agents/${setup.agentId}`)).status).toBe(200);
    expect((await reader.get(`/webhooks/${setup.webhookId}`)).status).toBe(200);
    expect((await reader.get(`/agents/${setup.agentId}/webhooks`)).status).toBe(200);
    expect((await reader.get('/workflows')).status).toBe(200);

    const writes = [
      () => reader.post('/agents', { name: 'nope' }),
      () => reader.post(`/agents/${setup.agentId}/webhooks`, { workflow: 'echo' }),
      () => reader.patch(`/webhooks/${setup.webhookId}`, { status: 'disabled' }),
      () => reader.post(`/webhooks/${setup.webhookId}/keys`, {}),
      () => reader.call('PUT', '/workflows/ro-test', { name: 'ro-test', steps: [] }),
      () => reader.delete(`/webhooks/${setup.webhookId}`),
      () => reader.delete(`/agents/${setup.agentId}`),
      () => reader.get(`/webhooks/${setup.webhookId}/private-key`),
    ];
    for (const write of writes) {
      const res = await write();
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'forbidden', status: 403 });
      expect(JSON.stringify(res.body)).not.toContain(readonlyToken);
    }
    // Nothing changed.
    expect((await ctx.api.get(`/webhooks/${setup.webhookId}`)).body).toMatchObject({
      status: 'enabled',
      keys: [{ id: setup.keyFile.keyId }],
    });
    expect((await ctx.api.get(`/webhooks/${setup.webhookId}/private-key`)).status).toBe(200);
  });

  it('refuses missing, wrong, truncated and extended tokens with 401 unauthorized', async () => {
    for (const token of [
      '',
      'wrong-token-0000000000',
      ctx.stack.adminToken.slice(0, -1),
      `${ctx.stack.adminToken}x`,
      readonlyToken.slice(0, -1),
    ]) {
      const res = await fetch(`${ctx.stack.baseUrl}/api/v1/agents`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    }
  });
});
