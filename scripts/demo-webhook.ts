import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface DemoState {
  agentId: string;
  webhookId: string;
  keyFile: string;
}

async function api(baseUrl: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${(json as { detail?: string })?.detail ?? ''}`);
  return json as { id: string };
}

/**
 * On first start creates a demo agent with a webhook bound to `echo` and its private key, through the admin API (the
 * same path a user takes), and writes the key file under `home`. Later starts reuse it while it still exists.
 */
export async function ensureDemoWebhook(baseUrl: string, token: string, home: string): Promise<DemoState> {
  const statePath = join(home, 'demo.json');
  if (existsSync(statePath)) {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as DemoState;
    const res = await fetch(`${baseUrl}/api/v1/webhooks/${state.webhookId}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok && existsSync(state.keyFile)) return state;
  }
  const agent = await api(baseUrl, token, 'POST', '/agents', { name: 'Demo agent', description: 'Created by npm start on first run' });
  const webhook = await api(baseUrl, token, 'POST', `/agents/${agent.id}/webhooks`, { workflow: 'echo', name: 'Demo webhook' });
  const keyFile = await api(baseUrl, token, 'POST', `/webhooks/${webhook.id}/keys`, {});
  const keyPath = join(home, `${webhook.id}.private-key.json`);
  writeFileSync(keyPath, `${JSON.stringify(keyFile, null, 2)}\n`, { mode: 0o600 });
  const state: DemoState = { agentId: agent.id, webhookId: webhook.id, keyFile: keyPath };
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/** A command a person can paste into a shell: signs a sample event with the key file (openssl) and sends it. */
export function sampleCommand(endpoint: string, keyFile: string): string {
  const body = '{"documentId":"doc-1","status":"extracted"}';
  return [
    `BODY='${body}'`,
    `KEY=$(node -p 'require(process.argv[1]).privateKey' ${keyFile})`,
    `curl -sS -X POST ${endpoint} -H 'Content-Type: application/json' -H "x-signature: $(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.* //')" -d "$BODY"`,
  ].join('\n');
}
