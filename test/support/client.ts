import { createHmac } from 'node:crypto';

/** Signs like the reference sender: hex HMAC-SHA256 of `JSON.stringify(body)` keyed with the private key string. */
export function signUptiq(bodyText: string, privateKey: string): string {
  return createHmac('sha256', privateKey).update(bodyText).digest('hex');
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny admin-API client for tests: JSON in, parsed JSON (or text) out, never throws on a status. */
export function adminClient(baseUrl: string, token: string) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    patch: <T = any>(path: string, body: unknown) => call<T>('PATCH', path, body),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
    /** Creates an agent, a webhook bound to `workflow` and its first key; returns ids and the key file. */
    async setupWebhook(workflow = 'echo', webhookBody: Record<string, unknown> = {}) {
      const agent = await call('POST', '/agents', { name: 'Test agent' });
      if (agent.status !== 201) throw new Error(`create agent: ${agent.status} ${JSON.stringify(agent.body)}`);
      const webhook = await call('POST', `/agents/${agent.body.id}/webhooks`, { workflow, ...webhookBody });
      if (webhook.status !== 201) throw new Error(`create webhook: ${webhook.status} ${JSON.stringify(webhook.body)}`);
      const key = await call('POST', `/webhooks/${webhook.body.id}/keys`, {});
      if (key.status !== 201) throw new Error(`create key: ${key.status} ${JSON.stringify(key.body)}`);
      return { agentId: agent.body.id as string, webhookId: webhook.body.id as string, webhook: webhook.body, keyFile: key.body };
    },
  };
}

export type AdminClient = ReturnType<typeof adminClient>;

/** POSTs `payload` to a webhook endpoint signed with `privateKey` (uptiq), as a third-party sender would. */
export async function sendSigned(endpoint: string, payload: unknown, privateKey: string, extraHeaders: Record<string, string> = {}) {
  const body = JSON.stringify(payload);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signUptiq(body, privateKey), ...extraHeaders },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Polls a delivery until its status is one of `statuses`. */
export async function waitForDelivery(
  api: AdminClient,
  deliveryId: string,
  statuses: string[] = ['succeeded', 'failed'],
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.get(`/deliveries/${deliveryId}`);
    if (res.status === 200 && statuses.includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`delivery ${deliveryId} did not reach ${statuses.join('/')}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
